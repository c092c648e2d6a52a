#pragma once
// dag-pb (ipfs/specs IPLD dag-pb): the PBNode/PBLink protobuf.
//
//   message PBLink { optional bytes Hash = 1; optional string Name = 2; optional uint64 Tsize = 3; }
//   message PBNode { repeated PBLink Links = 2; optional bytes Data = 1; }
//
// encode() writes the canonical form (links first, fields in order, absent
// optionals omitted). decode() is strict as the spec asks: only the known
// fields, each in canonical order and at most once (Links before Data), every
// link with a Hash that is a valid CID, and bounded sizes.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.hpp"
#include "multiformats/cid.hpp"

namespace converge::unixfs {

struct pb_link {
  mf::cid hash;
  std::optional<std::string> name;
  std::optional<std::uint64_t> tsize;
};

struct pb_node {
  std::vector<pb_link> links;
  std::optional<bytes> data;
};

struct pb_limits {
  std::size_t max_node_bytes = 2 * 1024 * 1024;
  std::size_t max_links = 1 << 16;
  std::size_t max_name_bytes = 1024;
};

bytes encode_pb(const pb_node& node);
result<pb_node> decode_pb(bytes_view in, const pb_limits& limits = {});

// The CIDs a block links to: dag-pb links for dag-pb blocks, none for raw.
// unsupported for other codecs.
result<std::vector<mf::cid>> block_links(const mf::cid& id, bytes_view data);

}  // namespace converge::unixfs
