#pragma once
// IP addresses and CIDR prefixes for the connection gater.
//
// Text forms accepted by parse_ip / parse_cidr:
//   IPv4  dotted quad, four decimal octets 0..255, no leading zeros ("010" is
//         refused: some parsers read it as octal)
//   IPv6  RFC 4291 text: eight groups of 1..4 hex digits, one "::" allowed,
//         an optional dotted IPv4 tail ("::ffff:10.0.0.1"); no zone ("%eth0")
//   CIDR  <address>/<prefix>, prefix 0..32 (IPv4) or 0..128 (IPv6), no
//         leading zeros; bits after the prefix must be zero ("10.0.0.1/8" is
//         refused and the error suggests "10.0.0.0/8")
//
// IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are treated as the IPv4 address
// they carry when matched against a CIDR, so a deny of 10.0.0.0/8 also covers
// a dual-stack socket's ::ffff:10.1.2.3.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.hpp"
#include "multiformats/multiaddr.hpp"

namespace converge::p2p::limits {

// Longest CIDR text parse_cidr looks at (an IPv6 with IPv4 tail and /128 is 49 characters).
inline constexpr std::size_t max_cidr_text = 64;

struct ip_address {
  bool v6 = false;
  std::array<std::uint8_t, 16> bytes{};  // IPv4 uses the first 4

  [[nodiscard]] std::size_t size() const { return v6 ? 16 : 4; }
  // The IPv4 address inside an IPv4-mapped IPv6 address; itself otherwise.
  [[nodiscard]] ip_address unmapped() const;
  [[nodiscard]] std::string to_string() const;
  friend bool operator==(const ip_address&, const ip_address&) = default;
};

class cidr {
 public:
  // "10.0.0.0/8", "::1/128", "2001:db8::/32". A bare address is refused: write /32 or /128.
  static result<cidr> parse(std::string_view text);
  // The single-address prefix (/32 or /128).
  static cidr host(const ip_address& a);

  // True iff `a` is inside this prefix (after unmapping IPv4-mapped IPv6 on both sides).
  [[nodiscard]] bool contains(const ip_address& a) const;
  [[nodiscard]] const ip_address& network() const { return net_; }
  [[nodiscard]] unsigned prefix_length() const { return prefix_; }
  // Canonical text ("10.0.0.0/8", "2001:db8::/32").
  [[nodiscard]] std::string to_string() const;
  friend bool operator==(const cidr&, const cidr&) = default;

 private:
  ip_address net_;
  unsigned prefix_ = 0;
};

result<ip_address> parse_ip(std::string_view text);

// The first ip4 or ip6 component of a multiaddr ("/ip4/1.2.3.4/tcp/1" -> 1.2.3.4);
// nullopt for addresses without one (dns, p2p-circuit, unix).
std::optional<ip_address> ip_of(const mf::multiaddr& addr);

}  // namespace converge::p2p::limits
