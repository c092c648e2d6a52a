#pragma once
// /ipfs/kad/1.0.0 messages (libp2p/specs kad-dht/README.md). On a stream each
// message is a uvarint length followed by a Message protobuf; a requester
// writes one request and reads at most one response.
//
// decode_message() turns the protobuf into a typed `message` and enforces
// converge's bounds (named in message_limits): total size, peers per list,
// addresses per peer, address and key lengths. Peer entries whose ID is not a
// valid peer ID are dropped (counted in `dropped_peers`) rather than failing
// the whole message, as other implementations do. A message whose type is
// unknown fails.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.hpp"
#include "crypto/peer_id.hpp"
#include "kad/errors.hpp"

namespace converge::kad {

inline constexpr std::string_view protocol_id = "/ipfs/kad/1.0.0";

enum class message_type : int { put_value = 0, get_value = 1, add_provider = 2, get_providers = 3, find_node = 4, ping = 5 };
std::string_view to_string(message_type t);

enum class connection_type : int { not_connected = 0, connected = 1, can_connect = 2, cannot_connect = 3 };

struct message_limits {
  std::size_t max_message = 4u << 20;  // go-libp2p-kad-dht's bound; release bundles are up to 1 MiB
  std::size_t max_peers = 100;         // per closerPeers / providerPeers list
  std::size_t max_addrs = 32;          // per peer
  std::size_t max_addr_size = 1024;
  std::size_t max_key_size = 1024;
};

struct peer_info {
  crypto::peer_id id;
  std::vector<bytes> addrs;  // binary multiaddrs, as received (the driver parses them)
  connection_type connection = connection_type::not_connected;
};

struct record {
  bytes key, value;
  std::string time_received;  // RFC 3339; informational only
  friend bool operator==(const record&, const record&) = default;
};

struct message {
  message_type type = message_type::ping;
  bytes key;
  std::optional<record> rec;
  std::vector<peer_info> closer_peers, provider_peers;
  std::size_t dropped_peers = 0;  // entries with an invalid peer ID (decode only)
};

result<message> decode_message(bytes_view data, const message_limits& lim = {});
bytes encode_message(const message& m);

// Stream framing for drivers: a uvarint length prefix, bounded by max_message.
class frame_decoder {
 public:
  explicit frame_decoder(std::size_t max_message = message_limits{}.max_message) : max_(max_message) {}
  // Appends stream bytes; fails (and stays failed) on a bad or oversized prefix.
  result<void> handle_input(bytes_view data);
  // The next whole frame, if any; call until nullopt after each input.
  std::optional<bytes> next_frame();
  [[nodiscard]] bool failed() const { return failed_; }

 private:
  result<void> check_prefix();
  std::size_t max_;
  bytes buf_;
  std::size_t pos_ = 0;
  bool failed_ = false;
};
bytes encode_frame(bytes_view payload);

}  // namespace converge::kad
