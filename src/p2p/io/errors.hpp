#pragma once
// Errors of the p2p runtime (transport, upgrader, connections, streams, host).
#include <system_error>

#include "base/error.hpp"

namespace converge::p2p::io {

enum class io_errc {
  invalid_address = 1,  // a multiaddr that is not /ip4|ip6/<addr>/tcp/<port>[/p2p/<id>]
  listen_failed,        // bind or listen refused; detail names the address
  dial_failed,          // every address failed; detail lists each reason
  timeout,              // a dial or handshake passed its deadline
  handshake_failed,     // security or muxer negotiation failed; detail says where
  peer_id_mismatch,     // the remote is not the peer that was dialled
  connection_closed,    // the connection ended under a pending operation
  stream_reset,         // the remote (or we) reset the stream
  protocol_refused,     // multistream-select: the remote supports none of the protocols
  no_addresses,         // the peer is not connected and the peerstore knows no address
  backoff,              // the peer failed recently; dialling again is held back
  invalid_message,      // a protocol message (identify, ping, perf) is malformed
  limit,                // a bound was crossed; detail names the value and the limit
};
const std::error_category& io_category() noexcept;
inline std::error_code make_error_code(io_errc e) noexcept { return {static_cast<int>(e), io_category()}; }

}  // namespace converge::p2p::io

template <>
struct std::is_error_code_enum<converge::p2p::io::io_errc> : std::true_type {};
