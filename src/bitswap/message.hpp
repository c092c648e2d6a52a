#pragma once
// The Bitswap message (ipfs/specs BITSWAP.md), all three versions:
//
//   message Message {
//     message Wantlist {
//       enum WantType { Block = 0; Have = 1; }
//       message Entry { bytes block = 1; int32 priority = 2; bool cancel = 3;
//                       WantType wantType = 4; bool sendDontHave = 5; }
//       repeated Entry entries = 1; bool full = 2; }
//     message Block { bytes prefix = 1; bytes data = 2; }
//     enum BlockPresenceType { Have = 0; DontHave = 1; }
//     message BlockPresence { bytes cid = 1; BlockPresenceType type = 2; }
//     Wantlist wantlist = 1;
//     repeated bytes blocks = 2;                   // 1.0.0: CIDv0 blocks
//     repeated Block payload = 3;                  // 1.1.0+: blocks with a CID prefix
//     repeated BlockPresence blockPresences = 4;   // 1.2.0
//     int32 pendingBytes = 5; }
//
// On the wire each message is uvarint(length) || protobuf on a stream.
// decode() computes each block's CID from its prefix and its bytes, so a
// block's CID always matches its data: a corrupted block arrives as a block
// nobody wanted. Unknown fields are skipped (protobuf rules); bounds apply.
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "base/bytes.hpp"
#include "blocks/block.hpp"
#include "multiformats/cid.hpp"

namespace converge::bitswap {

enum class protocol_version : std::uint8_t { v1_0_0, v1_1_0, v1_2_0 };
inline constexpr std::string_view protocol_v1_2_0 = "/ipfs/bitswap/1.2.0";
inline constexpr std::string_view protocol_v1_1_0 = "/ipfs/bitswap/1.1.0";
inline constexpr std::string_view protocol_v1_0_0 = "/ipfs/bitswap/1.0.0";
std::optional<protocol_version> parse_protocol(std::string_view id);
std::string_view protocol_id(protocol_version v);

enum class want_type : std::uint8_t { block = 0, have = 1 };
enum class presence_type : std::uint8_t { have = 0, dont_have = 1 };

struct wantlist_entry {
  mf::cid cid;
  std::int32_t priority = 1;
  bool cancel = false;
  want_type type = want_type::block;
  bool send_dont_have = false;
};

struct block_presence {
  mf::cid cid;
  presence_type type;
};

struct message {
  std::vector<wantlist_entry> wantlist;
  bool full = false;
  std::vector<blocks::block> blocks;
  std::vector<block_presence> presences;
  std::int32_t pending_bytes = 0;
  [[nodiscard]] bool empty() const { return wantlist.empty() && !full && blocks.empty() && presences.empty(); }
};

struct message_limits {
  std::size_t max_message_bytes = 4 * 1024 * 1024;
  std::size_t max_entries = 8192;
  std::size_t max_blocks = 1024;
  std::size_t max_block_bytes = blocks::default_max_block_size;
};

// Encodes for a peer speaking `v`: 1.0.0 gets blocks in field 2 (CIDv0 only;
// others are dropped) and no presences or want types; 1.1.0 gets payload
// blocks and no presences or want types; 1.2.0 gets everything. No framing.
bytes encode_message(const message& m, protocol_version v);
// The protobuf size encode_message would give for one block.
std::size_t encoded_block_size(const mf::cid& id, std::size_t data_size);
result<message> decode_message(bytes_view in, const message_limits& limits = {});

// The CID prefix of a block (version, codec, multihash code, digest length).
bytes cid_prefix(const mf::cid& id);
// The CID of `data` under `prefix`; unsupported_hash if the hash is unknown.
result<mf::cid> cid_from_prefix(bytes_view prefix, bytes_view data);

// Splits a byte stream into uvarint-framed messages, bounded by max_message_bytes.
class frame_reader {
 public:
  explicit frame_reader(std::size_t max_message_bytes = 4 * 1024 * 1024) : max_(max_message_bytes) {}
  // Appends input; too_large when one frame would pass the bound.
  result<void> feed(bytes_view data);
  // The next complete frame's payload, or nullopt.
  result<std::optional<bytes>> next();
  [[nodiscard]] std::size_t buffered() const { return buf_.size() - pos_; }

 private:
  std::size_t max_;
  bytes buf_;
  std::size_t pos_ = 0;
};

bytes frame(bytes_view payload);

}  // namespace converge::bitswap
