// A Noise initiator (expecting a given peer) fed arbitrary bytes as the
// responder's side of the handshake.
#include <cstdlib>

#include "crypto/peer_id.hpp"
#include "fuzz_support.hpp"
#include "p2p/security/noise_session.hpp"

using namespace converge;
using namespace converge::p2p::security;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  deterministic_rng r(4);
  noise_config cfg(fuzzing::key(0));
  cfg.stream_muxers = {"/yamux/1.0.0", "/mplex/6.7.0"};
  cfg.expected_peer = crypto::peer_id::from_public_key(fuzzing::key(1).public_key());
  noise_session s(role::initiator, std::move(cfg), r, fuzzing::start());
  fuzzing::drain(s);
  fuzzing::feed_chunked(s, data, size);
  s.handle_timeout(fuzzing::start() + std::chrono::seconds{11});
  fuzzing::drain(s);
  if (s.state() == channel_state::handshaking) std::abort();  // the timeout must have ended it
  return 0;
}
