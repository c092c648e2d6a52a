#pragma once
// The suffix-array method (bsdiff class). The new file is described as cover
// lines over the old file: runs where new = old + a small difference (mostly
// zero bytes), separated by runs of new bytes. Three streams carry it, each
// compressed by a library codec chosen per stream (stream_codec.hpp):
// control records, difference bytes and extra (new) bytes.
//
// Body: three stream headers (byte codec, [byte lzma2 props], varint length)
// for control, diff and extra, then the three coded streams in that order.
// Control record: varint zigzag(seek), varint add_len, varint extra_len:
// move the old cursor by seek, emit add_len bytes old[i] + diff[i], then
// extra_len bytes from the extra stream. add_len + extra_len > 0 always.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "delta/format.hpp"
#include "delta/stream_codec.hpp"

namespace converge::delta {

struct cover_options {
  codec_options codecs{};  // codecs tried per stream; their window/dictionary bound
};

// Where each stream of a cover body lies in the patch, and how it is coded.
struct cover_layout {
  struct stream {
    codec kind = codec::stored;
    std::uint8_t props = 0;
    std::uint64_t offset = 0, size = 0;
  };
  stream ctrl, diff, extra;
};
// Parses the stream headers and checks that the streams fill the body exactly.
result<cover_layout> parse_cover_layout(const input_source& patch, std::uint64_t body_offset, std::uint64_t body_size);
// "control stream" -> "123 bytes, lzma2", for `converge delta info`.
result<std::vector<std::pair<std::string, std::string>>> describe_cover_body(const input_source& patch,
                                                                             std::uint64_t body_offset,
                                                                             std::uint64_t body_size);

// Memory: about 5 bytes per old byte (suffix array) plus 3 per new byte.
result<bytes> make_cover_body(bytes_view old_data, bytes_view new_data, const cover_options& opts = {});

// Streams the rebuilt new file into `out`: old bytes are read with read_at,
// streams are decoded incrementally, so memory stays at the zstd windows plus
// small buffers whatever the file sizes.
result<void> apply_cover_body(const input_source& old_file, const input_source& patch, std::uint64_t body_offset,
                              std::uint64_t body_size, std::uint64_t new_size, byte_sink& out,
                              const apply_limits& limits);

}  // namespace converge::delta
