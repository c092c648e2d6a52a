#pragma once
// Fixed identities for the security fuzz targets: created once, so each run
// spends its time in the code under test, not in key generation.
#include "base/rng.hpp"
#include "crypto/keys.hpp"
#include "p2p/security/channel.hpp"

namespace converge::p2p::security::fuzzing {

inline const crypto::private_key& key(int which) {
  static const crypto::private_key keys[2] = {
      [] { deterministic_rng r(1); return *crypto::private_key::generate(crypto::key_type::ed25519, r); }(),
      [] { deterministic_rng r(2); return *crypto::private_key::generate(crypto::key_type::ed25519, r); }(),
  };
  return keys[which];
}

inline instant start() { return instant{std::chrono::hours{1}}; }

// Drains everything a channel can produce, as a driver would.
inline void drain(secure_channel& c) {
  bytes out;
  while (c.poll_transmit(out)) {
  }
  while (c.poll_event()) {
  }
  while (c.poll_read()) {
  }
}

// Feeds `data` in chunks whose sizes come from the data itself.
inline void feed_chunked(secure_channel& c, const std::uint8_t* data, std::size_t size) {
  if (size == 0) return;
  std::size_t chunk = 1 + data[0] % 64;
  std::size_t pos = 1;
  while (pos < size && c.state() != channel_state::failed) {
    std::size_t n = std::min(chunk, size - pos);
    c.handle_input({data + pos, n}, start());
    drain(c);
    pos += n;
  }
}

}  // namespace converge::p2p::security::fuzzing
