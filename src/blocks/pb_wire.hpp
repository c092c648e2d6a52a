#pragma once
// Minimal protobuf wire-format reader and writer for the hand-checked
// messages of this family (dag-pb, UnixFS Data, Bitswap). Hand-written so that
// parsers can enforce the strict rules their specs add (field order, no
// duplicates, bounds) and report the exact offset of a problem.
#include <cstdint>
#include <optional>
#include <string>

#include "base/bytes.hpp"

namespace converge::blocks::pb {

enum wire_type : std::uint8_t { varint = 0, fixed64 = 1, len = 2, fixed32 = 5 };

// Protobuf varint (up to 10 bytes, as protobuf writes negative int64s).
// nullopt if truncated or longer than 10 bytes.
struct varint_read {
  std::uint64_t value;
  std::size_t size;
};
std::optional<varint_read> read_varint(bytes_view in);

void put_varint(bytes& out, std::uint64_t v);
inline std::size_t varint_size(std::uint64_t v) {
  std::size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}
inline void put_tag(bytes& out, std::uint32_t field, wire_type t) { put_varint(out, (std::uint64_t{field} << 3) | t); }
inline void put_bytes_field(bytes& out, std::uint32_t field, bytes_view v) {
  put_tag(out, field, len);
  put_varint(out, v.size());
  append(out, v);
}
inline void put_varint_field(bytes& out, std::uint32_t field, std::uint64_t v) {
  put_tag(out, field, varint);
  put_varint(out, v);
}

// One field read from a message. For len fields `data` views the payload;
// for varint fields `value` holds it. fixed32/64 are skipped by callers.
struct field {
  std::uint32_t number;
  wire_type type;
  std::uint64_t value;
  bytes_view data;
  std::size_t offset;  // of the tag, for error details
};

// Iterates the fields of one message. next() returns nullopt at the end;
// error() is non-empty once malformed wire data was seen (then next() stops).
class reader {
 public:
  explicit reader(bytes_view in) : in_(in) {}
  std::optional<field> next();
  [[nodiscard]] const std::string& error() const { return error_; }
  [[nodiscard]] std::size_t offset() const { return pos_; }

 private:
  bytes_view in_;
  std::size_t pos_ = 0;
  std::string error_;
};

}  // namespace converge::blocks::pb
