#include "delta/prefix.hpp"

#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>
#include <zstd_errors.h>

#include <algorithm>
#include <bit>
#include <memory>

#include "delta/zstd_stream.hpp"

namespace converge::delta {

namespace {
// Input is fed to the decoder in small slices so that one call cannot produce
// more than a few blocks: the resident output between page releases stays small.
constexpr std::size_t feed_slice = 512;
constexpr std::uint64_t release_every = std::uint64_t{1} << 20;
}  // namespace

unsigned window_log_for(std::uint64_t n) {
  unsigned w = n <= 1 ? 0 : static_cast<unsigned>(std::bit_width(n - 1));
  return std::max(w, 10u);
}

result<bytes> make_prefix_body(bytes_view old, bytes_view neu, int level) {
  unsigned wlog = std::min(window_log_for(old.size() + neu.size()), unsigned{ZSTD_WINDOWLOG_MAX_64});
  return zstd_compress(neu, {.level = level, .window_log = wlog, .long_distance = true}, old);
}

result<void> apply_prefix_body(const input_source& old_file, const input_source& patch, std::uint64_t body_offset,
                               std::uint64_t body_size, output_sink& out, const apply_limits& limits) {
  const std::uint64_t new_size = out.declared_size();
  unsigned need = window_log_for(old_file.size() + new_size);
  if (need > limits.max_prefix_window_log)
    return fail(delta_errc::too_large, "old + new need a zstd window of 2^" + std::to_string(need) + ", over the limit 2^" +
                                           std::to_string(limits.max_prefix_window_log));
  std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> dctx(ZSTD_createDCtx(), &ZSTD_freeDCtx);
  if (!dctx) return fail(delta_errc::compression, "ZSTD_createDCtx failed");
  auto old_view = old_file.map();
  if (!old_view) return fail(old_view.error());
  auto dst = out.map_all();
  if (!dst) return fail(dst.error());
  auto* d = dctx.get();
  if (ZSTD_isError(ZSTD_DCtx_setParameter(d, ZSTD_d_windowLogMax, static_cast<int>(std::max(need, 10u)))) ||
      ZSTD_isError(ZSTD_DCtx_setParameter(d, ZSTD_d_stableOutBuffer, 1)))
    return fail(delta_errc::compression, "cannot configure the zstd decoder");
  if (!old_view->empty() && ZSTD_isError(ZSTD_DCtx_refPrefix(d, old_view->data(), old_view->size())))
    return fail(delta_errc::compression, "cannot reference the old file as prefix");

  ZSTD_outBuffer o{dst->data(), dst->size(), 0};
  bytes buf;
  std::uint64_t pos = body_offset, end = body_offset + body_size, last_release = 0;
  std::size_t at = 0, ret = 1;
  int stalls = 0;
  while (ret != 0) {
    if (at == buf.size()) {
      if (pos == end) return fail(delta_errc::truncated, "zstd frame ends early");
      buf.resize(static_cast<std::size_t>(std::min<std::uint64_t>(1 << 16, end - pos)));
      if (auto r = patch.read_at(pos, buf); !r) return r;
      pos += buf.size();
      at = 0;
    }
    std::size_t before_out = o.pos;
    ZSTD_inBuffer in{buf.data(), std::min(buf.size(), at + feed_slice), at};
    ret = ZSTD_decompressStream(d, &o, &in);
    if (ZSTD_isError(ret)) {
      if (ZSTD_getErrorCode(ret) == ZSTD_error_dstSize_tooSmall)
        return fail(delta_errc::corrupt, "zstd frame produces more than the declared new size");
      return fail(delta_errc::corrupt, std::string("zstd frame: ") + ZSTD_getErrorName(ret));
    }
    if (in.pos == at && o.pos == before_out) {
      if (++stalls > 4) return fail(delta_errc::corrupt, "zstd decoder makes no progress");
    } else {
      stalls = 0;
    }
    at = in.pos;
    if (auto r = out.advance_mapped(o.pos); !r) return r;
    if (o.pos - last_release >= release_every) {
      old_file.drop_mapped_pages();
      last_release = o.pos;
    }
  }
  if (at != buf.size() || pos != end) return fail(delta_errc::corrupt, "bytes after the zstd frame");
  if (o.pos != new_size)
    return fail(delta_errc::corrupt, "zstd frame produced " + std::to_string(o.pos) + " bytes, the patch declares " +
                                         std::to_string(new_size));
  old_file.drop_mapped_pages();
  return ok();
}

}  // namespace converge::delta
