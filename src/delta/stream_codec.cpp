#include "delta/stream_codec.hpp"

#define ZSTD_STATIC_LINKING_ONLY
#include <lzma.h>
#include <zstd.h>

#include <algorithm>
#include <bit>
#include <cstdlib>

#include "base/varint.hpp"
#include "delta/zstd_stream.hpp"

namespace converge::delta {

std::string to_string(codec c) {
  switch (c) {
    case codec::stored: return "stored";
    case codec::zstd: return "zstd";
    case codec::lzma2: return "lzma2";
  }
  return "unknown(" + std::to_string(static_cast<int>(c)) + ")";
}

namespace {

// The smallest window (or dictionary) log that covers `n` bytes, within [lo, hi].
unsigned covering_log(std::size_t n, unsigned lo, unsigned hi) {
  unsigned l = n <= 1 ? 0 : static_cast<unsigned>(std::bit_width(n - 1));
  return std::clamp(l, lo, hi);
}

}  // namespace

result<coded_stream> encode_zstd(bytes_view src, stream_kind kind, const codec_options& opts) {
  // The diff stream is mostly zero runs with short islands: btultra2's optimal
  // parser prices those best. Long-distance matching finds repeats of islands
  // (relocated call sites) across the bounded window.
  zstd_params p{.level = opts.zstd_level,
                .window_log = covering_log(src.size(), 10, opts.max_window_log),
                .long_distance = src.size() > (std::size_t{1} << 20),
                .strategy = kind == stream_kind::diff ? static_cast<int>(ZSTD_btultra2) : 0};
  auto c = zstd_compress(src, p);
  if (!c) return fail(c.error());
  return coded_stream{codec::zstd, 0, std::move(*c)};
}

result<coded_stream> encode_lzma2(bytes_view src, unsigned lc, unsigned lp, unsigned pb, unsigned max_window_log) {
  lzma_options_lzma opt{};
  if (lzma_lzma_preset(&opt, 9 | LZMA_PRESET_EXTREME)) return fail(delta_errc::compression, "lzma preset 9e unsupported");
  opt.dict_size = std::uint32_t{1} << covering_log(src.size(), 12, max_window_log);
  opt.lc = lc;
  opt.lp = lp;
  opt.pb = pb;
  lzma_filter filters[2] = {{LZMA_FILTER_LZMA2, &opt}, {LZMA_VLI_UNKNOWN, nullptr}};
  coded_stream s{codec::lzma2, 0, {}};
  if (lzma_properties_encode(&filters[0], &s.props) != LZMA_OK)
    return fail(delta_errc::compression, "cannot encode LZMA2 properties");
  s.data.resize(lzma_stream_buffer_bound(src.size()) + 64);
  std::size_t out_pos = 0;
  lzma_ret r = lzma_raw_buffer_encode(filters, nullptr, src.data(), src.size(), s.data.data(), &out_pos, s.data.size());
  if (r != LZMA_OK) return fail(delta_errc::compression, "LZMA2 encoder failed (" + std::to_string(static_cast<int>(r)) + ")");
  s.data.resize(out_pos);
  return s;
}

result<coded_stream> encode_stream(bytes_view src, stream_kind kind, const codec_options& opts) {
  coded_stream best{codec::stored, 0, bytes(src.begin(), src.end())};
  if (src.empty()) return best;
  auto keep = [&](result<coded_stream> c) -> result<void> {
    if (!c) return fail(c.error());
    if (c->data.size() < best.data.size()) best = std::move(*c);
    return ok();
  };
  if (auto r = keep(encode_zstd(src, kind, opts)); !r) return fail(r.error());
  if (opts.try_lzma2) {
    // Literal contexts from the previous byte rarely help difference bytes or
    // varint records; they do help code and data in the extra stream.
    if (auto r = keep(encode_lzma2(src, 0, 0, 0, opts.max_window_log)); !r) return fail(r.error());
    if (kind != stream_kind::control)
      if (auto r = keep(encode_lzma2(src, 3, 0, 2, opts.max_window_log)); !r) return fail(r.error());
  }
  return best;
}

void append_stream_header(bytes& out, const coded_stream& s) {
  out.push_back(static_cast<std::uint8_t>(s.kind));
  if (s.kind == codec::lzma2) out.push_back(s.props);
  append_uvarint(out, s.data.size());
}

// ---- decoding ----

struct stream_reader::impl {
  impl(const input_source& s, std::uint64_t off, std::uint64_t size, codec k, std::uint8_t pr, unsigned w, std::string n)
      : src(s), pos(off), end(off + size), kind(k), props(pr), wlog(w), name(std::move(n)) {
    if (kind == codec::zstd) z = std::make_unique<zstd_reader>(src, off, size, wlog, name);
    if (size == 0) finished = true;  // an empty region is an empty stream
  }
  ~impl() {
    if (lzma_ready) lzma_end(&ls);
  }

