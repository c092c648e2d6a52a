#pragma once
// zlib raw deflate as the archive-aware method needs it: bounded inflation of
// one entry, a search for the zlib parameters that reproduce an entry's
// compressed bytes exactly, and a streaming re-deflater for the applier.
#include <cstdint>
#include <memory>
#include <optional>

#include "delta/io.hpp"

namespace converge::delta {

// The parameters archive-patcher records: level 1-9, strategy (0 default,
// 1 filtered), memLevel; windowBits is always 15 (raw, -15 for zlib).
struct deflate_params {
  std::uint8_t level = 6;
  std::uint8_t strategy = 0;
  std::uint8_t mem_level = 8;
  friend bool operator==(const deflate_params&, const deflate_params&) = default;
};
bool valid(const deflate_params& p);

// Inflates exactly `compressed` (which must end the deflate stream) into at
// most `max_out` bytes; fails on anything else.
result<bytes> inflate_raw(bytes_view compressed, std::uint64_t max_out);

// The first parameters (trying `hint` first) under which zlib deflates
// `plain` to exactly `compressed`, or nothing.
std::optional<deflate_params> find_deflate_params(bytes_view plain, bytes_view compressed,
                                                  const std::optional<deflate_params>& hint);

// Incremental raw inflate reading from a source region (the applier's old archive).
result<void> inflate_region(const input_source& src, std::uint64_t offset, std::uint64_t compressed_size,
                            std::uint64_t expected_size, byte_sink& out);

// Incremental raw deflate into a sink, counting what it produced.
class deflater {
 public:
  explicit deflater(const deflate_params& p);
  ~deflater();
  deflater(const deflater&) = delete;
  deflater& operator=(const deflater&) = delete;
  result<void> init();
  result<void> write(bytes_view plain, byte_sink& out);
  result<void> finish(byte_sink& out);
  [[nodiscard]] std::uint64_t produced() const { return produced_; }

 private:
  result<void> run(bytes_view plain, int flush, byte_sink& out);
  deflate_params params_;
  struct state;
  std::unique_ptr<state> st_;
  std::uint64_t produced_ = 0;
};

}  // namespace converge::delta
