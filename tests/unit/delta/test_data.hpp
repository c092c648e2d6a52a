#pragma once
// Generated inputs for the delta tests: deterministic pseudo-random bytes,
// "executable-like" files with edits, and small ZIP archives written here
// with zlib so every header field is under the test's control.
#include <zlib.h>

#include <cstdint>
#include <string>
#include <vector>

#include "base/bytes.hpp"

namespace converge::delta::testing {

inline bytes random_bytes(std::size_t n, std::uint64_t seed) {
  bytes out(n);
  std::uint64_t x = seed * 0x9e3779b97f4a7c15ull + 1;
  for (auto& b : out) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    b = static_cast<std::uint8_t>(x >> 24);
  }
  return out;
}

// Text-like content that compresses (a small vocabulary of words).
inline bytes wordy_bytes(std::size_t n, std::uint64_t seed) {
  static const char* words[] = {"alpha ", "beta ", "gamma ", "delta\n", "update ", "peer ", "block ", "cid "};
  bytes r = random_bytes(n, seed), out;
  for (std::size_t i = 0; out.size() < n; ++i) {
    std::string_view w = words[r[i % r.size()] % 8];
    out.insert(out.end(), w.begin(), w.end());
  }
  out.resize(n);
  return out;
}

// A new version of `old`: some bytes changed, a block inserted, a block removed.
inline bytes edited(const bytes& old, std::uint64_t seed) {
  bytes out = old;
  auto r = random_bytes(64, seed);
  if (out.size() > 100) {
    for (std::size_t i = 0; i < out.size(); i += 97) out[i] = static_cast<std::uint8_t>(out[i] + 1);
    auto cut = out.size() / 3;
    out.erase(out.begin() + static_cast<std::ptrdiff_t>(cut), out.begin() + static_cast<std::ptrdiff_t>(cut + 50));
    out.insert(out.begin() + static_cast<std::ptrdiff_t>(out.size() / 2), r.begin(), r.end());
  } else {
    out.insert(out.end(), r.begin(), r.begin() + 8);
  }
  return out;
}

struct zip_file {
  std::string name;
  bytes content;
  int method = 8;       // 0 stored, 8 deflate
  int level = 6;
  int strategy = 0;
  int window_bits = 15;  // under 15 the output is one no zlib setting we try reproduces
  bool descriptor = false;
};

inline void put_le(bytes& b, std::uint64_t v, int width) {
  for (int i = 0; i < width; ++i) b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

inline bytes deflate_with(const bytes& in, int level, int strategy, int window_bits) {
  z_stream z{};
  deflateInit2(&z, level, Z_DEFLATED, -window_bits, 8, strategy);
  bytes out(deflateBound(&z, static_cast<uLong>(in.size())) + 16);
  z.next_in = const_cast<Bytef*>(in.data());
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

// A ZIP archive (no zip64) with an optional APK-style block before the directory.
inline bytes make_zip(const std::vector<zip_file>& files, const bytes& before_cd = {}) {
  bytes out, cd;
  for (const auto& f : files) {
    bytes data = f.method == 8 ? deflate_with(f.content, f.level, f.strategy, f.window_bits) : f.content;
    auto crc = crc32(0, f.content.data(), static_cast<uInt>(f.content.size()));
    std::uint64_t off = out.size();
    int flags = f.descriptor ? 8 : 0;
    put_le(out, 0x04034b50, 4);
    put_le(out, 20, 2);
    put_le(out, flags, 2);
    put_le(out, f.method, 2);
    put_le(out, 0, 4);
    put_le(out, f.descriptor ? 0 : crc, 4);
    put_le(out, f.descriptor ? 0 : data.size(), 4);
    put_le(out, f.descriptor ? 0 : f.content.size(), 4);
    put_le(out, f.name.size(), 2);
    put_le(out, 0, 2);
    out.insert(out.end(), f.name.begin(), f.name.end());
    append(out, data);
    if (f.descriptor) {
      put_le(out, 0x08074b50, 4);
      put_le(out, crc, 4);
      put_le(out, data.size(), 4);
      put_le(out, f.content.size(), 4);
    }
    put_le(cd, 0x02014b50, 4);
    put_le(cd, 20, 2);
    put_le(cd, 20, 2);
    put_le(cd, flags, 2);
    put_le(cd, f.method, 2);
    put_le(cd, 0, 4);
    put_le(cd, crc, 4);
    put_le(cd, data.size(), 4);
    put_le(cd, f.content.size(), 4);
    put_le(cd, f.name.size(), 2);
    put_le(cd, 0, 2);
    put_le(cd, 0, 2);
    put_le(cd, 0, 2);
    put_le(cd, 0, 2);
    put_le(cd, 0, 4);
    put_le(cd, off, 4);
    cd.insert(cd.end(), f.name.begin(), f.name.end());
  }
  append(out, before_cd);
  std::uint64_t cd_off = out.size();
  append(out, cd);
  put_le(out, 0x06054b50, 4);
  put_le(out, 0, 2);
  put_le(out, 0, 2);
  put_le(out, files.size(), 2);
  put_le(out, files.size(), 2);
  put_le(out, cd.size(), 4);
  put_le(out, cd_off, 4);
  put_le(out, 0, 2);
  return out;
}

}  // namespace converge::delta::testing
