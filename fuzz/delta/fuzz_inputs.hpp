#pragma once
// Fixed old files the patch fuzzer applies against: the first input byte picks
// one (0: text, 1: a small ZIP archive), the rest is the patch. The corpus
// seeds are real patches made against these exact bytes.
#include <zlib.h>

#include <cstdint>
#include <string>

#include "base/bytes.hpp"

namespace converge::delta::fuzzing {

inline bytes old_text() {
  bytes out;
  std::uint32_t x = 12345;
  static const char* words[] = {"alpha ", "beta ", "gamma ", "delta\n", "peer ", "block "};
  while (out.size() < 4096) {
    x = x * 1103515245u + 12345u;
    std::string_view w = words[(x >> 16) % 6];
    out.insert(out.end(), w.begin(), w.end());
  }
  out.resize(4096);
  return out;
}

inline void le(bytes& b, std::uint64_t v, int width) {
  for (int i = 0; i < width; ++i) b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

// One deflated entry ("a.txt", level 6) and one stored entry ("b.bin").
inline bytes zip_of(const bytes& a, const bytes& b) {
  z_stream z{};
  deflateInit2(&z, 6, Z_DEFLATED, -15, 8, 0);
  bytes comp(deflateBound(&z, static_cast<uLong>(a.size())));
  z.next_in = const_cast<Bytef*>(a.data());
  z.avail_in = static_cast<uInt>(a.size());
  z.next_out = comp.data();
  z.avail_out = static_cast<uInt>(comp.size());
  deflate(&z, Z_FINISH);
  comp.resize(z.total_out);
  deflateEnd(&z);
  struct entry {
    const char* name;
    int method;
    const bytes* plain;
    const bytes* data;
  } entries[] = {{"a.txt", 8, &a, &comp}, {"b.bin", 0, &b, &b}};
  bytes out, cd;
  for (const auto& e : entries) {
    auto crc = crc32(0, e.plain->data(), static_cast<uInt>(e.plain->size()));
    std::uint64_t off = out.size();
    le(out, 0x04034b50, 4), le(out, 20, 2), le(out, 0, 2), le(out, e.method, 2), le(out, 0, 4), le(out, crc, 4);
    le(out, e.data->size(), 4), le(out, e.plain->size(), 4), le(out, 5, 2), le(out, 0, 2);
    out.insert(out.end(), e.name, e.name + 5);
    append(out, *e.data);
    le(cd, 0x02014b50, 4), le(cd, 20, 2), le(cd, 20, 2), le(cd, 0, 2), le(cd, e.method, 2), le(cd, 0, 4);
    le(cd, crc, 4), le(cd, e.data->size(), 4), le(cd, e.plain->size(), 4), le(cd, 5, 2), le(cd, 0, 2);
    le(cd, 0, 2), le(cd, 0, 2), le(cd, 0, 2), le(cd, 0, 4), le(cd, off, 4);
    cd.insert(cd.end(), e.name, e.name + 5);
  }
  std::uint64_t cd_off = out.size();
  append(out, cd);
  le(out, 0x06054b50, 4), le(out, 0, 4), le(out, 2, 2), le(out, 2, 2), le(out, cd.size(), 4), le(out, cd_off, 4);
  le(out, 0, 2);
  return out;
}

inline bytes old_zip() {
  bytes t = old_text();
  return zip_of(t, bytes(t.begin(), t.begin() + 300));
}

}  // namespace converge::delta::fuzzing
