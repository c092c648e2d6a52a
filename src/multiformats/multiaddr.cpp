#include "multiformats/multiaddr.hpp"

#include <array>

#include "base/varint.hpp"
#include "multiformats/multiaddr_values.hpp"
#include "multiformats/multicodec.hpp"

namespace converge::mf {
namespace {

constexpr int V = -1;
// protocols.csv, in its order.
constexpr std::array protocols{
    protocol_info{codec::ip4, "ip4", 32},
    protocol_info{codec::tcp, "tcp", 16},
    protocol_info{codec::udp, "udp", 16},
    protocol_info{codec::dccp, "dccp", 16},
    protocol_info{codec::ip6, "ip6", 128},
    protocol_info{codec::ip6zone, "ip6zone", V},
    protocol_info{codec::ipcidr, "ipcidr", 8},
    protocol_info{codec::dns, "dns", V},
    protocol_info{codec::dns4, "dns4", V},
    protocol_info{codec::dns6, "dns6", V},
    protocol_info{codec::dnsaddr, "dnsaddr", V},
    protocol_info{codec::sctp, "sctp", 16},
    protocol_info{codec::udt, "udt", 0},
    protocol_info{codec::utp, "utp", 0},
    protocol_info{codec::unix_path, "unix", V},
    protocol_info{codec::p2p, "p2p", V},
    protocol_info{codec::onion, "onion", 96},
    protocol_info{codec::onion3, "onion3", 296},
    protocol_info{codec::garlic64, "garlic64", V},
    protocol_info{codec::garlic32, "garlic32", V},
    protocol_info{codec::tls, "tls", 0},
    protocol_info{codec::sni, "sni", V},
    protocol_info{codec::noise, "noise", 0},
    protocol_info{codec::quic, "quic", 0},
    protocol_info{codec::quic_v1, "quic-v1", 0},
    protocol_info{codec::webtransport, "webtransport", 0},
    protocol_info{codec::certhash, "certhash", V},
    protocol_info{codec::http, "http", 0},
    protocol_info{codec::http_path, "http-path", V},
    protocol_info{codec::https, "https", 0},
    protocol_info{codec::ws, "ws", 0},
    protocol_info{codec::wss, "wss", 0},
    protocol_info{codec::p2p_websocket_star, "p2p-websocket-star", 0},
    protocol_info{codec::p2p_stardust, "p2p-stardust", 0},
    protocol_info{codec::p2p_webrtc_star, "p2p-webrtc-star", 0},
    protocol_info{codec::p2p_webrtc_direct, "p2p-webrtc-direct", 0},
    protocol_info{codec::webrtc_direct, "webrtc-direct", 0},
    protocol_info{codec::webrtc, "webrtc", 0},
    protocol_info{codec::p2p_circuit, "p2p-circuit", 0},
    protocol_info{codec::memory, "memory", V},
};

std::string too_large_detail(std::size_t n) {
  return "multiaddr of " + std::to_string(n) + " bytes exceeds " + std::to_string(max_multiaddr_bytes);
}

}  // namespace

const protocol_info* find_protocol(std::uint64_t code) {
  for (const auto& p : protocols)
    if (p.code == code) return &p;
  return nullptr;
}

const protocol_info* find_protocol(std::string_view name) {
  if (name == "ipfs") name = "p2p";  // protocols.csv: "backwards compatibility; equivalent to /p2p"
  for (const auto& p : protocols)
    if (p.name == name) return &p;
  return nullptr;
}

std::string multiaddr_component::value_string() const {
  const auto* p = find_protocol(code);
  if (p == nullptr || p->size_bits == 0) return {};
  auto t = detail::value_to_text(*p, value);
  return t ? std::move(*t) : std::string{};
}

result<multiaddr> multiaddr::from_components(std::vector<multiaddr_component> parts) {
  multiaddr m;
  for (const auto& c : parts) {
    append_uvarint(m.bytes_, c.code);
    if (find_protocol(c.code)->size_bits < 0) append_uvarint(m.bytes_, c.value.size());
    append(m.bytes_, c.value);
    if (m.bytes_.size() > max_multiaddr_bytes) return fail(mf_errc::too_large, too_large_detail(m.bytes_.size()));
  }
  m.components_ = std::move(parts);
  return m;
}

result<multiaddr> multiaddr::parse(std::string_view text) {
  if (text.size() > max_multiaddr_text)
    return fail(mf_errc::too_large, "multiaddr text of " + std::to_string(text.size()) + " characters exceeds " +
                                        std::to_string(max_multiaddr_text));
  if (text.empty() || text[0] != '/') return fail(mf_errc::invalid_multiaddr, "multiaddr text must start with '/'");
  std::vector<multiaddr_component> parts;
  std::size_t pos = 1;
  // Splits off the segment at `pos` (up to the next '/'), advancing past it.
  auto next_segment = [&](std::size_t& start) {
    start = pos;
    auto slash = text.find('/', pos);
    auto end = slash == std::string_view::npos ? text.size() : slash;
    pos = slash == std::string_view::npos ? text.size() + 1 : slash + 1;
    return text.substr(start, end - start);
  };
  while (pos <= text.size()) {
    std::size_t at = 0;
    auto name = next_segment(at);
    // Empty names ("//", a trailing '/') are skipped, as js-multiaddr and
    // go-multiaddr do; an empty value is still an error.
    if (name.empty()) continue;
    const auto* p = find_protocol(name);
    if (p == nullptr)
      return fail(mf_errc::unknown_protocol, "unknown protocol \"" + std::string(name.substr(0, 64)) + "\" at offset " +
                                                 std::to_string(at));
    multiaddr_component c{p->code, p->name, {}};
    if (p->size_bits != 0) {
      if (pos > text.size()) return fail(mf_errc::invalid_multiaddr, "protocol " + std::string(p->name) + " is missing its value");
      auto value = next_segment(at);
      if (value.empty()) return fail(mf_errc::invalid_multiaddr, "protocol " + std::string(p->name) + " is missing its value");
      auto v = detail::value_from_text(*p, value);
      if (!v) return fail(v.error());
      c.value = std::move(*v);
      if (p->size_bits > 0 && c.value.size() * 8 != static_cast<std::size_t>(p->size_bits))
        return fail(mf_errc::invalid_value, std::string(p->name) + ": value has the wrong size");
    }
    parts.push_back(std::move(c));
  }
  return from_components(std::move(parts));
}

result<multiaddr> multiaddr::from_bytes(bytes_view in) {
  if (in.size() > max_multiaddr_bytes) return fail(mf_errc::too_large, too_large_detail(in.size()));
  byte_reader r(in);
  std::vector<multiaddr_component> parts;
  while (!r.empty()) {
    auto at = r.position();
    auto code = r.uvarint();
    if (!code) return fail(with_context(code.error(), "multiaddr protocol code at offset " + std::to_string(at)));
    const auto* p = find_protocol(*code);
    if (p == nullptr)
      return fail(mf_errc::unknown_protocol, "unknown protocol code " + std::to_string(*code) + " at offset " + std::to_string(at));
    std::size_t size = 0;
    if (p->size_bits > 0) {
      size = static_cast<std::size_t>(p->size_bits) / 8;
    } else if (p->size_bits < 0) {
      auto len = r.uvarint();
      if (!len) return fail(with_context(len.error(), std::string(p->name) + " value length"));
      if (*len > r.remaining())
        return fail(mf_errc::truncated, std::string(p->name) + " value needs " + std::to_string(*len) + " bytes, " +
                                            std::to_string(r.remaining()) + " present");
      size = static_cast<std::size_t>(*len);
    }
    auto value = r.take(size);
    if (!value)
      return fail(mf_errc::truncated, std::string(p->name) + " value needs " + std::to_string(size) + " bytes, " +
                                          std::to_string(r.remaining()) + " present");
    if (p->size_bits != 0) {
      auto text = detail::value_to_text(*p, *value);
      if (!text) return fail(text.error());
    }
    parts.push_back({p->code, p->name, converge::to_bytes(*value)});
  }
  multiaddr m;
  m.bytes_ = converge::to_bytes(in);
  m.components_ = std::move(parts);
  return m;
}

std::string multiaddr::to_string() const {
  if (components_.empty()) return "/";
  std::string out;
  for (const auto& c : components_) {
    out += '/';
    out += c.name;
    if (find_protocol(c.code)->size_bits != 0) {
      out += '/';
      out += c.value_string();
    }
  }
  return out;
}

result<multiaddr> multiaddr::encapsulate(const multiaddr& inner) const {
  if (bytes_.size() + inner.bytes_.size() > max_multiaddr_bytes)
    return fail(mf_errc::too_large, too_large_detail(bytes_.size() + inner.bytes_.size()));
  multiaddr m = *this;
  append(m.bytes_, inner.bytes_);
  m.components_.insert(m.components_.end(), inner.components_.begin(), inner.components_.end());
  return m;
}

result<multiaddr> multiaddr::decapsulate(const multiaddr& suffix) const {
  const auto& mine = components_;
  const auto& theirs = suffix.components_;
  if (!theirs.empty() && theirs.size() <= mine.size()) {
    for (std::size_t start = mine.size() - theirs.size() + 1; start-- > 0;) {
      if (std::equal(theirs.begin(), theirs.end(), mine.begin() + static_cast<std::ptrdiff_t>(start)))
        return from_components({mine.begin(), mine.begin() + static_cast<std::ptrdiff_t>(start)});
    }
  }
  return fail(mf_errc::invalid_multiaddr, to_string() + " does not contain " + suffix.to_string());
}

multiaddr multiaddr::decapsulate_code(std::uint64_t code) const {
  for (std::size_t i = components_.size(); i-- > 0;)
    if (components_[i].code == code)
      return *from_components({components_.begin(), components_.begin() + static_cast<std::ptrdiff_t>(i)});
  return *this;
}

std::optional<std::string> multiaddr::value_for(std::uint64_t code) const {
  for (const auto& c : components_)
    if (c.code == code) return c.value_string();
  return std::nullopt;
}

std::optional<std::string> multiaddr::last_value_for(std::uint64_t code) const {
  for (auto it = components_.rbegin(); it != components_.rend(); ++it)
    if (it->code == code) return it->value_string();
  return std::nullopt;
}

bool multiaddr::has(std::uint64_t code) const {
  for (const auto& c : components_)
    if (c.code == code) return true;
  return false;
}

}  // namespace converge::mf

std::size_t std::hash<converge::mf::multiaddr>::operator()(const converge::mf::multiaddr& m) const noexcept {
  return std::hash<std::string_view>{}(converge::as_chars(m.to_bytes()));
}
