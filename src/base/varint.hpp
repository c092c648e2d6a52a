#pragma once
// Unsigned varint per the multiformats spec: LEB128, at most 9 bytes (63 bits),
// and minimally encoded (no trailing 0x00 group: 0x80 0x00 is refused).
#include <array>
#include <cstddef>
#include <cstdint>

#include "base/bytes.hpp"

namespace converge {

inline constexpr std::size_t max_varint_bytes = 9;
inline constexpr std::uint64_t max_varint_value = (std::uint64_t{1} << 63) - 1;

struct decoded_varint {
  std::uint64_t value;
  std::size_t size;  // bytes consumed
};

// Decodes a varint at the start of `in`. base_errc::truncated means the input
// ended inside the varint (a stream may wait for more bytes); overflow and
// not_minimal are protocol violations.
result<decoded_varint> decode_uvarint(bytes_view in);

// Number of bytes encode_uvarint writes for `v`.
std::size_t uvarint_size(std::uint64_t v);

// Appends `v` to `out`. `v` must be at most max_varint_value (asserted).
void append_uvarint(bytes& out, std::uint64_t v);
bytes encode_uvarint(std::uint64_t v);

// Writes into a fixed buffer; returns the number of bytes written.
std::size_t write_uvarint(std::array<std::uint8_t, max_varint_bytes>& buf, std::uint64_t v);

// A cursor over a byte buffer for parsers: every read checks bounds and fails
// with base_errc::truncated instead of reading past the end.
class byte_reader {
 public:
  explicit byte_reader(bytes_view in) : in_(in) {}
  result<std::uint64_t> uvarint();
  result<bytes_view> take(std::size_t n);
  // A uvarint length followed by that many bytes; lengths over `limit` fail with too_large.
  result<bytes_view> length_prefixed(std::size_t limit = SIZE_MAX);
  result<std::uint8_t> byte();
  [[nodiscard]] bytes_view rest() const { return in_.subspan(pos_); }
  [[nodiscard]] std::size_t remaining() const { return in_.size() - pos_; }
  [[nodiscard]] std::size_t position() const { return pos_; }
  [[nodiscard]] bool empty() const { return pos_ == in_.size(); }

 private:
  bytes_view in_;
  std::size_t pos_ = 0;
};

}  // namespace converge
