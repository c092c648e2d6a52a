#include "p2p/limits/cidr.hpp"

#include <charconv>
#include <vector>

#include "multiformats/multiaddr_values.hpp"
#include "p2p/limits/errors.hpp"

namespace converge::p2p::limits {
namespace {

constexpr std::uint64_t code_ip4 = 0x04;
constexpr std::uint64_t code_ip6 = 0x29;

std::string quoted(std::string_view text) {
  // Errors echo the input; cap it so a hostile config cannot make the error huge.
  std::string out = "\"";
  out += text.substr(0, max_cidr_text);
  if (text.size() > max_cidr_text) out += "...";
  out += '"';
  return out;
}

// Decimal without sign or leading zeros, at most `max`.
std::optional<unsigned> parse_decimal(std::string_view s, unsigned max) {
  if (s.empty() || s.size() > 3) return std::nullopt;
  if (s.size() > 1 && s[0] == '0') return std::nullopt;
  unsigned v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  if (v > max) return std::nullopt;
  return v;
}

std::optional<std::array<std::uint8_t, 4>> parse_v4(std::string_view s) {
  std::array<std::uint8_t, 4> out{};
  for (std::size_t i = 0; i < 4; ++i) {
    auto dot = s.find('.');
    if ((i < 3) != (dot != std::string_view::npos)) return std::nullopt;
    auto part = i < 3 ? s.substr(0, dot) : s;
    auto v = parse_decimal(part, 255);
    if (!v) return std::nullopt;
    out[i] = static_cast<std::uint8_t>(*v);
    if (i < 3) s.remove_prefix(dot + 1);
  }
  return out;
}

std::optional<unsigned> hex_group(std::string_view g) {
  if (g.empty() || g.size() > 4) return std::nullopt;
  unsigned v = 0;
  for (char c : g) {
    unsigned d;
    if (c >= '0' && c <= '9') d = static_cast<unsigned>(c - '0');
    else if (c >= 'a' && c <= 'f') d = static_cast<unsigned>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') d = static_cast<unsigned>(c - 'A' + 10);
    else return std::nullopt;
    v = v * 16 + d;
  }
  return v;
}

// Parses one side of "::" into 16-bit groups; a dotted IPv4 tail counts as two
// groups and is allowed only as the last element of the last side.
bool parse_groups(std::string_view s, bool last_side, std::vector<unsigned>& out) {
  if (s.empty()) return true;
  while (true) {
    auto colon = s.find(':');
    auto g = colon == std::string_view::npos ? s : s.substr(0, colon);
    if (colon == std::string_view::npos && last_side && g.find('.') != std::string_view::npos) {
      auto v4 = parse_v4(g);
      if (!v4) return false;
      out.push_back((unsigned{(*v4)[0]} << 8) | (*v4)[1]);
      out.push_back((unsigned{(*v4)[2]} << 8) | (*v4)[3]);
      return true;
    }
    auto v = hex_group(g);
    if (!v) return false;
    out.push_back(*v);
    if (colon == std::string_view::npos) return true;
    s.remove_prefix(colon + 1);
    if (s.empty()) return false;  // trailing single ':'
  }
}

std::optional<std::array<std::uint8_t, 16>> parse_v6(std::string_view s) {
  std::vector<unsigned> head;
  std::vector<unsigned> tail;
  auto dc = s.find("::");
  bool compressed = dc != std::string_view::npos;
  if (compressed) {
    if (s.find("::", dc + 1) != std::string_view::npos) return std::nullopt;
    if (!parse_groups(s.substr(0, dc), false, head)) return std::nullopt;
    if (!parse_groups(s.substr(dc + 2), true, tail)) return std::nullopt;
    if (head.size() + tail.size() > 7) return std::nullopt;
  } else {
    if (!parse_groups(s, true, head)) return std::nullopt;
    if (head.size() != 8) return std::nullopt;
  }
  std::array<std::uint8_t, 16> out{};
  for (std::size_t i = 0; i < head.size(); ++i) {
    out[2 * i] = static_cast<std::uint8_t>(head[i] >> 8);
    out[2 * i + 1] = static_cast<std::uint8_t>(head[i] & 0xff);
  }
  std::size_t start = 8 - tail.size();
  for (std::size_t i = 0; i < tail.size(); ++i) {
    out[2 * (start + i)] = static_cast<std::uint8_t>(tail[i] >> 8);
    out[2 * (start + i) + 1] = static_cast<std::uint8_t>(tail[i] & 0xff);
  }
  return out;
}

bool is_v4_mapped(const ip_address& a) {
  if (!a.v6) return false;
  for (std::size_t i = 0; i < 10; ++i)
    if (a.bytes[i] != 0) return false;
  return a.bytes[10] == 0xff && a.bytes[11] == 0xff;
}

// Keeps the first `prefix` bits of `a`.
ip_address masked(ip_address a, unsigned prefix) {
  for (std::size_t i = 0; i < a.size(); ++i) {
    unsigned bit = static_cast<unsigned>(i) * 8;
    if (bit >= prefix) a.bytes[i] = 0;
    else if (prefix - bit < 8) a.bytes[i] = static_cast<std::uint8_t>(a.bytes[i] & (0xff00u >> (prefix - bit)));
  }
  return a;
}

}  // namespace

ip_address ip_address::unmapped() const {
  if (!is_v4_mapped(*this)) return *this;
  ip_address v4;
  for (std::size_t i = 0; i < 4; ++i) v4.bytes[i] = bytes[12 + i];
  return v4;
}

std::string ip_address::to_string() const {
  if (v6) return mf::detail::format_ip6({bytes.data(), 16});
  std::string out;
  for (std::size_t i = 0; i < 4; ++i) {
    if (i) out += '.';
    out += std::to_string(bytes[i]);
  }
  return out;
}

result<ip_address> parse_ip(std::string_view text) {
  if (text.size() > max_cidr_text)
    return fail(limits_errc::invalid_cidr, "address " + quoted(text) + " is too long");
  ip_address a;
  if (text.find(':') != std::string_view::npos) {
    auto v6 = parse_v6(text);
    if (!v6) return fail(limits_errc::invalid_cidr, quoted(text) + " is not an IPv6 address");
    a.v6 = true;
    a.bytes = *v6;
    return a;
  }
  auto v4 = parse_v4(text);
  if (!v4)
    return fail(limits_errc::invalid_cidr,
                quoted(text) + " is not an IPv4 address (four decimal octets 0-255, no leading zeros)");
  for (std::size_t i = 0; i < 4; ++i) a.bytes[i] = (*v4)[i];
  return a;
}

result<cidr> cidr::parse(std::string_view text) {
  if (text.size() > max_cidr_text)
    return fail(limits_errc::invalid_cidr, "CIDR " + quoted(text) + " is too long");
  auto slash = text.find('/');
  if (slash == std::string_view::npos)
    return fail(limits_errc::invalid_cidr,
                "CIDR " + quoted(text) + " has no prefix length (write /32 or /128 for one address)");
  auto addr = parse_ip(text.substr(0, slash));
  if (!addr) return fail(with_context(addr.error(), "CIDR " + quoted(text)));
  unsigned max = addr->v6 ? 128 : 32;
  auto prefix = parse_decimal(text.substr(slash + 1), max);
  if (!prefix)
    return fail(limits_errc::invalid_cidr, "CIDR " + quoted(text) + ": prefix length must be a decimal 0.." +
                                               std::to_string(max) + " without leading zeros");
  cidr c;
  c.net_ = masked(*addr, *prefix);
  c.prefix_ = *prefix;
  if (c.net_ != *addr)
    return fail(limits_errc::invalid_cidr, "CIDR " + quoted(text) + " has bits set after the prefix (did you mean " +
                                               c.to_string() + "?)");
  return c;
}

cidr cidr::host(const ip_address& a) {
  cidr c;
  c.net_ = a;
  c.prefix_ = a.v6 ? 128 : 32;
  return c;
}

bool cidr::contains(const ip_address& raw) const {
  // Unmap both sides: "::ffff:10.0.0.0/104" and "10.0.0.0/8" mean the same set.
  ip_address net = net_;
  unsigned prefix = prefix_;
  if (is_v4_mapped(net) && prefix >= 96) {
    net = net.unmapped();
    prefix -= 96;
  }
  ip_address a = raw.unmapped();
  if (a.v6 != net.v6) return false;
  return masked(a, prefix) == net;
}

std::string cidr::to_string() const { return net_.to_string() + "/" + std::to_string(prefix_); }

std::optional<ip_address> ip_of(const mf::multiaddr& addr) {
  for (const auto& c : addr.components()) {
    if (c.code == code_ip4 && c.value.size() == 4) {
      ip_address a;
      for (std::size_t i = 0; i < 4; ++i) a.bytes[i] = c.value[i];
      return a;
    }
    if (c.code == code_ip6 && c.value.size() == 16) {
      ip_address a;
      a.v6 = true;
      for (std::size_t i = 0; i < 16; ++i) a.bytes[i] = c.value[i];
      return a;
    }
  }
  return std::nullopt;
}

}  // namespace converge::p2p::limits
