#include "delta/deflate.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace converge::delta {

namespace {
constexpr std::size_t chunk = 1 << 16;

// zlib takes 32-bit lengths; callers slice their input to `chunk` bytes.
Bytef* in_ptr(bytes_view v) { return const_cast<Bytef*>(v.data()); }
}  // namespace

bool valid(const deflate_params& p) {
  return p.level >= 1 && p.level <= 9 && p.strategy <= 1 && p.mem_level >= 1 && p.mem_level <= 9;
}

struct deflater::state {
  z_stream z{};
  bool live = false;
  ~state() {
    if (live) deflateEnd(&z);
  }
};

deflater::deflater(const deflate_params& p) : params_(p), st_(std::make_unique<state>()) {}
deflater::~deflater() = default;

result<void> deflater::init() {
  if (!valid(params_)) return fail(delta_errc::corrupt, "invalid deflate parameters");
  if (deflateInit2(&st_->z, params_.level, Z_DEFLATED, -15, params_.mem_level, params_.strategy) != Z_OK)
    return fail(delta_errc::compression, "deflateInit2 failed");
  st_->live = true;
  return ok();
}

result<void> deflater::run(bytes_view plain, int flush, byte_sink& out) {
  std::array<std::uint8_t, chunk> buf;
  auto& z = st_->z;
  z.next_in = in_ptr(plain);
  z.avail_in = static_cast<uInt>(plain.size());
  for (;;) {
    z.next_out = buf.data();
    z.avail_out = static_cast<uInt>(buf.size());
    int rc = deflate(&z, flush);
    if (rc == Z_STREAM_ERROR) return fail(delta_errc::compression, "deflate failed");
    std::size_t n = buf.size() - z.avail_out;
    produced_ += n;
    if (n != 0)
      if (auto r = out.write({buf.data(), n}); !r) return r;
    if (flush == Z_FINISH ? rc == Z_STREAM_END : (z.avail_in == 0 && z.avail_out != 0)) return ok();
  }
}

result<void> deflater::write(bytes_view plain, byte_sink& out) {
  for (std::size_t at = 0; at < plain.size(); at += chunk)
    if (auto r = run(plain.subspan(at, std::min(chunk, plain.size() - at)), Z_NO_FLUSH, out); !r) return r;
  return ok();
}

result<void> deflater::finish(byte_sink& out) { return run({}, Z_FINISH, out); }

result<bytes> inflate_raw(bytes_view compressed, std::uint64_t max_out) {
  z_stream z{};
  if (inflateInit2(&z, -15) != Z_OK) return fail(delta_errc::compression, "inflateInit2 failed");
  bytes out;
  std::array<std::uint8_t, chunk> buf;
  std::size_t at = 0;
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    auto slice = compressed.subspan(at, std::min(chunk, compressed.size() - at));
    z.next_in = in_ptr(slice);
    z.avail_in = static_cast<uInt>(slice.size());
    z.next_out = buf.data();
    z.avail_out = static_cast<uInt>(buf.size());
    rc = inflate(&z, Z_NO_FLUSH);
    at += slice.size() - z.avail_in;
    std::size_t n = buf.size() - z.avail_out;
    if (rc != Z_OK && rc != Z_STREAM_END && !(rc == Z_BUF_ERROR && n != 0)) break;
    if (n > max_out - out.size()) {
      rc = Z_DATA_ERROR;
      break;
    }
    out.insert(out.end(), buf.data(), buf.data() + n);
    if (rc != Z_STREAM_END && n == 0 && at == compressed.size()) break;  // input ended mid-stream
  }
  inflateEnd(&z);
  if (rc != Z_STREAM_END || at != compressed.size()) return fail(delta_errc::corrupt, "deflate data does not inflate cleanly");
  return out;
}

namespace {
// Deflates `plain` with `p`, comparing output with `want` as it appears.
bool reproduces(bytes_view plain, bytes_view want, const deflate_params& p) {
  struct compare_sink final : byte_sink {
    bytes_view want;
    std::size_t at = 0;
    result<void> write(bytes_view d) override {
      if (d.size() > want.size() - at || std::memcmp(d.data(), want.data() + at, d.size()) != 0)
        return fail(delta_errc::corrupt, "differs");
      at += d.size();
      return ok();
    }
  } sink;
  sink.want = want;
  deflater d(p);
  if (!d.init() || !d.write(plain, sink) || !d.finish(sink)) return false;
  return sink.at == want.size();
}
}  // namespace

std::optional<deflate_params> find_deflate_params(bytes_view plain, bytes_view compressed,
                                                  const std::optional<deflate_params>& hint) {
  if (hint && reproduces(plain, compressed, *hint)) return hint;
  static constexpr std::uint8_t levels[] = {6, 9, 1, 2, 3, 4, 5, 7, 8};
  for (std::uint8_t mem : {8, 9})
    for (std::uint8_t strategy : {0, 1})
      for (std::uint8_t level : levels) {
        deflate_params p{level, strategy, mem};
        if (hint && p == *hint) continue;
        if (reproduces(plain, compressed, p)) return p;
      }
  return std::nullopt;
}

result<void> inflate_region(const input_source& src, std::uint64_t offset, std::uint64_t compressed_size,
                            std::uint64_t expected_size, byte_sink& out) {
  struct guard {
    z_stream z{};
    ~guard() { inflateEnd(&z); }
  } g;
  if (inflateInit2(&g.z, -15) != Z_OK) return fail(delta_errc::compression, "inflateInit2 failed");
  bytes in(chunk), buf(chunk);
  std::uint64_t read = 0, produced = 0;
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    if (g.z.avail_in == 0) {
      if (read == compressed_size) return fail(delta_errc::corrupt, "old archive entry ends inside its deflate stream");
      auto n = static_cast<std::size_t>(std::min<std::uint64_t>(chunk, compressed_size - read));
      if (auto r = src.read_at(offset + read, {in.data(), n}); !r) return r;
      read += n;
      g.z.next_in = in.data();
      g.z.avail_in = static_cast<uInt>(n);
    }
    g.z.next_out = buf.data();
    g.z.avail_out = static_cast<uInt>(buf.size());
    rc = inflate(&g.z, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR)
      return fail(delta_errc::corrupt, "old archive entry does not inflate");
    std::size_t n = buf.size() - g.z.avail_out;
    if (n > expected_size - produced) return fail(delta_errc::corrupt, "old archive entry inflates past its recorded size");
    produced += n;
    if (n != 0)
      if (auto r = out.write({buf.data(), n}); !r) return r;
  }
  if (g.z.avail_in != 0 || read != compressed_size || produced != expected_size)
    return fail(delta_errc::corrupt, "old archive entry does not match its recorded sizes");
  return ok();
}

}  // namespace converge::delta
