// Transport frames between two established sessions. Input byte 0 picks the
// mode: even = the rest is plaintext the initiator sends, with one wire byte
// flipped at the position given by bytes 1-2 (a flip inside the stream must be
// caught, an untouched stream must arrive intact); odd = the rest is raw wire
// bytes handed to the responder.
#include <cstdlib>

#include "fuzz_support.hpp"
#include "p2p/security/noise_session.hpp"

using namespace converge;
using namespace converge::p2p::security;

namespace {

struct established {
  deterministic_rng ri{5}, rr{6};
  noise_session init{role::initiator, noise_config(fuzzing::key(0)), ri, fuzzing::start()};
  noise_session resp{role::responder, noise_config(fuzzing::key(1)), rr, fuzzing::start()};
  established() {
    bytes buf;
    for (int i = 0; i < 3; ++i) {
      while (init.poll_transmit(buf)) resp.handle_input(buf, fuzzing::start());
      while (resp.poll_transmit(buf)) init.handle_input(buf, fuzzing::start());
    }
    if (init.state() != channel_state::established || resp.state() != channel_state::established) std::abort();
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  established p;
  if (data[0] % 2 == 1) {
    fuzzing::feed_chunked(p.resp, data + 1, size - 1);
    p.resp.handle_eof();
    fuzzing::drain(p.resp);
    return 0;
  }
  bytes_view plain(data + 3, size - 3);
  if (!p.init.send(plain)) std::abort();
  bytes wire;
  if (!plain.empty() && !p.init.poll_transmit(wire)) std::abort();
  std::size_t flip = (std::size_t{data[1]} << 8 | data[2]) * 4;
  bool tampered = flip < wire.size();
  if (tampered) wire[flip] ^= 0x01;
  p.resp.handle_input(wire, fuzzing::start());
  bytes got;
  while (auto v = p.resp.poll_read()) append(got, *v);
  p.resp.handle_eof();
  if (!tampered && !equal(got, plain)) std::abort();
  // A flipped length byte may leave a frame incomplete (caught at eof) or
  // misframe the stream (caught by the tag); either way the session failed.
  if (tampered && p.resp.state() != channel_state::failed) std::abort();
  return 0;
}
