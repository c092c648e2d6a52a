#include "unixfs/dag_pb.hpp"

#include "base/varint.hpp"
#include "blocks/pb_wire.hpp"
#include "multiformats/multicodec.hpp"
#include "unixfs/errors.hpp"

namespace converge::unixfs {
namespace pb = blocks::pb;

bytes encode_pb(const pb_node& node) {
  bytes out;
  bytes link;
  for (const auto& l : node.links) {
    link.clear();
    pb::put_bytes_field(link, 1, l.hash.to_bytes());
    if (l.name) pb::put_bytes_field(link, 2, as_bytes(*l.name));
    if (l.tsize) pb::put_varint_field(link, 3, *l.tsize);
    pb::put_bytes_field(out, 2, link);
  }
  if (node.data) pb::put_bytes_field(out, 1, *node.data);
  return out;
}

namespace {

result<pb_link> decode_link(bytes_view in, std::size_t base, const pb_limits& limits) {
  pb::reader r(in);
  pb_link link{mf::cid::v1(mf::codec::raw, mf::multihash::sum(mf::codec::identity, {})), std::nullopt, std::nullopt};
  bool have_hash = false;
  std::uint32_t last = 0;
  auto bad = [&](std::size_t at, std::string why) {
    return fail(unixfs_errc::malformed_pb, "link at offset " + std::to_string(base) + ": " + why + " (offset " + std::to_string(base + at) + ")");
  };
  while (auto f = r.next()) {
    if (f->number <= last) return bad(f->offset, "field " + std::to_string(f->number) + " out of order or repeated");
    last = f->number;
    switch (f->number) {
      case 1: {
        if (f->type != pb::len) return bad(f->offset, "Hash is not bytes");
        auto c = mf::cid::from_bytes(f->data);
        if (!c) return bad(f->offset, "Hash is not a CID: " + c.error().detail);
        link.hash = std::move(*c);
        have_hash = true;
        break;
      }
      case 2:
        if (f->type != pb::len) return bad(f->offset, "Name is not a string");
        if (f->data.size() > limits.max_name_bytes) return bad(f->offset, "Name of " + std::to_string(f->data.size()) + " bytes, limit " + std::to_string(limits.max_name_bytes));
        link.name = std::string(as_chars(f->data));
        break;
      case 3:
        if (f->type != pb::varint) return bad(f->offset, "Tsize is not a varint");
        if (f->value > max_varint_value) return bad(f->offset, "Tsize over 2^63");
        link.tsize = f->value;
        break;
      default:
        return bad(f->offset, "unknown field " + std::to_string(f->number));
    }
  }
  if (!r.error().empty()) return bad(r.offset(), r.error());
  if (!have_hash) return bad(0, "no Hash");
  return link;
}

}  // namespace

result<pb_node> decode_pb(bytes_view in, const pb_limits& limits) {
  if (in.size() > limits.max_node_bytes)
    return fail(unixfs_errc::too_large, "dag-pb node of " + std::to_string(in.size()) + " bytes, limit " + std::to_string(limits.max_node_bytes));
  pb::reader r(in);
  pb_node node;
  while (auto f = r.next()) {
    auto at = " at offset " + std::to_string(f->offset);
    if (node.data) return fail(unixfs_errc::malformed_pb, "field " + std::to_string(f->number) + " after Data" + at);
    if (f->number == 2) {
      if (f->type != pb::len) return fail(unixfs_errc::malformed_pb, "Links is not a message" + at);
      if (node.links.size() >= limits.max_links)
        return fail(unixfs_errc::too_large, "more than " + std::to_string(limits.max_links) + " links" + at);
      auto link = decode_link(f->data, f->offset, limits);
      if (!link) return fail(link.error());
      node.links.push_back(std::move(*link));
    } else if (f->number == 1) {
      if (f->type != pb::len) return fail(unixfs_errc::malformed_pb, "Data is not bytes" + at);
      node.data = bytes(f->data.begin(), f->data.end());
    } else {
      return fail(unixfs_errc::malformed_pb, "unknown field " + std::to_string(f->number) + at);
    }
  }
  if (!r.error().empty()) return fail(unixfs_errc::malformed_pb, r.error());
  return node;
}

result<std::vector<mf::cid>> block_links(const mf::cid& id, bytes_view data) {
  std::vector<mf::cid> out;
  if (id.codec() == mf::codec::raw) return out;
  if (id.codec() != mf::codec::dag_pb) return fail(unixfs_errc::unsupported, "links of codec " + std::to_string(id.codec()) + " in " + id.to_string());
  auto node = decode_pb(data);
  if (!node) return fail(with_context(node.error(), id.to_string()));
  out.reserve(node->links.size());
  for (auto& l : node->links) out.push_back(std::move(l.hash));
  return out;
}

}  // namespace converge::unixfs
