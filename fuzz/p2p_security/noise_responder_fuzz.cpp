// A Noise responder fed arbitrary bytes in arbitrary chunks: every input ends
// in a clean state (handshaking, or failed with a reason), never a crash.
#include <cstdlib>

#include "fuzz_support.hpp"
#include "p2p/security/noise_session.hpp"

using namespace converge;
using namespace converge::p2p::security;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  deterministic_rng r(3);
  noise_config cfg(fuzzing::key(1));
  cfg.stream_muxers = {"/yamux/1.0.0"};
  noise_session s(role::responder, std::move(cfg), r, fuzzing::start());
  fuzzing::feed_chunked(s, data, size);
  s.handle_eof();
  fuzzing::drain(s);
  if (s.state() == channel_state::failed && !s.failure()) std::abort();
  return 0;
}