  result<void> init_lzma() {
    lzma_filter f[2] = {{LZMA_FILTER_LZMA2, nullptr}, {LZMA_VLI_UNKNOWN, nullptr}};
    if (lzma_properties_decode(&f[0], nullptr, &props, 1) != LZMA_OK)
      return fail(delta_errc::unsupported, name + ": invalid LZMA2 properties byte " + std::to_string(props));
    auto* opt = static_cast<lzma_options_lzma*>(f[0].options);
    std::uint64_t dict = opt->dict_size;
    std::uint64_t mem = lzma_raw_decoder_memusage(f);
    const std::uint64_t bound = std::uint64_t{1} << wlog;
    if (dict > bound) {
      std::free(opt);
      return fail(delta_errc::too_large, name + ": LZMA2 dictionary of " + std::to_string(dict) +
                                             " bytes, over the limit 2^" + std::to_string(wlog));
    }
    // liblzma's raw decoder has no memlimit of its own; check its estimate.
    if (mem == UINT64_MAX || mem > bound + (std::uint64_t{1} << 20)) {
      std::free(opt);
      return fail(delta_errc::too_large, name + ": LZMA2 decoder needs " + std::to_string(mem) + " bytes");
    }
    lzma_ret r = lzma_raw_decoder(&ls, f);
    std::free(opt);  // the decoder copied what it needs
    if (r != LZMA_OK) return fail(delta_errc::compression, name + ": cannot start the LZMA2 decoder");
    lzma_ready = true;
    return ok();
  }

  result<void> refill() {
    in_buf.resize(static_cast<std::size_t>(std::min<std::uint64_t>(1 << 16, end - pos)));
    if (auto r = src.read_at(pos, in_buf); !r) return r;
    pos += in_buf.size();
    in_at = 0;
    return ok();
  }

