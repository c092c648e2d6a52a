#pragma once
// Ping (/ipfs/ping/1.0.0): the initiator sends 32 random bytes, the
// responder echoes every 32-byte block until the stream closes.
#include <memory>

#include "p2p/io/host.hpp"

namespace converge::p2p::io {

inline constexpr std::string_view ping_protocol_id = "/ipfs/ping/1.0.0";
inline constexpr std::size_t ping_size = 32;

task<void> serve_ping(stream s);
// One round trip on a new stream; fails if the echo differs.
task<result<duration>> ping(std::shared_ptr<host> h, crypto::peer_id peer);

}  // namespace converge::p2p::io
