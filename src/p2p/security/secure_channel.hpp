#pragma once
// One entry point for the connection upgrader: after multistream-select
// agreed on a security protocol id, make_secure_channel() builds the matching
// core. The upgrader offers supported_security_protocols() in that order
// (Noise first; plaintext only when a test or interop suite enables it).
#include <memory>
#include <span>

#include "p2p/security/noise_session.hpp"
#include "p2p/security/plaintext_session.hpp"

namespace converge::p2p::security {

struct security_options {
  // Early muxer negotiation (Noise only), most preferred first.
  std::vector<std::string> stream_muxers;
  // Dialer: the peer expected at the other end, if known.
  std::optional<crypto::peer_id> expected_peer;
  duration handshake_timeout = std::chrono::seconds{10};
  // /plaintext/2.0.0 is refused unless enabled: it authenticates nothing.
  bool allow_plaintext = false;
  // Encrypted output not yet polled, at most (the channel's max_pending_output).
  std::size_t max_pending_output = std::size_t{1} << 20;
};

// The protocol ids this build can secure a connection with, preferred first.
std::vector<std::string> supported_security_protocols(const security_options& options);

// Fails with invalid_state for a protocol id that is not supported (or
// plaintext while not allowed), invalid_payload for options over a bound.
result<std::unique_ptr<secure_channel>> make_secure_channel(std::string_view protocol_id, role self,
                                                            const crypto::private_key& identity,
                                                            const security_options& options, rng& r, instant now);

}  // namespace converge::p2p::security
