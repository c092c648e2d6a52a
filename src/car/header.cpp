// The CARv1 header in dag-cbor: {"roots": [tag 42 (0x00 || CID)...], "version": 1}.
// Only the CBOR this header needs is read: definite-length maps, arrays, text
// and byte strings, unsigned ints and tag 42; keys in dag-cbor order on output.
#include <string>

#include "car/car.hpp"
#include "car/errors.hpp"

namespace converge::car {
namespace {

void put_head(bytes& out, std::uint8_t major, std::uint64_t v) {
  std::uint8_t m = static_cast<std::uint8_t>(major << 5);
  if (v < 24) {
    out.push_back(static_cast<std::uint8_t>(m | v));
  } else if (v <= 0xff) {
    out.push_back(m | 24);
    out.push_back(static_cast<std::uint8_t>(v));
  } else if (v <= 0xffff) {
    out.push_back(m | 25);
    for (int i = 1; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  } else if (v <= 0xffffffffu) {
    out.push_back(m | 26);
    for (int i = 3; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  } else {
    out.push_back(m | 27);
    for (int i = 7; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  }
}

struct cbor_reader {
  bytes_view in;
  std::size_t pos = 0;
  std::string err;

  bool head(std::uint8_t& major, std::uint64_t& value) {
    if (pos >= in.size()) return fail_with("truncated");
    std::uint8_t b = in[pos++];
    major = b >> 5;
    std::uint8_t info = b & 0x1f;
    if (info < 24) {
      value = info;
      return true;
    }
    std::size_t n = info == 24 ? 1 : info == 25 ? 2 : info == 26 ? 4 : info == 27 ? 8 : 0;
    if (n == 0) return fail_with("indefinite or reserved length (info " + std::to_string(info) + ")");
    if (in.size() - pos < n) return fail_with("truncated");
    value = 0;
    for (std::size_t i = 0; i < n; ++i) value = value << 8 | in[pos++];
    return true;
  }
  bool fail_with(std::string why) {
    if (err.empty()) err = why + " at offset " + std::to_string(pos);
    return false;
  }
  bool string_of(std::uint8_t want_major, bytes_view& out) {
    std::uint8_t major;
    std::uint64_t len;
    if (!head(major, len)) return false;
    if (major != want_major) return fail_with(want_major == 3 ? "expected a text string" : "expected a byte string");
    if (len > in.size() - pos) return fail_with("string runs past the end");
    out = in.subspan(pos, static_cast<std::size_t>(len));
    pos += static_cast<std::size_t>(len);
    return true;
  }
};

}  // namespace

bytes encode_header(const std::vector<mf::cid>& roots) {
  bytes out;
  put_head(out, 5, 2);
  put_head(out, 3, 5);
  append(out, as_bytes("roots"));
  put_head(out, 4, roots.size());
  for (const auto& r : roots) {
    put_head(out, 6, 42);
    auto b = r.to_bytes();
    put_head(out, 2, b.size() + 1);
    out.push_back(0x00);
    append(out, b);
  }
  put_head(out, 3, 7);
  append(out, as_bytes("version"));
  put_head(out, 0, 1);
  return out;
}

namespace {
// Decodes {roots?, version}; roots may be absent only for the CARv2 pragma.
result<std::pair<std::uint64_t, std::optional<std::vector<mf::cid>>>> decode_any_header(bytes_view in, const car_limits& limits) {
  cbor_reader r{in, 0, {}};
  auto bad = [&](const std::string& why) { return fail(car_errc::malformed_header, why); };
  std::uint8_t major;
  std::uint64_t n;
  if (!r.head(major, n)) return bad(r.err);
  if (major != 5) return bad("header is not a CBOR map");
  std::optional<std::uint64_t> version;
  std::optional<std::vector<mf::cid>> roots;
  for (std::uint64_t i = 0; i < n; ++i) {
    bytes_view key;
    if (!r.string_of(3, key)) return bad(r.err);
    auto k = as_chars(key);
    if (k == "version") {
      if (version) return bad("duplicate key 'version'");
      std::uint64_t v;
      if (!r.head(major, v)) return bad(r.err);
      if (major != 0) return bad("'version' is not an unsigned integer");
      version = v;
    } else if (k == "roots") {
      if (roots) return bad("duplicate key 'roots'");
      std::uint64_t count;
      if (!r.head(major, count)) return bad(r.err);
      if (major != 4) return bad("'roots' is not an array");
      if (count > limits.max_roots) return fail(car_errc::too_large, std::to_string(count) + " roots, limit " + std::to_string(limits.max_roots));
      roots.emplace();
      for (std::uint64_t j = 0; j < count; ++j) {
        std::uint64_t tag;
        if (!r.head(major, tag)) return bad(r.err);
        if (major != 6 || tag != 42) return bad("root " + std::to_string(j) + " is not a CID (tag 42)");
        bytes_view b;
        if (!r.string_of(2, b)) return bad(r.err);
        if (b.empty() || b[0] != 0x00) return bad("root " + std::to_string(j) + " lacks the 0x00 multibase prefix");
        auto c = mf::cid::from_bytes(b.subspan(1));
        if (!c) return bad("root " + std::to_string(j) + ": " + c.error().detail);
        roots->push_back(std::move(*c));
      }
    } else {
      return bad("unknown header key '" + std::string(k) + "'");
    }
  }
  if (r.pos != in.size()) return bad("trailing bytes after the header map");
  if (!version) return bad("no 'version'");
  return std::pair{*version, std::move(roots)};
}
}  // namespace

result<std::vector<mf::cid>> decode_header(bytes_view in, const car_limits& limits) {
  auto h = decode_any_header(in, limits);
  if (!h) return fail(h.error());
  if (h->first != 1) return fail(car_errc::unsupported_version, "header version " + std::to_string(h->first));
  if (!h->second) return fail(car_errc::malformed_header, "no 'roots'");
  return std::move(*h->second);
}

// Used by the parser: version 1 with roots, or the version 2 pragma.
result<std::pair<std::uint64_t, std::vector<mf::cid>>> decode_header_or_pragma(bytes_view in, const car_limits& limits) {
  auto h = decode_any_header(in, limits);
  if (!h) return fail(h.error());
  if (h->first == 1) {
    if (!h->second) return fail(car_errc::malformed_header, "no 'roots'");
    return std::pair{std::uint64_t{1}, std::move(*h->second)};
  }
  if (h->first == 2) {
    if (h->second) return fail(car_errc::malformed_header, "CARv2 pragma with 'roots'");
    return std::pair{std::uint64_t{2}, std::vector<mf::cid>{}};
  }
  return fail(car_errc::unsupported_version, "header version " + std::to_string(h->first));
}

}  // namespace converge::car
