#pragma once
// The patch container (docs/DELTA_FORMAT.md): a fixed magic, the method, the
// sizes and sha256 of the old and new files, then one method-specific body
// that runs to the end of the patch. Integers are unsigned LEB128 varints.
#include <array>
#include <cstdint>
#include <string>

#include "delta/io.hpp"

namespace converge::delta {

inline constexpr std::array<std::uint8_t, 8> patch_magic{'C', 'V', 'D', 'E', 'L', 'T', 'A', 0x02};

enum class method : std::uint8_t {
  cover = 1,        // suffix-array cover lines; control/diff/extra streams each zstd or LZMA2
  zstd_prefix = 2,  // one zstd frame with the old file as prefix (--patch-from)
  zip = 3,          // archive-aware: cover diff of the inflated archives + deflate recipes
};
std::string to_string(method m);

struct patch_header {
  method kind = method::cover;
  std::uint64_t old_size = 0;
  std::uint64_t new_size = 0;
  digest old_sha256{};
  digest new_sha256{};
  std::uint64_t body_offset = 0;  // where the body starts in the patch
  std::uint64_t body_size = 0;    // it runs to the end of the patch
};

// Bounds the applier enforces before it allocates or writes anything.
struct apply_limits {
  std::uint64_t max_new_size = std::uint64_t{1} << 36;
  std::uint64_t max_scratch_size = std::uint64_t{1} << 36;  // inflated old archive (zip method)
  // Largest zstd window or LZMA2 dictionary a cover stream may ask for: the
  // decoder memory bound, per stream (three streams).
  unsigned max_stream_window_log = 23;
  // Largest window the zstd-prefix method may use (it must span old + new).
  unsigned max_prefix_window_log = 31;
  // Where the zip method puts the inflated old archive; empty = memory.
  std::string scratch_dir;
};

bytes encode_header(const patch_header& h);
// Parses and bounds-checks the header; body_size is what follows it in `patch`.
result<patch_header> parse_header(const input_source& patch);

// Sequential reads over [offset, offset + size) of a source, buffered.
class region_reader {
 public:
  region_reader(const input_source& src, std::uint64_t offset, std::uint64_t size)
      : src_(src), pos_(offset), end_(offset + size) {}
  result<std::uint64_t> uvarint(std::string_view what);
  result<void> read(std::span<std::uint8_t> out, std::string_view what);
  result<std::uint8_t> byte(std::string_view what);
  [[nodiscard]] std::uint64_t position() const { return pos_ - (buf_.size() - at_); }
  [[nodiscard]] std::uint64_t remaining() const { return end_ - position(); }

 private:
  result<void> fill(std::string_view what);
  const input_source& src_;
  std::uint64_t pos_, end_;
  bytes buf_;
  std::size_t at_ = 0;
};

std::uint64_t zigzag_encode(std::int64_t v);
std::int64_t zigzag_decode(std::uint64_t v);

}  // namespace converge::delta
