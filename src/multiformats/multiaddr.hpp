#pragma once
// Multiaddr (https://github.com/multiformats/multiaddr): self-describing
// network addresses, as binary (varint code, [varint length], value)* and as
// text "/name/value/name/...". Protocol codes and sizes follow the spec's
// protocols.csv; text forms follow @multiformats/multiaddr 13, so our text is
// what js prints for the same bytes:
//   ip6     WHATWG URL host form: compressed, lower case, no dotted IPv4 tail
//   p2p     base58btc multihash (text input may also be a libp2p-key CIDv1;
//           "/ipfs/" is accepted as an alias and printed as "/p2p/")
//   unix    one percent-encoded segment, e.g. /unix/%2Ftmp%2Fp2p.sock
//   http-path  percent-encoded; the binary value keeps the leading '/'
//   certhash   any multibase on input, base64url ("u...") on output; the
//              value must be a multihash
// The binary form is the identity: equality compares bytes, and to_string()
// of a parsed text is its canonical text, not necessarily the input.
#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.hpp"
#include "multiformats/errors.hpp"

namespace converge::mf {

inline constexpr std::size_t max_multiaddr_bytes = 1024;
// The text bound must admit the text of every multiaddr the binary bound
// admits, or a valid address would not parse back from its own text: the
// worst expansion is about 10x (a 2-byte code such as /p2p-websocket-star
// prints as 19 characters), so 16x leaves room.
inline constexpr std::size_t max_multiaddr_text = 16 * max_multiaddr_bytes;

// One row of protocols.csv. size_bits: 0 = no value, -1 = varint-prefixed
// value, otherwise a fixed value size in bits.
struct protocol_info {
  std::uint64_t code;
  std::string_view name;
  int size_bits;
};
const protocol_info* find_protocol(std::uint64_t code);
const protocol_info* find_protocol(std::string_view name);  // includes the "ipfs" alias

struct multiaddr_component {
  std::uint64_t code;
  std::string_view name;  // canonical protocol name
  bytes value;            // binary value; empty for protocols without one
  // The value as it appears in text ("127.0.0.1", "4001", "12D3Koo..."); empty if none.
  [[nodiscard]] std::string value_string() const;
  friend bool operator==(const multiaddr_component& a, const multiaddr_component& b) {
    return a.code == b.code && a.value == b.value;
  }
};

class multiaddr {
 public:
  multiaddr() = default;  // the empty multiaddr, "/" in text

  static result<multiaddr> parse(std::string_view text);
  static result<multiaddr> from_bytes(bytes_view in);

  [[nodiscard]] const bytes& to_bytes() const { return bytes_; }
  [[nodiscard]] std::string to_string() const;
  [[nodiscard]] const std::vector<multiaddr_component>& components() const { return components_; }
  [[nodiscard]] bool empty() const { return components_.empty(); }

  // This address followed by `inner`; too_large past max_multiaddr_bytes.
  [[nodiscard]] result<multiaddr> encapsulate(const multiaddr& inner) const;
  // Everything before the last occurrence of `suffix`'s components;
  // invalid_multiaddr if they do not occur.
  [[nodiscard]] result<multiaddr> decapsulate(const multiaddr& suffix) const;
  // Everything before the last component with `code` (unchanged if none).
  [[nodiscard]] multiaddr decapsulate_code(std::uint64_t code) const;
  // Text value of the first / last component with `code`.
  [[nodiscard]] std::optional<std::string> value_for(std::uint64_t code) const;
  [[nodiscard]] std::optional<std::string> last_value_for(std::uint64_t code) const;
  [[nodiscard]] bool has(std::uint64_t code) const;

  friend bool operator==(const multiaddr& a, const multiaddr& b) { return a.bytes_ == b.bytes_; }
  friend std::strong_ordering operator<=>(const multiaddr& a, const multiaddr& b) { return a.bytes_ <=> b.bytes_; }

 private:
  static result<multiaddr> from_components(std::vector<multiaddr_component> parts);
  bytes bytes_;
  std::vector<multiaddr_component> components_;
};

}  // namespace converge::mf

template <>
struct std::hash<converge::mf::multiaddr> {
  std::size_t operator()(const converge::mf::multiaddr& m) const noexcept;
};
