#pragma once
// The archive-aware method for ZIP packages (APK, HAP, IPA, JAR), after
// Android's archive-patcher. Both archives are turned into "inflated images":
// the archive bytes with each deflated entry's data replaced by its
// uncompressed content. The new image is produced by a cover diff against the
// old image; then every new entry whose compressed bytes zlib reproduces
// exactly (recorded level, strategy, memLevel) is deflated back, and entries
// that nothing reproduces stay compressed in the image as raw bytes.
//
// Body: varint old_count, old_count x (varint gap, varint csize, varint usize)
//       varint new_count, new_count x (varint gap, varint csize, varint usize,
//                                      byte level, byte strategy, byte mem_level)
//       then a cover body (cover.hpp) from the old image to the new image.
// Offsets are archive offsets, each given as the gap since the previous
// entry's data ended; entries are in increasing order and do not overlap.
#include <string>
#include <utility>
#include <vector>

#include "delta/format.hpp"
#include "delta/stream_codec.hpp"
#include "delta/zip.hpp"

namespace converge::delta {

struct zip_options {
  codec_options codecs{};  // codecs of the inner cover streams
  std::uint64_t max_image_size = std::uint64_t{1} << 32;
};

// Fails with not_zip when either input is not an archive this method handles.
result<bytes> make_zip_body(bytes_view old_data, bytes_view new_data, const zip_options& opts = {});

result<void> apply_zip_body(const input_source& old_file, const input_source& patch, std::uint64_t body_offset,
                            std::uint64_t body_size, output_sink& out, const apply_limits& limits);

result<std::vector<std::pair<std::string, std::string>>> describe_zip_body(const input_source& patch,
                                                                            std::uint64_t body_offset,
                                                                            std::uint64_t body_size);

}  // namespace converge::delta
