#include "delta/format.hpp"

#include <algorithm>

#include "base/varint.hpp"

namespace converge::delta {

std::string to_string(method m) {
  switch (m) {
    case method::cover: return "bsdiff";
    case method::zstd_prefix: return "zstd";
    case method::zip: return "zip";
  }
  return "unknown(" + std::to_string(static_cast<int>(m)) + ")";
}

bytes encode_header(const patch_header& h) {
  bytes out(patch_magic.begin(), patch_magic.end());
  out.push_back(static_cast<std::uint8_t>(h.kind));
  append_uvarint(out, h.old_size);
  append_uvarint(out, h.new_size);
  append(out, h.old_sha256);
  append(out, h.new_sha256);
  return out;
}

result<patch_header> parse_header(const input_source& patch) {
  std::array<std::uint8_t, 8 + 1 + 9 + 9 + 64> buf{};
  auto n = static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), patch.size()));
  if (auto r = patch.read_at(0, {buf.data(), n}); !r) return fail(r.error());
  if (n < patch_magic.size()) return fail(delta_errc::truncated, "patch is " + std::to_string(n) + " bytes, shorter than its magic");
  if (!std::equal(patch_magic.begin(), patch_magic.end() - 1, buf.begin()))
    return fail(delta_errc::bad_magic, "patch does not start with \"CVDELTA\"");
  if (buf[7] != patch_magic[7])
    return fail(delta_errc::unsupported, "patch format version " + std::to_string(buf[7]) + " (this build reads version " + std::to_string(patch_magic[7]) + ")");
  byte_reader r({buf.data(), n});
  (void)r.take(patch_magic.size());
  patch_header h;
  auto m = r.byte();
  if (!m) return fail(delta_errc::truncated, "patch ends before its method byte");
  if (*m < 1 || *m > 3) return fail(delta_errc::unsupported, "unknown delta method " + std::to_string(*m));
  h.kind = static_cast<method>(*m);
  auto size_errc = [](const error& e) {
    return e.code == base_errc::truncated ? delta_errc::truncated : delta_errc::corrupt;
  };
  auto old_size = r.uvarint();
  if (!old_size) return fail(size_errc(old_size.error()), "bad old size in patch header");
  auto new_size = r.uvarint();
  if (!new_size) return fail(size_errc(new_size.error()), "bad new size in patch header");
  h.old_size = *old_size;
  h.new_size = *new_size;
  auto old_hash = r.take(32);
  auto new_hash = r.take(32);
  if (!old_hash || !new_hash) return fail(delta_errc::truncated, "patch header ends inside its hashes");
  std::copy(old_hash->begin(), old_hash->end(), h.old_sha256.begin());
  std::copy(new_hash->begin(), new_hash->end(), h.new_sha256.begin());
  h.body_offset = r.position();
  h.body_size = patch.size() - h.body_offset;
  return h;
}

result<void> region_reader::fill(std::string_view what) {
  if (pos_ >= end_) return fail(delta_errc::truncated, std::string(what) + ": patch section ends early");
  auto n = static_cast<std::size_t>(std::min<std::uint64_t>(4096, end_ - pos_));
  buf_.resize(n);
  at_ = 0;
  if (auto r = src_.read_at(pos_, buf_); !r) return r;
  pos_ += n;
  return ok();
}

result<std::uint8_t> region_reader::byte(std::string_view what) {
  if (at_ == buf_.size())
    if (auto r = fill(what); !r) return fail(r.error());
  return buf_[at_++];
}

result<std::uint64_t> region_reader::uvarint(std::string_view what) {
  std::uint64_t v = 0;
  for (unsigned i = 0; i < max_varint_bytes; ++i) {
    auto b = byte(what);
    if (!b) return fail(b.error());
    v |= std::uint64_t{*b & 0x7fu} << (7 * i);
    if ((*b & 0x80) == 0) {
      if (*b == 0 && i > 0) return fail(delta_errc::corrupt, std::string(what) + ": varint not minimally encoded");
      return v;
    }
  }
  return fail(delta_errc::corrupt, std::string(what) + ": varint longer than 9 bytes");
}

result<void> region_reader::read(std::span<std::uint8_t> out, std::string_view what) {
  std::size_t done = 0;
  while (done < out.size()) {
    if (at_ == buf_.size())
      if (auto r = fill(what); !r) return r;
    auto n = std::min(out.size() - done, buf_.size() - at_);
    std::copy_n(buf_.begin() + static_cast<std::ptrdiff_t>(at_), n, out.begin() + static_cast<std::ptrdiff_t>(done));
    at_ += n;
    done += n;
  }
  return ok();
}

std::uint64_t zigzag_encode(std::int64_t v) {
  return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}
std::int64_t zigzag_decode(std::uint64_t v) {
  return static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1);
}

}  // namespace converge::delta
