// Arbitrary RPC payloads into a scoring router subscribed to the topic, then a
// heartbeat: nothing may crash, and every RPC the router emits must re-parse.
#include <cstdlib>

#include "pubsub/router.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace converge;
  static const auto key = [] {
    deterministic_rng r(1);
    return *crypto::private_key::generate(crypto::key_type::ed25519, r);
  }();
  static const auto peer = [] {
    deterministic_rng r(2);
    return crypto::peer_id::from_public_key(crypto::private_key::generate(crypto::key_type::ed25519, r)->public_key());
  }();
  deterministic_rng rng(3);
  instant now{std::chrono::hours(24)};
  pubsub::router_options o;
  o.score = pubsub::score_params{};
  o.score->topics["t"] = {};
  o.gossip.do_px = true;
  pubsub::gossip_router r(key, rng, o, now);
  (void)r.add_peer(peer, pubsub::protocol::meshsub_v12, true, now, "10.0.0.1");
  (void)r.subscribe("t", now);
  (void)r.handle_rpc(peer, bytes_view(data, size), now);
  r.heartbeat(now + std::chrono::seconds(1));
  while (auto out = r.poll_send())
    if (!pubsub::decode_rpc(out->rpc)) std::abort();
  while (r.poll_event()) {
  }
  return 0;
}
