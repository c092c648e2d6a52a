#pragma once
// A strict ZIP reader (PKWARE APPNOTE 6.3): the end of central directory
// record (and its zip64 form), the central directory, and each entry's local
// header, with every offset and length checked against the archive and
// entries that overlap one another refused. It reads structure only; entry
// data stays where it is.
#include <cstdint>
#include <string>
#include <vector>

#include "base/bytes.hpp"
#include "delta/error.hpp"

namespace converge::delta {

struct zip_entry {
  std::string name;
  std::uint16_t flags = 0;
  std::uint16_t compression = 0;  // 0 stored, 8 deflate, others passed through untouched
  std::uint32_t crc32 = 0;
  std::uint64_t compressed_size = 0;
  std::uint64_t uncompressed_size = 0;
  std::uint64_t local_header_offset = 0;
  std::uint64_t data_offset = 0;  // first byte of the entry's data
  [[nodiscard]] bool encrypted() const { return (flags & 1u) != 0; }
};

struct zip_archive {
  std::vector<zip_entry> entries;  // in central-directory order
  std::uint64_t central_directory_offset = 0;
  std::uint64_t central_directory_size = 0;
  bool zip64 = false;
};

struct zip_limits {
  std::size_t max_entries = 1u << 18;
};

result<zip_archive> parse_zip(bytes_view data, const zip_limits& limits = {});

// A cheap test before trying the archive-aware method: a local header first.
bool looks_like_zip(bytes_view data);

}  // namespace converge::delta
