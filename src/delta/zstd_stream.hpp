#pragma once
// zstd on both sides of a patch: one-shot compression of a stream with chosen
// parameters, and incremental decompression of one frame stored in a region
// of the patch, with the decoder's window (its memory) bounded by the caller.
#include <cstdint>
#include <memory>
#include <string_view>

#include "delta/format.hpp"

namespace converge::delta {

struct zstd_params {
  int level = 19;
  unsigned window_log = 0;  // 0: the level's default
  bool long_distance = false;
  int strategy = 0;  // ZSTD_strategy; 0: the level's default
};

// One zstd frame with the content size recorded. A non-empty `prefix` is
// referenced as history (the decoder must supply the same prefix).
result<bytes> zstd_compress(bytes_view src, const zstd_params& params, bytes_view prefix = {});

// Decodes exactly one frame from [offset, offset + size) of `src`.
class zstd_reader {
 public:
  zstd_reader(const input_source& src, std::uint64_t offset, std::uint64_t size, unsigned window_log_max,
              std::string name);
  ~zstd_reader();
  zstd_reader(const zstd_reader&) = delete;
  zstd_reader& operator=(const zstd_reader&) = delete;

  // Fills `out` completely or fails: the stream may not end early.
  result<void> read(std::span<std::uint8_t> out);
  result<std::uint64_t> uvarint();
  // Succeeds only when the frame is complete, produced nothing more and every
  // compressed byte of the region was consumed.
  result<void> expect_end();

 private:
  result<std::size_t> decode_some(std::span<std::uint8_t> out);
  const input_source& src_;
  std::uint64_t pos_, end_;
  std::string name_;
  void* dctx_ = nullptr;
  bytes in_buf_;
  std::size_t in_at_ = 0;
  std::size_t last_ret_ = 1;  // 0 once the frame is complete
  bytes small_;               // decoded bytes not yet handed out (varint reads)
  std::size_t small_at_ = 0;
  unsigned window_log_max_;
};

}  // namespace converge::delta
