#include "base/varint.hpp"

#include <cassert>

namespace converge {

result<decoded_varint> decode_uvarint(bytes_view in) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (i == max_varint_bytes) return fail(base_errc::overflow, "varint longer than 9 bytes");
    std::uint8_t b = in[i];
    value |= std::uint64_t{b & 0x7fu} << (7 * i);
    if ((b & 0x80) == 0) {
      if (b == 0 && i > 0) return fail(base_errc::not_minimal, "trailing zero group at byte " + std::to_string(i));
      return decoded_varint{value, i + 1};
    }
  }
  if (in.size() >= max_varint_bytes) return fail(base_errc::overflow, "varint longer than 9 bytes");
  return fail(base_errc::truncated, "input ends inside a varint");
}

std::size_t uvarint_size(std::uint64_t v) {
  std::size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

std::size_t write_uvarint(std::array<std::uint8_t, max_varint_bytes>& buf, std::uint64_t v) {
  assert(v <= max_varint_value);
  std::size_t n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<std::uint8_t>(v | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<std::uint8_t>(v);
  return n;
}

void append_uvarint(bytes& out, std::uint64_t v) {
  std::array<std::uint8_t, max_varint_bytes> buf;
  std::size_t n = write_uvarint(buf, v);
  out.insert(out.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n));
}

bytes encode_uvarint(std::uint64_t v) {
  bytes out;
  append_uvarint(out, v);
  return out;
}

result<std::uint64_t> byte_reader::uvarint() {
  auto d = decode_uvarint(rest());
  if (!d) return fail(d.error());
  pos_ += d->size;
  return d->value;
}

result<bytes_view> byte_reader::take(std::size_t n) {
  if (n > remaining())
    return fail(base_errc::truncated, "need " + std::to_string(n) + " bytes, have " + std::to_string(remaining()));
  auto v = in_.subspan(pos_, n);
  pos_ += n;
  return v;
}

result<bytes_view> byte_reader::length_prefixed(std::size_t limit) {
  auto start = pos_;
  auto n = uvarint();
  if (!n) return fail(n.error());
  if (*n > limit) {
    pos_ = start;
    return fail(base_errc::too_large, "length " + std::to_string(*n) + " exceeds limit " + std::to_string(limit));
  }
  auto v = take(static_cast<std::size_t>(*n));
  if (!v) pos_ = start;
  return v;
}

result<std::uint8_t> byte_reader::byte() {
  if (empty()) return fail(base_errc::truncated, "need 1 byte, have 0");
  return in_[pos_++];
}

}  // namespace converge
