#pragma once
// The cover method's difference bytes (new - old, mostly zero) coded with a
// small context-mixing model and a binary arithmetic coder instead of zstd.
// The decoder knows the old file, so the model conditions on the old bytes
// at and before each position: in executables the differences cluster after
// particular opcodes (relative call and jump operands), which a general
// compressor, seeing only the difference stream, cannot know.
//
// Per byte: a "non-zero?" bit from three context models (old byte and the
// previous differences' zero pattern; plus the previous old byte; plus a
// hash of two previous old bytes and the distance to the last non-zero
// difference), mixed by a logistic mixer; a non-zero byte's 8 bits from two
// models (previous difference; plus the old byte), mixed likewise. All
// arithmetic is integer, so encoder and decoder agree on every platform.
// Memory: about 7 MiB of tables on each side.
#include <cstdint>
#include <memory>

#include "delta/format.hpp"

namespace converge::delta {

class diff_model;

// Old-file context of one difference byte: old[p], old[p-1], old[p-2] (0 before the start).
struct old_context {
  std::uint8_t o0 = 0, o1 = 0, o2 = 0;
};

class diff_encoder {
 public:
  diff_encoder();
  ~diff_encoder();
  void put(std::uint8_t diff, old_context ctx);
  // Flushes the coder and returns the coded stream.
  bytes finish();

 private:
  void code(int bit, int p1);
  std::unique_ptr<diff_model> m_;
  bytes out_;
  std::uint32_t x1_ = 0, x2_ = 0xffffffff;
};

// Decodes from [offset, offset + size) of a source; reading past the stream's
// end fails, and expect_end() checks that every coded byte was consumed.
class diff_decoder {
 public:
  diff_decoder(const input_source& src, std::uint64_t offset, std::uint64_t size);
  ~diff_decoder();
  result<std::uint8_t> get(old_context ctx);
  result<void> expect_end() const;

 private:
  result<int> code(int p1);
  result<std::uint8_t> next_byte();
  std::unique_ptr<diff_model> m_;
  const input_source& src_;
  std::uint64_t pos_, end_;
  bytes buf_;
  std::size_t at_ = 0;
  std::uint32_t x1_ = 0, x2_ = 0xffffffff, x_ = 0;
  bool started_ = false;
};

}  // namespace converge::delta
