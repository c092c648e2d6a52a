#include "unixfs/unixfs_data.hpp"

#include <cstring>

#include "blocks/pb_wire.hpp"
#include "unixfs/errors.hpp"

namespace converge::unixfs {
namespace pb = blocks::pb;

bytes encode_unixfs(const unixfs_data& d) {
  bytes out;
  pb::put_varint_field(out, 1, static_cast<std::uint64_t>(d.type));
  if (d.data) pb::put_bytes_field(out, 2, *d.data);
  if (d.filesize) pb::put_varint_field(out, 3, *d.filesize);
  for (auto b : d.blocksizes) pb::put_varint_field(out, 4, b);
  if (d.hash_type) pb::put_varint_field(out, 5, *d.hash_type);
  if (d.fanout) pb::put_varint_field(out, 6, *d.fanout);
  if (d.mode) pb::put_varint_field(out, 7, *d.mode);
  if (d.mtime) {
    bytes t;
    pb::put_varint_field(t, 1, static_cast<std::uint64_t>(d.mtime->seconds));
    if (d.mtime->nanos) {
      pb::put_tag(t, 2, pb::fixed32);
      for (int i = 0; i < 4; ++i) t.push_back(static_cast<std::uint8_t>(*d.mtime->nanos >> (8 * i)));
    }
    pb::put_bytes_field(out, 8, t);
  }
  return out;
}

namespace {

result<unix_time> decode_time(bytes_view in) {
  unix_time t;
  bool have_seconds = false;
  pb::reader r(in);
  while (auto f = r.next()) {
    if (f->number == 1 && f->type == pb::varint) {
      t.seconds = static_cast<std::int64_t>(f->value);
      have_seconds = true;
    } else if (f->number == 2 && f->type == pb::fixed32) {
      auto p = in.subspan(f->offset + 1, 4);
      std::uint32_t v = 0;
      for (int i = 0; i < 4; ++i) v |= std::uint32_t{p[static_cast<std::size_t>(i)]} << (8 * i);
      if (v > 999'999'999) return fail(unixfs_errc::malformed_unixfs, "mtime nanoseconds " + std::to_string(v) + " over 999999999");
      t.nanos = v;
    } else {
      return fail(unixfs_errc::malformed_unixfs, "unknown or mistyped mtime field " + std::to_string(f->number));
    }
  }
  if (!r.error().empty()) return fail(unixfs_errc::malformed_unixfs, "mtime: " + r.error());
  if (!have_seconds) return fail(unixfs_errc::malformed_unixfs, "mtime without Seconds");
  return t;
}

}  // namespace

result<unixfs_data> decode_unixfs(bytes_view in) {
  unixfs_data d;
  bool have_type = false;
  pb::reader r(in);
  auto bad = [](const pb::field& f, const std::string& why) {
    return fail(unixfs_errc::malformed_unixfs, why + " (field " + std::to_string(f.number) + " at offset " + std::to_string(f.offset) + ")");
  };
  while (auto f = r.next()) {
    auto want = [&](pb::wire_type t) { return f->type == t; };
    switch (f->number) {
      case 1:
        if (!want(pb::varint)) return bad(*f, "Type is not a varint");
        if (f->value > 5) return bad(*f, "unknown DataType " + std::to_string(f->value));
        d.type = static_cast<data_type>(f->value);
        have_type = true;
        break;
      case 2:
        if (!want(pb::len)) return bad(*f, "Data is not bytes");
        d.data = bytes(f->data.begin(), f->data.end());
        break;
      case 3:
        if (!want(pb::varint)) return bad(*f, "filesize is not a varint");
        d.filesize = f->value;
        break;
      case 4:
        if (want(pb::varint)) {
          if (d.blocksizes.size() >= max_blocksizes) return bad(*f, "more than " + std::to_string(max_blocksizes) + " blocksizes");
          d.blocksizes.push_back(f->value);
        } else if (want(pb::len)) {  // packed
          bytes_view p = f->data;
          while (!p.empty()) {
            auto v = pb::read_varint(p);
            if (!v) return bad(*f, "truncated packed blocksizes");
            if (d.blocksizes.size() >= max_blocksizes) return bad(*f, "more than " + std::to_string(max_blocksizes) + " blocksizes");
            d.blocksizes.push_back(v->value);
            p = p.subspan(v->size);
          }
        } else {
          return bad(*f, "blocksizes of the wrong wire type");
        }
        break;
      case 5:
        if (!want(pb::varint)) return bad(*f, "hashType is not a varint");
        d.hash_type = f->value;
        break;
      case 6:
        if (!want(pb::varint)) return bad(*f, "fanout is not a varint");
        d.fanout = f->value;
        break;
      case 7:
        if (!want(pb::varint)) return bad(*f, "mode is not a varint");
        if (f->value > 0xffffffffu) return bad(*f, "mode over 32 bits");
        d.mode = static_cast<std::uint32_t>(f->value);
        break;
      case 8: {
        if (!want(pb::len)) return bad(*f, "mtime is not a message");
        auto t = decode_time(f->data);
        if (!t) return fail(t.error());
        d.mtime = *t;
        break;
      }
      default:
        return bad(*f, "unknown field");
    }
  }
  if (!r.error().empty()) return fail(unixfs_errc::malformed_unixfs, r.error());
  if (!have_type) return fail(unixfs_errc::malformed_unixfs, "no Type");
  return d;
}

}  // namespace converge::unixfs
