#pragma once
// Helpers shared by the security tests: hex literals and an rng that hands
// out scripted bytes first (fixed ephemeral keys), then a deterministic stream.
#include <deque>
#include <functional>
#include <stdexcept>

#include "base/bytes.hpp"
#include "base/rng.hpp"

namespace converge::p2p::security::testing {

inline bytes hex(std::string_view h) {
  auto r = from_hex(h);
  if (!r) throw std::invalid_argument("bad hex in test");
  return *r;
}

class scripted_rng final : public rng {
 public:
  explicit scripted_rng(std::deque<bytes> script, std::uint64_t seed = 99) : script_(std::move(script)), rest_(seed) {}
  void fill(std::span<std::uint8_t> out) override {
    if (!script_.empty() && script_.front().size() == out.size()) {
      std::copy(script_.front().begin(), script_.front().end(), out.begin());
      script_.pop_front();
      return;
    }
    rest_.fill(out);
  }

 private:
  std::deque<bytes> script_;
  deterministic_rng rest_;
};

}  // namespace converge::p2p::security::testing

#include <optional>
#include <variant>

#include "crypto/keys.hpp"
#include "crypto/peer_id.hpp"
#include "p2p/security/channel.hpp"

namespace converge::p2p::security::testing {

inline instant t0() { return instant{std::chrono::hours{1}}; }

inline crypto::private_key make_key(std::uint64_t seed, crypto::key_type type = crypto::key_type::ed25519) {
  deterministic_rng r(seed);
  auto k = crypto::private_key::generate(type, r);
  if (!k) throw std::runtime_error("key generation failed: " + k.error().message());
  return *k;
}

inline crypto::peer_id peer_of(const crypto::private_key& k) { return crypto::peer_id::from_public_key(k.public_key()); }

// Two channels wired back to back. Bytes travel in chunks of at most `chunk`;
// after `cut_after` delivered bytes the link breaks and both sides get
// handle_eof(). Time does not move unless the test moves `now`.
struct wire_link {
  wire_link(secure_channel& x, secure_channel& y) : a(x), b(y) {}

  secure_channel& a;
  secure_channel& b;
  instant now = t0();
  std::size_t chunk = SIZE_MAX;
  std::optional<std::size_t> cut_after;
  std::size_t delivered = 0;
  bool cut = false;
  bytes a_to_b, b_to_a;  // on the wire, not yet delivered
  // Applied to every transmit from a (resp. b) as it goes on the wire.
  std::function<void(bytes&)> tamper_a, tamper_b;

  void collect() {
    bytes buf;
    while (a.poll_transmit(buf)) {
      if (tamper_a) tamper_a(buf);
      append(a_to_b, buf);
    }
    while (b.poll_transmit(buf)) {
      if (tamper_b) tamper_b(buf);
      append(b_to_a, buf);
    }
  }
  bool deliver(bytes& wire, secure_channel& to) {
    if (wire.empty() || cut) return false;
    // A driver stops reading while the channel has no room (backpressure).
    std::size_t n = std::min({wire.size(), chunk, to.input_room()});
    if (cut_after) n = std::min(n, *cut_after - delivered);
    if (n > 0) {
      to.handle_input(bytes_view(wire).first(n), now);
      wire.erase(wire.begin(), wire.begin() + static_cast<std::ptrdiff_t>(n));
      delivered += n;
    }
    if (cut_after && delivered >= *cut_after) {
      cut = true;
      a.handle_eof();
      b.handle_eof();
    }
    return n > 0;
  }
  // Runs until nothing moves at this instant.
  void pump(std::size_t max_steps = 100'000'000) {
    for (std::size_t i = 0; i < max_steps; ++i) {
      collect();
      bool moved = deliver(a_to_b, b);
      moved |= deliver(b_to_a, a);
      if (!moved) {
        collect();
        if (a_to_b.empty() && b_to_a.empty()) return;
        if (cut) return;
      }
    }
  }
};

inline std::vector<channel_event> drain(secure_channel& c) {
  std::vector<channel_event> out;
  while (auto e = c.poll_event()) out.push_back(std::move(*e));
  return out;
}

inline bytes read_all(secure_channel& c) {
  bytes out;
  while (auto v = c.poll_read()) append(out, *v);
  return out;
}

}  // namespace converge::p2p::security::testing
