#pragma once
// The control channel of converge-p2pd (go-libp2p-daemon conventions): one
// request per accepted connection, frames uvarint(length) || protobuf
// Request / Response. STREAM_OPEN turns the connection into a raw byte pipe
// to the libp2p stream after the OK; STREAM_HANDLER makes the daemon dial the
// client's address for each inbound stream, send one framed StreamInfo, then
// pipe bytes.
#include <memory>
#include <unordered_set>
#include <vector>

#include "p2p/io/host.hpp"

namespace converge::p2pd {

namespace io = converge::p2p::io;

// Largest control frame accepted (requests are small; this bounds a hostile client).
inline constexpr std::size_t max_control_frame = 1 << 20;

// Peers with an open connection, learned from the host's events (the host
// has no public connection list). Bounded like the host's connection table.
class peer_tracker {
 public:
  static constexpr std::size_t max_tracked_peers = 4096;
  void note(const io::host_event& e);
  std::vector<crypto::peer_id> connected(const io::host& h);

 private:
  std::unordered_set<crypto::peer_id> seen_;
};
peer_tracker& tracker();

// Serves one control connection to completion.
io::task<void> serve_control(std::shared_ptr<io::host> h, io::tcp::socket sock);

}  // namespace converge::p2pd
