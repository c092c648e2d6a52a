#include "blocks/pb_wire.hpp"

namespace converge::blocks::pb {

std::optional<varint_read> read_varint(bytes_view in) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < in.size() && i < 10; ++i) {
    std::uint64_t b = in[i];
    if (i == 9 && b > 1) return std::nullopt;  // would overflow 64 bits
    v |= (b & 0x7f) << (7 * i);
    if (!(b & 0x80)) return varint_read{v, i + 1};
  }
  return std::nullopt;
}

void put_varint(bytes& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<std::uint8_t>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<std::uint8_t>(v));
}

std::optional<field> reader::next() {
  if (!error_.empty() || pos_ >= in_.size()) return std::nullopt;
  auto bad = [&](std::string why) -> std::optional<field> {
    error_ = why + " at offset " + std::to_string(pos_);
    return std::nullopt;
  };
  std::size_t start = pos_;
  auto tag = read_varint(in_.subspan(pos_));
  if (!tag) return bad("truncated or overlong tag");
  if (tag->value >> 3 == 0 || tag->value >> 3 > 0x1fffffff) return bad("invalid field number");
  field f{static_cast<std::uint32_t>(tag->value >> 3), static_cast<wire_type>(tag->value & 7), 0, {}, start};
  pos_ += tag->size;
  switch (f.type) {
    case varint: {
      auto v = read_varint(in_.subspan(pos_));
      if (!v) return bad("truncated varint in field " + std::to_string(f.number));
      f.value = v->value;
      pos_ += v->size;
      break;
    }
    case len: {
      auto n = read_varint(in_.subspan(pos_));
      if (!n) return bad("truncated length of field " + std::to_string(f.number));
      pos_ += n->size;
      if (n->value > in_.size() - pos_) return bad("field " + std::to_string(f.number) + " length " + std::to_string(n->value) + " runs past the end");
      f.data = in_.subspan(pos_, static_cast<std::size_t>(n->value));
      pos_ += static_cast<std::size_t>(n->value);
      break;
    }
    case fixed64:
      if (in_.size() - pos_ < 8) return bad("truncated fixed64");
      pos_ += 8;
      break;
    case fixed32:
      if (in_.size() - pos_ < 4) return bad("truncated fixed32");
      pos_ += 4;
      break;
    default:
      pos_ = start;
      return bad("unsupported wire type " + std::to_string(static_cast<int>(f.type)));
  }
  return f;
}

}  // namespace converge::blocks::pb
