#pragma once
// The library codecs of the cover method's three streams (control, diff,
// extra). Each stream is compressed by every codec the maker tries and the
// smallest result is kept; the patch records the codec per stream, so the
// applier never guesses. No entropy coding is done here: zstd (libzstd) and
// raw LZMA2 (liblzma) do all of it.
//
// On the wire a stream is: byte codec, [byte lzma2_props when codec = lzma2],
// varint length, and later `length` bytes of coded data.
//   codec 0 = stored (the bytes as is; also the empty stream)
//   codec 1 = one zstd frame, windowLog <= the applier's bound
//   codec 2 = raw LZMA2 (no .xz container) ending in its end marker; the
//             props byte is LZMA2's dictionary-size byte (liblzma's
//             lzma_properties_encode), the dictionary <= the applier's bound
#include <cstdint>
#include <memory>
#include <string>

#include "delta/format.hpp"

namespace converge::delta {

enum class codec : std::uint8_t { stored = 0, zstd = 1, lzma2 = 2 };
std::string to_string(codec c);

// Which stream is being coded: the candidates tried differ per kind.
enum class stream_kind { control, diff, extra };

struct codec_options {
  int zstd_level = 22;           // ultra levels (btultra2)
  unsigned max_window_log = 23;  // zstd window and LZMA2 dictionary, at most apply_limits::max_stream_window_log
  bool try_lzma2 = true;
};

struct coded_stream {
  codec kind = codec::stored;
  std::uint8_t props = 0;  // LZMA2 dictionary-size byte; 0 otherwise
  bytes data;
};

// Compresses `src` with each candidate and keeps the smallest (stored when nothing is smaller).
result<coded_stream> encode_stream(bytes_view src, stream_kind kind, const codec_options& opts = {});

// Single candidates, for tests: zstd with the tuned parameters, raw LZMA2 with lc/lp/pb.
result<coded_stream> encode_zstd(bytes_view src, stream_kind kind, const codec_options& opts);
result<coded_stream> encode_lzma2(bytes_view src, unsigned lc, unsigned lp, unsigned pb, unsigned max_window_log);

// Appends the stream's header (codec, props, length) to `out`.
void append_stream_header(bytes& out, const coded_stream& s);

// Incremental decoding of one coded stream stored in [offset, offset + size)
// of `src`. The decoder's memory is bounded by 2^window_log_max (zstd window
// or LZMA2 dictionary); a stream that declares more fails with too_large
// before anything is allocated for it.
class stream_reader {
 public:
  stream_reader(const input_source& src, std::uint64_t offset, std::uint64_t size, codec kind, std::uint8_t props,
                unsigned window_log_max, std::string name);
  ~stream_reader();
  stream_reader(const stream_reader&) = delete;
  stream_reader& operator=(const stream_reader&) = delete;

  // Fills `out` completely or fails: the stream may not end early.
  result<void> read(std::span<std::uint8_t> out);
  result<std::uint64_t> uvarint();
  // Succeeds only when the stream is complete, nothing decoded is left over
  // and every coded byte of the region was consumed.
  result<void> expect_end();

 private:
  struct impl;
  std::unique_ptr<impl> p_;
};

}  // namespace converge::delta
