#pragma once
// Pubsub stream framing: each RPC is a uvarint length followed by that many
// bytes of RPC protobuf (libp2p/specs pubsub/README.md). The decoder is fed a
// stream's bytes in any fragmentation and yields whole frames; a length over
// max_rpc_size or a malformed prefix is a terminal error for the stream (the
// driver resets it). Contract: call next_frame() until nullopt after every
// handle_input(); the decoder then holds at most max_rpc_size +
// max_varint_bytes plus the last input's size (the fuzz target checks this).
#include <cstddef>
#include <optional>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "pubsub/rpc.pb.h"

namespace converge::pubsub {

inline constexpr std::size_t default_max_rpc_size = 1024 * 1024;

class frame_decoder {
 public:
  explicit frame_decoder(std::size_t max_rpc_size = default_max_rpc_size) : max_(max_rpc_size) {}

  // Appends stream bytes. Fails (and stays failed) on a bad or oversized prefix.
  result<void> handle_input(bytes_view data);
  // The next complete frame's payload, if any; call until nullopt after each input.
  std::optional<bytes> next_frame();
  [[nodiscard]] bool failed() const { return failed_; }
  [[nodiscard]] std::size_t buffered() const { return buf_.size() - pos_; }

 private:
  result<void> check_prefix();
  std::size_t max_;
  bytes buf_;
  std::size_t pos_ = 0;
  bool failed_ = false;
};

// Length-prefixes one RPC payload.
bytes encode_frame(bytes_view rpc);

// Parses an RPC protobuf; fails with malformed_rpc or rpc_too_large.
result<pb::RPC> decode_rpc(bytes_view data, std::size_t max_rpc_size = default_max_rpc_size);
bytes encode_rpc(const pb::RPC& rpc);

}  // namespace converge::pubsub