  // Stored and LZMA2 streams: some decoded bytes, or 0 once the stream is complete.
  result<std::size_t> decode_some(std::span<std::uint8_t> out) {
    if (finished || out.empty()) return 0;
    if (kind == codec::stored) {
      auto n = static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), end - pos));
      if (auto r = src.read_at(pos, out.first(n)); !r) return fail(r.error());
      pos += n;
      if (pos == end) finished = true;
      return n;
    }
    if (!lzma_ready)
      if (auto r = init_lzma(); !r) return fail(r.error());
    for (;;) {
      if (in_at == in_buf.size() && pos < end)
        if (auto r = refill(); !r) return fail(r.error());
      ls.next_in = in_buf.data() + in_at;
      ls.avail_in = in_buf.size() - in_at;
      ls.next_out = out.data();
      ls.avail_out = out.size();
      lzma_ret r = lzma_code(&ls, LZMA_RUN);
      std::size_t used = in_buf.size() - in_at - ls.avail_in;
      std::size_t made = out.size() - ls.avail_out;
      in_at += used;
      if (r == LZMA_STREAM_END) {
        finished = true;
        return made;
      }
      if (r == LZMA_MEMLIMIT_ERROR || r == LZMA_MEM_ERROR)
        return fail(delta_errc::too_large, name + ": LZMA2 decoder memory limit");
      if (r != LZMA_OK && r != LZMA_BUF_ERROR) return fail(delta_errc::corrupt, name + ": LZMA2 data is corrupt");
      if (made != 0) return made;
      if (used == 0 && in_at == in_buf.size() && pos == end)
        return fail(delta_errc::truncated, name + ": LZMA2 stream ends before its end marker");
      if (used == 0 && r == LZMA_BUF_ERROR) return fail(delta_errc::corrupt, name + ": LZMA2 decoder makes no progress");
    }
  }

  const input_source& src;
  std::uint64_t pos, end;
  codec kind;
  std::uint8_t props;
  unsigned wlog;
  std::string name;
  std::unique_ptr<zstd_reader> z;
  lzma_stream ls = LZMA_STREAM_INIT;
  bool lzma_ready = false, finished = false;
  bytes in_buf;
  std::size_t in_at = 0;
  bytes small;  // decoded bytes not yet handed out (varint reads)
  std::size_t small_at = 0;
};

stream_reader::stream_reader(const input_source& src, std::uint64_t offset, std::uint64_t size, codec kind,
                             std::uint8_t props, unsigned window_log_max, std::string name)
    : p_(std::make_unique<impl>(src, offset, size, kind, props, window_log_max, std::move(name))) {}

stream_reader::~stream_reader() = default;

result<void> stream_reader::read(std::span<std::uint8_t> out) {
  if (p_->z) return p_->z->read(out);
  std::size_t done = 0;
  if (p_->small_at < p_->small.size()) {
    done = std::min(out.size(), p_->small.size() - p_->small_at);
    std::copy_n(p_->small.begin() + static_cast<std::ptrdiff_t>(p_->small_at), done, out.begin());
    p_->small_at += done;
  }
  while (done < out.size()) {
    auto n = p_->decode_some(out.subspan(done));
    if (!n) return fail(n.error());
    if (*n == 0) return fail(delta_errc::corrupt, p_->name + ": stream is shorter than the control data needs");
    done += *n;
  }
  return ok();
}

result<std::uint64_t> stream_reader::uvarint() {
  if (p_->z) return p_->z->uvarint();
  std::uint64_t v = 0;
  for (unsigned i = 0; i < max_varint_bytes; ++i) {
    if (p_->small_at == p_->small.size()) {
      p_->small.resize(4096);
      p_->small_at = 0;
      auto n = p_->decode_some(p_->small);
      if (!n) return fail(n.error());
      p_->small.resize(*n);
      if (*n == 0) return fail(delta_errc::corrupt, p_->name + ": stream ends inside the control data");
    }
    std::uint8_t b = p_->small[p_->small_at++];
    v |= std::uint64_t{b & 0x7fu} << (7 * i);
    if ((b & 0x80) == 0) {
      if (b == 0 && i > 0) return fail(delta_errc::corrupt, p_->name + ": varint not minimally encoded");
      return v;
    }
  }
  return fail(delta_errc::corrupt, p_->name + ": varint longer than 9 bytes");
}

result<void> stream_reader::expect_end() {
  if (p_->z) return p_->z->expect_end();
  if (p_->small_at != p_->small.size())
    return fail(delta_errc::corrupt, p_->name + ": stream has data past what the patch uses");
  std::uint8_t probe = 0;
  auto n = p_->decode_some({&probe, 1});
  if (!n) return fail(n.error());
  if (*n != 0) return fail(delta_errc::corrupt, p_->name + ": stream has data past what the patch uses");
  if (p_->in_at != p_->in_buf.size() || p_->pos != p_->end)
    return fail(delta_errc::corrupt, p_->name + ": bytes after the end of the LZMA2 stream");
  return ok();
}

}  // namespace converge::delta
