// Streaming apply of a cover body: three stream readers over the patch, old
// bytes fetched with read_at in small chunks, output handed to the sink in
// chunks. Every control value is checked against the old size, the declared
// new size and the streams before a byte is produced.
#include <algorithm>
#include <memory>

#include "base/varint.hpp"
#include "delta/cover.hpp"

namespace converge::delta {

namespace {
constexpr std::size_t chunk = 1 << 16;
constexpr std::uint8_t max_codec = static_cast<std::uint8_t>(codec::lzma2);
}  // namespace

result<cover_layout> parse_cover_layout(const input_source& patch, std::uint64_t body_offset, std::uint64_t body_size) {
  region_reader head(patch, body_offset, body_size);
  cover_layout l;
  cover_layout::stream* s[3] = {&l.ctrl, &l.diff, &l.extra};
  const char* names[3] = {"control stream", "diff stream", "extra stream"};
  for (int i = 0; i < 3; ++i) {
    auto c = head.byte("cover stream headers");
    if (!c) return fail(c.error());
    if (*c > max_codec)
      return fail(delta_errc::unsupported, std::string(names[i]) + ": unknown codec " + std::to_string(*c));
    s[i]->kind = static_cast<codec>(*c);
    if (s[i]->kind == codec::lzma2) {
      auto p = head.byte("cover stream headers");
      if (!p) return fail(p.error());
      s[i]->props = *p;
    }
    auto v = head.uvarint("cover stream headers");
    if (!v) return fail(v.error());
    s[i]->size = *v;
  }
  std::uint64_t at = head.position();
  std::uint64_t left = body_offset + body_size - at;
  if (l.ctrl.size > left || l.diff.size > left - l.ctrl.size || l.extra.size > left - l.ctrl.size - l.diff.size)
    return fail(delta_errc::truncated, "cover streams declare more bytes than the patch has (" + std::to_string(left) + ")");
  if (l.ctrl.size + l.diff.size + l.extra.size != left) return fail(delta_errc::corrupt, "bytes after the cover streams");
  for (auto* x : s) {
    x->offset = at;
    at += x->size;
  }
  return l;
}

result<std::vector<std::pair<std::string, std::string>>> describe_cover_body(const input_source& patch,
                                                                             std::uint64_t body_offset,
                                                                             std::uint64_t body_size) {
  auto l = parse_cover_layout(patch, body_offset, body_size);
  if (!l) return fail(l.error());
  std::vector<std::pair<std::string, std::string>> d;
  auto add = [&](const char* name, const cover_layout::stream& s) {
    d.emplace_back(name, std::to_string(s.size) + " bytes, " + to_string(s.kind));
  };
  add("control stream", l->ctrl);
  add("diff stream", l->diff);
  add("extra stream", l->extra);
  return d;
}

result<void> apply_cover_body(const input_source& old_file, const input_source& patch, std::uint64_t body_offset,
                              std::uint64_t body_size, std::uint64_t new_size, byte_sink& out,
                              const apply_limits& limits) {
  auto l = parse_cover_layout(patch, body_offset, body_size);
  if (!l) return fail(l.error());
  const unsigned wlog = limits.max_stream_window_log;
  auto open = [&](const cover_layout::stream& s, const char* name) {
    return std::make_unique<stream_reader>(patch, s.offset, s.size, s.kind, s.props, wlog, name);
  };
  auto ctrl = open(l->ctrl, "control stream");
  auto diff = open(l->diff, "diff stream");
  auto extra = open(l->extra, "extra stream");

  const std::uint64_t old_size = old_file.size();
  bytes old_buf(chunk), diff_buf(chunk);
  std::uint64_t old_pos = 0, done = 0;
  while (done < new_size) {
    auto seek = ctrl->uvarint();
    if (!seek) return fail(seek.error());
    auto add = ctrl->uvarint();
    if (!add) return fail(add.error());
    auto ext = ctrl->uvarint();
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
      auto step = static_cast<std::size_t>(std::min<std::uint64_t>(n, chunk));
      if (auto r = old_file.read_at(old_pos, {old_buf.data(), step}); !r) return r;
      if (auto r = diff->read({diff_buf.data(), step}); !r) return r;
      for (std::size_t i = 0; i < step; ++i) diff_buf[i] = static_cast<std::uint8_t>(diff_buf[i] + old_buf[i]);
      if (auto r = out.write({diff_buf.data(), step}); !r) return r;
      old_pos += step;
      n -= step;
    }
    for (std::uint64_t n = *ext; n > 0;) {
      auto step = static_cast<std::size_t>(std::min<std::uint64_t>(n, chunk));
      std::span<std::uint8_t> d(diff_buf.data(), step);
      if (auto r = extra->read(d); !r) return r;
      if (auto r = out.write(d); !r) return r;
      n -= step;
    }
    done += *add + *ext;
  }
  for (auto* z : {ctrl.get(), diff.get(), extra.get()})
    if (auto r = z->expect_end(); !r) return r;
  return ok();
}

}  // namespace converge::delta
