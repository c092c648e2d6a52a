#pragma once
// Direct-call harness for gossip_router tests (the rust-libp2p style): the
// router under test talks to scripted peers; tests inject RPCs with
// handle_rpc(), run heartbeat() by hand and decode what poll_send() yields.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <vector>

#include "base/rng.hpp"
#include "crypto/keys.hpp"
#include "crypto/peer_id.hpp"
#include "pubsub/errors.hpp"
#include "pubsub/framing.hpp"
#include "pubsub/router.hpp"

namespace converge::pubsub::test {

inline crypto::private_key make_key(std::uint64_t seed) {
  deterministic_rng r(seed);
  return *crypto::private_key::generate(crypto::key_type::ed25519, r);
}
inline crypto::peer_id id_of_key(const crypto::private_key& k) { return crypto::peer_id::from_public_key(k.public_key()); }

struct scripted_peer {
  crypto::private_key key;
  crypto::peer_id id;
  std::uint64_t seqno = 0;

  // A message authored (and signed) by this peer.
  pb::Message message(const std::string& topic, std::string_view data) {
    pb::Message m;
    m.set_from(id.to_bytes().data(), id.to_bytes().size());
    m.set_data(std::string(data));
    std::string s(8, '\0');
    s[7] = static_cast<char>(++seqno);
    s[6] = static_cast<char>(seqno >> 8);
    m.set_seqno(s);
    m.set_topic(topic);
    EXPECT_TRUE(sign_message(m, key));
    return m;
  }
};

inline pb::RPC sub_rpc(const std::string& topic, bool on = true) {
  pb::RPC r;
  auto* s = r.add_subscriptions();
  s->set_subscribe(on);
  s->set_topicid(topic);
  return r;
}
inline pb::RPC publish_rpc(const pb::Message& m) {
  pb::RPC r;
  *r.add_publish() = m;
  return r;
}
inline pb::RPC graft_rpc(const std::string& topic) {
  pb::RPC r;
  r.mutable_control()->add_graft()->set_topicid(topic);
  return r;
}
inline pb::RPC prune_rpc(const std::string& topic, std::optional<std::uint64_t> backoff = {}) {
  pb::RPC r;
  auto* p = r.mutable_control()->add_prune();
  p->set_topicid(topic);
  if (backoff) p->set_backoff(*backoff);
  return r;
}

struct sent {
  crypto::peer_id peer;
  pb::RPC rpc;
};

class router_fixture : public ::testing::Test {
 protected:
  deterministic_rng rng{42};
  instant now = instant{} + std::chrono::hours(24);
  std::unique_ptr<gossip_router> router;
  std::vector<scripted_peer> peers;
  std::uint64_t next_seed = 1000;

  static router_options scored_options(const std::string& topic = "t") {
    router_options o;
    score_params sp;
    topic_score_params tp;
    sp.topics[topic] = tp;
    o.score = sp;
    return o;
  }

  void make_router(router_options o = {}) {
    router = std::make_unique<gossip_router>(make_key(1), rng, std::move(o), now);
  }

  scripted_peer& add_peer(const std::string& topic, bool outbound = false, protocol proto = protocol::meshsub_v12,
                          std::string ip = {}) {
    auto k = make_key(next_seed++);
    peers.push_back({k, id_of_key(k)});
    auto& p = peers.back();
    EXPECT_TRUE(router->add_peer(p.id, proto, outbound, now, ip));
    if (!topic.empty()) {
      EXPECT_TRUE(router->handle_rpc(p.id, sub_rpc(topic), now));
    }
    return p;
  }
  void add_peers(std::size_t n, const std::string& topic, bool outbound = false) {
    peers.reserve(peers.size() + n + 64);
    for (std::size_t i = 0; i < n; ++i) add_peer(topic, outbound);
  }

  std::vector<sent> drain() {
    std::vector<sent> out;
    while (auto o = router->poll_send()) {
      auto rpc = decode_rpc(o->rpc);
      EXPECT_TRUE(rpc);
      out.push_back({o->peer, *rpc});
    }
    return out;
  }
  std::vector<router_event> events() {
    std::vector<router_event> out;
    while (auto e = router->poll_event()) out.push_back(std::move(*e));
    return out;
  }
  template <class E>
  std::vector<E> events_of() {
    std::vector<E> out;
    for (auto& e : events()) {
      if (auto* x = std::get_if<E>(&e)) out.push_back(std::move(*x));
    }
    return out;
  }
  void advance(duration d) { now += d; }
  void heartbeat() {
    advance(std::chrono::seconds(1));
    router->heartbeat(now);
  }
  // Peers that received a message (publish) in `out`.
  static std::set<crypto::peer_id> receivers(const std::vector<sent>& out) {
    std::set<crypto::peer_id> r;
    for (const auto& s : out)
      if (s.rpc.publish_size() > 0) r.insert(s.peer);
    return r;
  }
  static std::size_t count_control(const std::vector<sent>& out, const crypto::peer_id* only,
                                   int (pb::ControlMessage::*field)() const) {
    std::size_t n = 0;
    for (const auto& s : out)
      if ((!only || s.peer == *only) && s.rpc.has_control()) n += static_cast<std::size_t>((s.rpc.control().*field)());
    return n;
  }
};

}  // namespace converge::pubsub::test
