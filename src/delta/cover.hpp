#pragma once
// The suffix-array method (bsdiff class). The new file is described as cover
// lines over the old file: runs where new = old + a small difference (mostly
// zero bytes), separated by runs of new bytes. Three streams carry it, each one
// zstd frame: control records, difference bytes and extra (new) bytes.
//
// Body: varint ctrl_len, varint diff_len, varint extra_len, then the three
// compressed frames in that order (a zero length is an empty stream).
// Control record: varint zigzag(seek), varint add_len, varint extra_len:
// move the old cursor by seek, emit add_len bytes old[i] + diff[i], then
// extra_len bytes from the extra stream. add_len + extra_len > 0 always.
#include <cstdint>

#include "delta/format.hpp"

namespace converge::delta {

struct cover_options {
  int level = 19;                // zstd level of the three streams
  unsigned stream_window_log = 23;  // at most apply_limits::max_stream_window_log
};

// Memory: about 5 bytes per old byte (suffix array) plus 3 per new byte.
result<bytes> make_cover_body(bytes_view old_data, bytes_view new_data, const cover_options& opts = {});

// Streams the rebuilt new file into `out`: old bytes are read with read_at,
// streams are decoded incrementally, so memory stays at the zstd windows plus
// small buffers whatever the file sizes.
result<void> apply_cover_body(const input_source& old_file, const input_source& patch, std::uint64_t body_offset,
                              std::uint64_t body_size, std::uint64_t new_size, byte_sink& out,
                              const apply_limits& limits);

}  // namespace converge::delta
