#pragma once
// Byte containers and helpers shared by every module.
#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"

namespace converge {

using bytes = std::vector<std::uint8_t>;
using bytes_view = std::span<const std::uint8_t>;

inline bytes_view as_bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
inline std::string_view as_chars(bytes_view b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}
inline bytes to_bytes(std::string_view s) { auto v = as_bytes(s); return {v.begin(), v.end()}; }
inline bytes to_bytes(bytes_view v) { return {v.begin(), v.end()}; }

// Lower-case hex.
std::string to_hex(bytes_view b);
// Accepts upper and lower case; fails on odd length or a non-hex character.
result<bytes> from_hex(std::string_view hex);

inline void append(bytes& out, bytes_view more) { out.insert(out.end(), more.begin(), more.end()); }

template <class... V>
bytes concat(const V&... parts) {
  bytes out;
  out.reserve((bytes_view(parts).size() + ... + 0));
  (append(out, bytes_view(parts)), ...);
  return out;
}

inline bool equal(bytes_view a, bytes_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

// Reads a whole file; writes a file atomically (temp file, fsync, rename) with the given mode.
result<bytes> read_file(const std::string& path);
result<void> write_file_atomic(const std::string& path, bytes_view data, unsigned mode = 0644);

}  // namespace converge
