#include "multiformats/multiaddr_values.hpp"

#include <arpa/inet.h>

#include <array>
#include <charconv>

#include "multiformats/cid.hpp"
#include "multiformats/multibase.hpp"
#include "multiformats/multicodec.hpp"
#include "multiformats/multihash.hpp"

namespace converge::mf::detail {
namespace {

enum class kind { ip4, ip6, port, u8, string, percent, http_path, p2p, certhash, onion, onion3, opaque };

kind kind_of(std::uint64_t code) {
  switch (code) {
    case codec::ip4: return kind::ip4;
    case codec::ip6: return kind::ip6;
    case codec::tcp:
    case codec::udp:
    case codec::dccp:
    case codec::sctp: return kind::port;
    case codec::ipcidr: return kind::u8;
    case codec::unix_path: return kind::percent;
    case codec::http_path: return kind::http_path;
    case codec::p2p: return kind::p2p;
    case codec::certhash: return kind::certhash;
    case codec::onion: return kind::onion;
    case codec::onion3: return kind::onion3;
    default: return kind::string;
  }
}

std::unexpected<error> bad(const protocol_info& p, std::string what) {
  return fail(mf_errc::invalid_value, std::string(p.name) + ": " + what);
}

std::string quoted(std::string_view s) {
  constexpr std::size_t show = 64;
  std::string out = "\"" + std::string(s.substr(0, show));
  if (s.size() > show) out += "...";
  return out + "\"";
}

// Decimal without sign or leading zeros, as js checks with parseInt(v).toString() === v.
result<unsigned> parse_decimal(const protocol_info& p, std::string_view text, unsigned max, std::string_view what) {
  unsigned v = 0;
  bool digits_only = !text.empty() && text.size() <= 6;
  for (char c : text) digits_only = digits_only && c >= '0' && c <= '9';
  if (!digits_only || (text.size() > 1 && text[0] == '0'))
    return bad(p, std::string(what) + " " + quoted(text) + " is not a decimal integer");
  std::from_chars(text.data(), text.data() + text.size(), v);
  if (v > max)
    return bad(p, std::string(what) + " " + std::string(text) + " out of range (0-" + std::to_string(max) + ")");
  return v;
}

bytes port_bytes(unsigned port) { return {static_cast<std::uint8_t>(port >> 8), static_cast<std::uint8_t>(port & 0xff)}; }
unsigned port_of(bytes_view b) { return static_cast<unsigned>(b[0]) << 8 | b[1]; }

// Dotted decimal, four parts, no leading zeros (as Node's isIPv4).
result<bytes> parse_ip4(const protocol_info& p, std::string_view text) {
  bytes out;
  std::size_t start = 0;
  for (int part = 0; part < 4; ++part) {
    auto dot = text.find('.', start);
    if ((part < 3) != (dot != std::string_view::npos)) return bad(p, "invalid IPv4 address " + quoted(text));
    auto piece = text.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    auto v = parse_decimal(p, piece, 255, "IPv4 part");
    if (!v) return bad(p, "invalid IPv4 address " + quoted(text));
    out.push_back(static_cast<std::uint8_t>(*v));
    start = dot + 1;
  }
  return out;
}

result<bytes> parse_ip6(const protocol_info& p, std::string_view text) {
  if (text.size() > 45) return bad(p, "invalid IPv6 address " + quoted(text));
  std::string z(text);
  std::array<std::uint8_t, 16> addr{};
  if (inet_pton(AF_INET6, z.c_str(), addr.data()) != 1) return bad(p, "invalid IPv6 address " + quoted(text));
  return bytes(addr.begin(), addr.end());
}

// Peer IDs are identity or sha2-256 multihashes (the peer-ids spec). Holding
// the binary form to that too keeps text and binary in step: the base58btc
// text of those always starts with '1' or 'Q', which is how parsing tells it
// from a CID; any other multihash would print text that does not parse back.
result<void> check_peer_multihash(const protocol_info& p, const multihash& mh) {
  if (mh.code() != codec::identity && mh.code() != codec::sha2_256)
    return bad(p, "peer ID multihash must be identity or sha2-256, not code " + std::to_string(mh.code()));
  return ok();
}

// A multihash peer ID: base58btc text ("Qm...", "12D3...") or a libp2p-key CIDv1.
result<bytes> parse_peer(const protocol_info& p, std::string_view text) {
  if (text[0] == 'Q' || text[0] == '1') {
    auto raw = base_decode(multibase::base58btc, text);
    if (!raw) return fail(with_context(raw.error(), std::string(p.name) + " peer ID"));
    auto mh = multihash::parse(*raw);
    if (!mh) return fail(with_context(mh.error(), std::string(p.name) + " peer ID"));
    if (auto c = check_peer_multihash(p, *mh); !c) return fail(c.error());
    return std::move(*raw);
  }
  auto c = cid::parse(text);
  if (!c) return fail(with_context(c.error(), std::string(p.name) + " peer ID"));
  if (c->codec() != codec::libp2p_key) return bad(p, "peer ID CID must have codec libp2p-key");
  if (auto k = check_peer_multihash(p, c->hash()); !k) return fail(k.error());
  return c->hash().bytes();
}

result<bytes> parse_onion(const protocol_info& p, std::string_view text, std::size_t addr_chars) {
  auto colon = text.find(':');
  if (colon == std::string_view::npos) return bad(p, "onion address " + quoted(text) + " has no port");
  if (colon != addr_chars) return bad(p, "onion address must have " + std::to_string(addr_chars) + " base32 characters");
  auto addr = base_decode(multibase::base32, text.substr(0, colon));
  if (!addr) return fail(with_context(addr.error(), std::string(p.name)));
  auto port = parse_decimal(p, text.substr(colon + 1), 65535, "port");
  if (!port) return fail(port.error());
  if (*port == 0) return bad(p, "port 0 out of range (1-65535)");
  return concat(*addr, port_bytes(*port));
}

}  // namespace

bool valid_utf8(bytes_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    std::uint8_t c = s[i];
    std::size_t n;
    std::uint32_t cp;
    if (c < 0x80) { ++i; continue; }
    if ((c & 0xe0) == 0xc0) { n = 1; cp = c & 0x1f; }
    else if ((c & 0xf0) == 0xe0) { n = 2; cp = c & 0x0f; }
    else if ((c & 0xf8) == 0xf0) { n = 3; cp = c & 0x07; }
    else return false;
    for (std::size_t k = 1; k <= n; ++k) {
      if (i + k >= s.size() || (s[i + k] & 0xc0) != 0x80) return false;
      cp = cp << 6 | (s[i + k] & 0x3f);
    }
    static constexpr std::uint32_t min_cp[] = {0, 0x80, 0x800, 0x10000};
    if (cp < min_cp[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += n + 1;
  }
  return true;
}

std::string percent_encode(bytes_view raw) {
  static constexpr char hex[] = "0123456789ABCDEF";
  static constexpr std::string_view keep = "-_.!~*'()";
  std::string out;
  for (auto b : raw) {
    bool alnum = (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9');
    if (alnum || keep.find(static_cast<char>(b)) != std::string_view::npos) {
      out.push_back(static_cast<char>(b));
    } else {
      out.push_back('%');
      out.push_back(hex[b >> 4]);
      out.push_back(hex[b & 15]);
    }
  }
  return out;
}

result<bytes> percent_decode(std::string_view text) {
  bytes out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(static_cast<std::uint8_t>(text[i]));
      continue;
    }
    auto h = i + 2 < text.size() ? from_hex(text.substr(i + 1, 2)) : result<bytes>{};
    if (i + 2 >= text.size() || !h)
      return fail(mf_errc::invalid_value, "bad percent escape at offset " + std::to_string(i));
    out.push_back((*h)[0]);
    i += 2;
  }
  if (!valid_utf8(out)) return fail(mf_errc::invalid_value, "percent-decoded value is not UTF-8");
  return out;
}

std::string format_ip6(bytes_view a) {
  std::array<unsigned, 8> piece{};
  for (int i = 0; i < 8; ++i) piece[static_cast<std::size_t>(i)] = port_of(a.subspan(static_cast<std::size_t>(2 * i), 2));
  // WHATWG URL serialisation: compress the first longest run of two or more zero pieces.
  int best = -1, best_len = 1;
  for (int i = 0; i < 8;) {
    if (piece[static_cast<std::size_t>(i)] != 0) { ++i; continue; }
    int j = i;
    while (j < 8 && piece[static_cast<std::size_t>(j)] == 0) ++j;
    if (j - i > best_len) { best = i; best_len = j - i; }
    i = j;
  }
  std::string out;
  static constexpr char hex[] = "0123456789abcdef";
  for (int i = 0; i < 8; ++i) {
    if (i == best) {
      out += i == 0 ? "::" : ":";
      i += best_len - 1;
      continue;
    }
    unsigned v = piece[static_cast<std::size_t>(i)];
    char buf[4];
    int n = 0;
    do { buf[n++] = hex[v & 15]; v >>= 4; } while (v != 0);
    while (n > 0) out.push_back(buf[--n]);
    if (i != 7) out.push_back(':');
  }
  return out;
}

result<bytes> value_from_text(const protocol_info& p, std::string_view text) {
  if (text.empty()) return bad(p, "empty value");
  switch (kind_of(p.code)) {
    case kind::ip4: return parse_ip4(p, text);
    case kind::ip6: return parse_ip6(p, text);
    case kind::port: {
      auto v = parse_decimal(p, text, 65535, "port");
      if (!v) return fail(v.error());
      return port_bytes(*v);
    }
    case kind::u8: {
      auto v = parse_decimal(p, text, 255, "value");
      if (!v) return fail(v.error());
      return bytes{static_cast<std::uint8_t>(*v)};
    }
    case kind::percent:
    case kind::http_path: {
      auto raw = percent_decode(text);
      if (!raw) return fail(with_context(raw.error(), std::string(p.name)));
      if (kind_of(p.code) == kind::http_path) raw->insert(raw->begin(), '/');
      return std::move(*raw);
    }
    case kind::p2p: return parse_peer(p, text);
    case kind::certhash: {
      auto raw = multibase_decode(text);
      if (!raw) return fail(with_context(raw.error(), "certhash"));
      auto mh = multihash::parse(*raw);
      if (!mh) return fail(with_context(mh.error(), "certhash"));
      return std::move(*raw);
    }
    case kind::onion: return parse_onion(p, text, 16);
    case kind::onion3: return parse_onion(p, text, 56);
    case kind::string:
    case kind::opaque: break;
  }
  auto raw = to_bytes(text);
  if (!valid_utf8(raw)) return bad(p, "value is not UTF-8");
  return raw;
}

result<std::string> value_to_text(const protocol_info& p, bytes_view v) {
  if (p.size_bits < 0 && v.empty()) return bad(p, "empty value");
  switch (kind_of(p.code)) {
    case kind::ip4:
      return std::to_string(v[0]) + "." + std::to_string(v[1]) + "." + std::to_string(v[2]) + "." + std::to_string(v[3]);
    case kind::ip6: return format_ip6(v);
    case kind::port: return std::to_string(port_of(v));
    case kind::u8: return std::to_string(v[0]);
    case kind::percent:
      if (!valid_utf8(v)) return bad(p, "path is not UTF-8");
      return percent_encode(v);
    case kind::http_path:
      if (v.size() < 2 || v[0] != '/') return bad(p, "path must start with '/' and not be empty");
      if (!valid_utf8(v)) return bad(p, "path is not UTF-8");
      return percent_encode(v.subspan(1));
    case kind::p2p: {
      auto mh = multihash::parse(v);
      if (!mh) return fail(with_context(mh.error(), std::string(p.name) + " peer ID"));
      if (auto c = check_peer_multihash(p, *mh); !c) return fail(c.error());
      return base_encode(multibase::base58btc, v);
    }
    case kind::certhash: {
      auto mh = multihash::parse(v);
      if (!mh) return fail(with_context(mh.error(), "certhash"));
      return multibase_encode(multibase::base64url, v);
    }
    case kind::onion:
    case kind::onion3: {
      auto port = port_of(v.last(2));
      if (port == 0) return bad(p, "port 0 out of range (1-65535)");
      return base_encode(multibase::base32, v.first(v.size() - 2)) + ":" + std::to_string(port);
    }
    case kind::string:
    case kind::opaque: break;
  }
  if (!valid_utf8(v)) return bad(p, "value is not UTF-8");
  auto s = as_chars(v);
  if (s.find('/') != std::string_view::npos) return bad(p, "value " + quoted(s) + " contains '/'");
  return std::string(s);
}

}  // namespace converge::mf::detail
