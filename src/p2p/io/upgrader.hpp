#pragma once
// The connection upgrader: raw TCP socket -> secure, multiplexed connection.
//   1. multistream-select for the security protocol (/noise, and
//      /plaintext/2.0.0 only when allowed), the dialer proposing;
//   2. the secure channel's handshake (src/p2p/security), which checks the
//      remote's peer id when the dialer expects one;
//   3. the muxer: Noise's early negotiation when both sides offered
//      /yamux/1.0.0 in the handshake, otherwise multistream-select for
//      /yamux/1.0.0 inside the secure channel.
// The whole upgrade runs under one deadline (options.handshake_timeout): a
// peer that stalls is cut off, the socket closed, and the error says where.
#include <memory>
#include <string>

#include "base/rng.hpp"
#include "p2p/io/asio.hpp"
#include "p2p/security/secure_channel.hpp"

namespace converge::p2p::io {

inline constexpr std::string_view yamux_protocol_id = "/yamux/1.0.0";

struct upgrade_options {
  security::security_options security;  // expected_peer is set per dial
  // Offered or accepted security protocols; empty: supported_security_protocols(security).
  std::vector<std::string> security_protocols;
  duration handshake_timeout = std::chrono::seconds{10};
};

struct upgraded {
  tcp::socket socket;
  std::unique_ptr<security::secure_channel> channel;
  // Plaintext already taken out of the channel that belongs to the muxer (it
  // goes to Yamux before anything the channel still holds or the socket brings).
  bytes muxer_input;
  crypto::peer_id remote_peer;
  crypto::public_key remote_key;
  std::string security_protocol;
  bool early_muxer = false;  // the muxer was agreed inside the Noise handshake
};

task<result<upgraded>> upgrade(tcp::socket socket, security::role self, const crypto::private_key& identity,
                               upgrade_options options, rng& r);

}  // namespace converge::p2p::io
