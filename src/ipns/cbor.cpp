#include "ipns/cbor.hpp"

#include <optional>

namespace converge::ipns::cbor {

namespace {

struct reader {
  bytes_view in;
  std::size_t pos = 0;

  result<std::pair<int, std::uint64_t>> head() {
    if (pos >= in.size()) return fail(ipns_errc::malformed_cbor, "input ends inside an item");
    std::uint8_t ib = in[pos++];
    int major = ib >> 5;
    std::uint8_t info = ib & 0x1f;
    std::uint64_t v = 0;
    if (info < 24) return std::pair{major, std::uint64_t{info}};
    std::size_t n = info == 24 ? 1 : info == 25 ? 2 : info == 26 ? 4 : info == 27 ? 8 : 0;
    if (n == 0) return fail(ipns_errc::malformed_cbor, "indefinite length or reserved additional info " + std::to_string(info));
    if (in.size() - pos < n) return fail(ipns_errc::malformed_cbor, "input ends inside an item head");
    for (std::size_t i = 0; i < n; ++i) v = (v << 8) | in[pos++];
    // Shortest form: each width must be needed.
    std::uint64_t min = n == 1 ? 24 : n == 2 ? 0x100 : n == 4 ? 0x10000 : 0x100000000ULL;
    if (v < min) return fail(ipns_errc::malformed_cbor, "integer or length not in its shortest form");
    return std::pair{major, v};
  }
  result<bytes_view> take(std::uint64_t n) {
    if (n > in.size() - pos) return fail(ipns_errc::malformed_cbor, "length " + std::to_string(n) + " runs past the input");
    auto out = in.subspan(pos, static_cast<std::size_t>(n));
    pos += static_cast<std::size_t>(n);
    return out;
  }
};

bool valid_utf8(bytes_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    std::uint8_t c = s[i];
    std::size_t n = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xe ? 2 : (c >> 3) == 0x1e ? 3 : 9;
    if (n == 9 || s.size() - i - 1 < n) return false;
    std::uint32_t cp = n == 0 ? c : n == 1 ? (c & 0x1f) : n == 2 ? (c & 0x0f) : (c & 0x07);
    for (std::size_t k = 1; k <= n; ++k) {
      if ((s[i + k] & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (s[i + k] & 0x3f);
    }
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff))
      return false;
    i += n + 1;
  }
  return true;
}

void put_head(bytes& out, int major, std::uint64_t v) {
  auto m = static_cast<std::uint8_t>(major << 5);
  if (v < 24) {
    out.push_back(static_cast<std::uint8_t>(m | v));
    return;
  }
  int n = v <= 0xff ? 1 : v <= 0xffff ? 2 : v <= 0xffffffffULL ? 4 : 8;
  out.push_back(static_cast<std::uint8_t>(m | (n == 1 ? 24 : n == 2 ? 25 : n == 4 ? 26 : 27)));
  for (int i = n - 1; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

}  // namespace

result<map> decode_map(bytes_view in) {
  if (in.size() > max_input)
    return fail(ipns_errc::malformed_cbor, std::to_string(in.size()) + " bytes exceed " + std::to_string(max_input));
  reader r{in};
  auto h = r.head();
  if (!h) return fail(h.error());
  if (h->first != 5) return fail(ipns_errc::malformed_cbor, "top-level item is not a map");
  if (h->second > max_entries) return fail(ipns_errc::malformed_cbor, "map of " + std::to_string(h->second) + " entries");
  map out;
  std::optional<std::string> prev;
  for (std::uint64_t i = 0; i < h->second; ++i) {
    auto kh = r.head();
    if (!kh) return fail(kh.error());
    if (kh->first != 3) return fail(ipns_errc::malformed_cbor, "map key is not a text string");
    auto kb = r.take(kh->second);
    if (!kb) return fail(kb.error());
    if (!valid_utf8(*kb)) return fail(ipns_errc::malformed_cbor, "map key is not UTF-8");
    std::string key(as_chars(*kb));
    if (prev && !dag_key_less{}(*prev, key))
      return fail(ipns_errc::malformed_cbor, "map keys out of DAG-CBOR order or duplicated at \"" + key + "\"");
    prev = key;
    auto vh = r.head();
    if (!vh) return fail(vh.error());
    switch (vh->first) {
      case 0: out.emplace(key, vh->second); break;
      case 2: {
        auto b = r.take(vh->second);
        if (!b) return fail(b.error());
        out.emplace(key, to_bytes(*b));
        break;
      }
      case 3: {
        auto b = r.take(vh->second);
        if (!b) return fail(b.error());
        if (!valid_utf8(*b)) return fail(ipns_errc::malformed_cbor, "text value of \"" + key + "\" is not UTF-8");
        out.emplace(key, std::string(as_chars(*b)));
        break;
      }
      default:
        return fail(ipns_errc::malformed_cbor, "value of \"" + key + "\" has unsupported major type " +
                                                   std::to_string(vh->first));
    }
  }
  if (r.pos != in.size()) return fail(ipns_errc::malformed_cbor, "trailing bytes after the map");
  return out;
}

bytes encode_map(const map& m) {
  bytes out;
  put_head(out, 5, m.size());
  for (const auto& [k, v] : m) {
    put_head(out, 3, k.size());
    append(out, as_bytes(k));
    if (const auto* u = std::get_if<std::uint64_t>(&v)) {
      put_head(out, 0, *u);
    } else if (const auto* b = std::get_if<bytes>(&v)) {
      put_head(out, 2, b->size());
      append(out, *b);
    } else {
      const auto& s = std::get<std::string>(v);
      put_head(out, 3, s.size());
      append(out, as_bytes(s));
    }
  }
  return out;
}

}  // namespace converge::ipns::cbor
