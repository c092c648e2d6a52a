// A /plaintext/2.0.0 responder fed arbitrary bytes in arbitrary chunks.
#include <cstdlib>

#include "fuzz_support.hpp"
#include "p2p/security/plaintext_session.hpp"

using namespace converge;
using namespace converge::p2p::security;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  plaintext_session s(role::responder, plaintext_config(fuzzing::key(1).public_key()), fuzzing::start());
  fuzzing::feed_chunked(s, data, size);
  s.handle_eof();
  fuzzing::drain(s);
  if (s.state() == channel_state::handshaking) std::abort();  // eof must end a pending exchange
  return 0;
}
