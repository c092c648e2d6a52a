#include "delta/zstd_stream.hpp"

#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>
#include <zstd_errors.h>

#include <algorithm>

namespace converge::delta {

namespace {
ZSTD_DCtx* dctx_of(void* p) { return static_cast<ZSTD_DCtx*>(p); }

result<void> check(std::size_t code, std::string_view what) {
  if (ZSTD_isError(code)) return fail(delta_errc::compression, std::string(what) + ": " + ZSTD_getErrorName(code));
  return ok();
}
}  // namespace

result<bytes> zstd_compress(bytes_view src, const zstd_params& params, bytes_view prefix) {
  std::unique_ptr<ZSTD_CCtx, decltype(&ZSTD_freeCCtx)> cctx(ZSTD_createCCtx(), &ZSTD_freeCCtx);
  if (!cctx) return fail(delta_errc::compression, "ZSTD_createCCtx failed");
  auto* c = cctx.get();
  if (auto r = check(ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, params.level), "level"); !r) return fail(r.error());
  if (params.window_log != 0)
    if (auto r = check(ZSTD_CCtx_setParameter(c, ZSTD_c_windowLog, static_cast<int>(params.window_log)), "windowLog"); !r)
      return fail(r.error());
  if (params.long_distance)
    if (auto r = check(ZSTD_CCtx_setParameter(c, ZSTD_c_enableLongDistanceMatching, 1), "ldm"); !r) return fail(r.error());
  if (params.strategy != 0)
    if (auto r = check(ZSTD_CCtx_setParameter(c, ZSTD_c_strategy, params.strategy), "strategy"); !r) return fail(r.error());
  if (auto r = check(ZSTD_CCtx_setParameter(c, ZSTD_c_contentSizeFlag, 1), "contentSize"); !r) return fail(r.error());
  if (!prefix.empty())
    if (auto r = check(ZSTD_CCtx_refPrefix(c, prefix.data(), prefix.size()), "refPrefix"); !r) return fail(r.error());
  bytes out(ZSTD_compressBound(src.size()));
  std::size_t n = ZSTD_compress2(c, out.data(), out.size(), src.data(), src.size());
  if (auto r = check(n, "compress"); !r) return fail(r.error());
  out.resize(n);
  return out;
}

zstd_reader::zstd_reader(const input_source& src, std::uint64_t offset, std::uint64_t size, unsigned window_log_max,
                         std::string name)
    : src_(src), pos_(offset), end_(offset + size), name_(std::move(name)), window_log_max_(window_log_max) {
  if (size == 0) last_ret_ = 0;  // an empty region is an empty stream
}

zstd_reader::~zstd_reader() {
  if (dctx_ != nullptr) ZSTD_freeDCtx(dctx_of(dctx_));
}

result<std::size_t> zstd_reader::decode_some(std::span<std::uint8_t> out) {
  if (dctx_ == nullptr) {
    dctx_ = ZSTD_createDCtx();
    if (dctx_ == nullptr) return fail(delta_errc::compression, "ZSTD_createDCtx failed");
    if (auto r = check(ZSTD_DCtx_setParameter(dctx_of(dctx_), ZSTD_d_windowLogMax, static_cast<int>(window_log_max_)), name_); !r)
      return fail(r.error());
  }
  if (out.empty()) return 0;
  for (int stalls = 0;;) {
    if (last_ret_ == 0) return 0;  // frame complete: it produces nothing more
    if (in_at_ == in_buf_.size() && pos_ < end_) {
      in_buf_.resize(static_cast<std::size_t>(std::min<std::uint64_t>(1 << 16, end_ - pos_)));
      if (auto r = src_.read_at(pos_, in_buf_); !r) return fail(r.error());
      pos_ += in_buf_.size();
      in_at_ = 0;
    }
    ZSTD_inBuffer in{in_buf_.data(), in_buf_.size(), in_at_};
    ZSTD_outBuffer o{out.data(), out.size(), 0};
    std::size_t ret = ZSTD_decompressStream(dctx_of(dctx_), &o, &in);
    if (ZSTD_isError(ret)) {
      if (ZSTD_getErrorCode(ret) == ZSTD_error_frameParameter_windowTooLarge)
        return fail(delta_errc::too_large, name_ + ": stream needs a zstd window over 2^" + std::to_string(window_log_max_));
      return fail(delta_errc::corrupt, name_ + ": " + ZSTD_getErrorName(ret));
    }
    bool progressed = in.pos != in_at_ || o.pos != 0;
    in_at_ = in.pos;
    last_ret_ = ret;
    if (o.pos != 0) return o.pos;
    if (ret == 0) return 0;
    if (!progressed) {
      if (in_at_ == in_buf_.size() && pos_ >= end_)
        return fail(delta_errc::truncated, name_ + ": compressed stream ends inside its frame");
      if (++stalls > 2) return fail(delta_errc::corrupt, name_ + ": zstd decoder makes no progress");
    }
  }
}

result<void> zstd_reader::read(std::span<std::uint8_t> out) {
  std::size_t done = 0;
  if (small_at_ < small_.size()) {
    done = std::min(out.size(), small_.size() - small_at_);
    std::copy_n(small_.begin() + static_cast<std::ptrdiff_t>(small_at_), done, out.begin());
    small_at_ += done;
  }
  while (done < out.size()) {
    auto n = decode_some(out.subspan(done));
    if (!n) return fail(n.error());
    if (*n == 0) return fail(delta_errc::corrupt, name_ + ": stream is shorter than the control data needs");
    done += *n;
  }
  return ok();
}

result<std::uint64_t> zstd_reader::uvarint() {
  std::uint64_t v = 0;
  for (unsigned i = 0; i < 9; ++i) {
    if (small_at_ == small_.size()) {
      small_.resize(4096);
      small_at_ = 0;
      auto n = decode_some(small_);
      if (!n) return fail(n.error());
      small_.resize(*n);
      if (*n == 0) return fail(delta_errc::corrupt, name_ + ": stream ends inside the control data");
    }
    std::uint8_t b = small_[small_at_++];
    v |= std::uint64_t{b & 0x7fu} << (7 * i);
    if ((b & 0x80) == 0) {
      if (b == 0 && i > 0) return fail(delta_errc::corrupt, name_ + ": varint not minimally encoded");
      return v;
    }
  }
  return fail(delta_errc::corrupt, name_ + ": varint longer than 9 bytes");
}

result<void> zstd_reader::expect_end() {
  if (small_at_ != small_.size()) return fail(delta_errc::corrupt, name_ + ": stream has data past what the patch uses");
  std::uint8_t probe = 0;
  auto n = decode_some({&probe, 1});
  if (!n) return fail(n.error());
  if (*n != 0) return fail(delta_errc::corrupt, name_ + ": stream has data past what the patch uses");
  if (in_at_ != in_buf_.size() || pos_ != end_)
    return fail(delta_errc::corrupt, name_ + ": bytes after the end of the zstd frame");
  return ok();
}

}  // namespace converge::delta
