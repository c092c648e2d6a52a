// Streaming apply of a cover body: three zstd readers over the patch, old
// bytes fetched with read_at in small chunks, output handed to the sink in
// chunks. Every control value is checked against the old size, the declared
// new size and the streams before a byte is produced.
#include <algorithm>

#include "base/varint.hpp"
#include "delta/cover.hpp"
#include "delta/diff_coder.hpp"
#include "delta/zstd_stream.hpp"

namespace converge::delta {

namespace {
constexpr std::size_t chunk = 1 << 16;
}

result<void> apply_cover_body(const input_source& old_file, const input_source& patch, std::uint64_t body_offset,
                              std::uint64_t body_size, std::uint64_t new_size, byte_sink& out,
                              const apply_limits& limits) {
  region_reader head(patch, body_offset, body_size);
  std::uint64_t len[3];
  for (auto& l : len) {
    auto v = head.uvarint("cover stream lengths");
    if (!v) return fail(v.error());
    l = *v;
  }
  std::uint64_t at = head.position();
  std::uint64_t left = body_offset + body_size - at;
  if (len[0] > left || len[1] > left - len[0] || len[2] > left - len[0] - len[1])
    return fail(delta_errc::truncated, "cover streams declare " + std::to_string(len[0] + len[1] + len[2]) +
                                           " bytes, the patch has " + std::to_string(left));
  if (len[0] + len[1] + len[2] != left) return fail(delta_errc::corrupt, "bytes after the cover streams");
  const unsigned wlog = limits.max_stream_window_log;
  zstd_reader ctrl(patch, at, len[0], wlog, "control stream");
  diff_decoder diff(patch, at + len[0], len[1]);
  zstd_reader extra(patch, at + len[0] + len[1], len[2], wlog, "extra stream");

  const std::uint64_t old_size = old_file.size();
  bytes old_buf(chunk + 2), diff_buf(chunk);
  std::uint64_t old_pos = 0, done = 0;
  while (done < new_size) {
    auto seek = ctrl.uvarint();
    if (!seek) return fail(seek.error());
    auto add = ctrl.uvarint();
    if (!add) return fail(add.error());
    auto ext = ctrl.uvarint();
    if (!ext) return fail(ext.error());
    std::int64_t delta = zigzag_decode(*seek);
    if ((delta < 0 && static_cast<std::uint64_t>(-(delta + 1)) >= old_pos) ||
        (delta > 0 && static_cast<std::uint64_t>(delta) > old_size - old_pos))
      return fail(delta_errc::corrupt, "control record seeks outside the old file");
    old_pos = static_cast<std::uint64_t>(static_cast<std::int64_t>(old_pos) + delta);
    if (*add == 0 && *ext == 0) return fail(delta_errc::corrupt, "control record makes no progress");
    if (*add > new_size - done || *ext > new_size - done - *add)
      return fail(delta_errc::corrupt, "control record runs past the declared new size " + std::to_string(new_size));
    if (*add > old_size - old_pos) return fail(delta_errc::corrupt, "control record reads past the end of the old file");
    for (std::uint64_t n = *add; n > 0;) {
      // Two bytes before the chunk give the diff model its old-file context.
      auto back = static_cast<std::size_t>(std::min<std::uint64_t>(old_pos, 2));
      auto step = static_cast<std::size_t>(std::min<std::uint64_t>(n, chunk));
      if (auto r = old_file.read_at(old_pos - back, {old_buf.data(), step + back}); !r) return r;
      const std::uint8_t* o = old_buf.data() + back;
      for (std::size_t i = 0; i < step; ++i) {
        std::size_t p = back + i;  // index of old[old_pos + i] in old_buf
        old_context c{o[i], p >= 1 ? old_buf[p - 1] : std::uint8_t{0}, p >= 2 ? old_buf[p - 2] : std::uint8_t{0}};
        auto d = diff.get(c);
        if (!d) return fail(d.error());
        diff_buf[i] = static_cast<std::uint8_t>(*d + o[i]);
      }
      if (auto r = out.write({diff_buf.data(), step}); !r) return r;
      old_pos += step;
      n -= step;
    }
    for (std::uint64_t n = *ext; n > 0;) {
      auto step = static_cast<std::size_t>(std::min<std::uint64_t>(n, chunk));
      std::span<std::uint8_t> d(diff_buf.data(), step);
      if (auto r = extra.read(d); !r) return r;
      if (auto r = out.write(d); !r) return r;
      n -= step;
    }
    done += *add + *ext;
  }
  for (auto* z : {&ctrl, &extra})
    if (auto r = z->expect_end(); !r) return r;
  if (auto r = diff.expect_end(); !r) return r;
  return ok();
}

}  // namespace converge::delta
