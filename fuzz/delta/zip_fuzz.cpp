// Parses arbitrary bytes as a ZIP archive; every entry the parser accepts must
// lie inside the input and not overlap another, and inflating it is bounded.
#include <cstdlib>

#include "delta/deflate.hpp"
#include "delta/zip.hpp"

using namespace converge;
using namespace converge::delta;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  bytes_view in(data, size);
  auto z = parse_zip(in, {.max_entries = 1024});
  if (!z) return 0;
  for (const auto& e : z->entries) {
    if (e.data_offset > size || e.compressed_size > size - e.data_offset) std::abort();
    if (e.data_offset + e.compressed_size > z->central_directory_offset) std::abort();
    if (e.compression == 8)
      (void)inflate_raw(in.subspan(static_cast<std::size_t>(e.data_offset), static_cast<std::size_t>(e.compressed_size)),
                        std::min<std::uint64_t>(e.uncompressed_size, 1 << 20));
  }
  return 0;
}
