// Lazy gossip (IHAVE/IWANT, promises), IDONTWANT and graylisting.
#include "harness.hpp"

namespace converge::pubsub::test {
namespace {

using gossip_test = router_fixture;

pb::RPC ihave_rpc(const std::string& topic, const std::vector<std::string>& ids) {
  pb::RPC r;
  auto* ih = r.mutable_control()->add_ihave();
  ih->set_topicid(topic);
  for (const auto& id : ids) ih->add_messageids(id);
  return r;
}
pb::RPC iwant_rpc(const std::vector<std::string>& ids) {
  pb::RPC r;
  auto* iw = r.mutable_control()->add_iwant();
  for (const auto& id : ids) iw->add_messageids(id);
  return r;
}

TEST_F(gossip_test, IhaveIsAnsweredWithIwantAndTheMessageIsRecovered) {
  make_router();
  add_peers(2, "t");
  ASSERT_TRUE(router->subscribe("t", now));
  scripted_peer author{make_key(4242), id_of_key(make_key(4242))};
  auto m = author.message("t", "lost on the mesh");
  auto id = default_message_id(m);
  drain();
  ASSERT_TRUE(router->handle_rpc(peers[0].id, ihave_rpc("t", {id}), now));
  auto out = drain();
  ASSERT_EQ(out.size(), 1u);
  ASSERT_EQ(out[0].rpc.control().iwant(0).messageids(0), id);
  ASSERT_TRUE(router->handle_rpc(peers[0].id, publish_rpc(m), now));
  auto got = events_of<message_event>();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].message.data(), "lost on the mesh");
  // The promise was kept: no penalty later.
  for (int i = 0; i < 5; ++i) heartbeat();
  EXPECT_EQ(router->counters().broken_promises, 0u);
}

TEST_F(gossip_test, BrokenIwantPromiseIsPenalised) {
  make_router(scored_options());
  add_peers(1, "t");
  ASSERT_TRUE(router->subscribe("t", now));
  ASSERT_TRUE(router->handle_rpc(peers[0].id, ihave_rpc("t", {"never-delivered"}), now));
  heartbeat();
  heartbeat();
  EXPECT_EQ(router->counters().broken_promises, 0u);  // followup time is 3 s
  heartbeat();
  EXPECT_EQ(router->counters().broken_promises, 1u);
  EXPECT_GT(router->scoring()->stats(peers[0].id)->behaviour_penalty, 0.0);
}

TEST_F(gossip_test, IhaveFloodIsBounded) {
  make_router();
  add_peers(1, "t");
  ASSERT_TRUE(router->subscribe("t", now));
  drain();
  for (int i = 0; i < 15; ++i) ASSERT_TRUE(router->handle_rpc(peers[0].id, ihave_rpc("t", {"id" + std::to_string(i)}), now));
  EXPECT_EQ(count_control(drain(), nullptr, &pb::ControlMessage::iwant_size), 10u);  // max_ihave_messages
  std::vector<std::string> many;
  for (int i = 0; i < 6000; ++i) many.push_back("x" + std::to_string(i));
  heartbeat();
  drain();
  ASSERT_TRUE(router->handle_rpc(peers[0].id, ihave_rpc("t", many), now));
  auto out = drain();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].rpc.control().iwant(0).messageids_size(), 5000);  // max_ihave_length
}

TEST_F(gossip_test, IwantIsServedFromTheCacheWithARetransmissionBound) {
  make_router();
  add_peers(2, "t");
  ASSERT_TRUE(router->subscribe("t", now));
  auto m = peers[0].message("t", "cached");
  auto id = default_message_id(m);
  ASSERT_TRUE(router->handle_rpc(peers[0].id, publish_rpc(m), now));
  drain();
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(router->handle_rpc(peers[1].id, iwant_rpc({id}), now));
    auto out = drain();
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].rpc.publish(0).data(), "cached");
  }
  ASSERT_TRUE(router->handle_rpc(peers[1].id, iwant_rpc({id}), now));
  EXPECT_TRUE(drain().empty());
  // After mcache_len heartbeats the message is gone from the cache.
  for (int i = 0; i < 5; ++i) heartbeat();
  EXPECT_EQ(router->mcache().get(id), nullptr);
}

TEST_F(gossip_test, HeartbeatGossipsToNonMeshPeers) {
  make_router();
  add_peers(40, "t");
  ASSERT_TRUE(router->subscribe("t", now));
  auto m = peers[0].message("t", "gossip me");
  ASSERT_TRUE(router->handle_rpc(peers[0].id, publish_rpc(m), now));
  drain();
  heartbeat();
  auto out = drain();
  auto mesh = router->mesh("t");
  std::size_t ihave_peers = 0;
  for (const auto& s : out)
    if (s.rpc.control().ihave_size() > 0) {
      EXPECT_FALSE(mesh.contains(s.peer));
      EXPECT_EQ(s.rpc.control().ihave(0).messageids(0), default_message_id(m));
      ++ihave_peers;
    }
  // Adaptive: max(D_lazy 6, 0.25 x 34 eligible) = 8.
  EXPECT_EQ(ihave_peers, 8u);
}

TEST_F(gossip_test, IdontwantSuppressesForwarding) {
  router_options o;
  make_router(o);
  add_peers(3, "t");
  ASSERT_TRUE(router->subscribe("t", now));
  ASSERT_EQ(router->mesh("t").size(), 3u);
  auto m = peers[0].message("t", "small");
  pb::RPC idw;
  idw.mutable_control()->add_idontwant()->add_messageids(default_message_id(m));
  ASSERT_TRUE(router->handle_rpc(peers[1].id, idw, now));
  drain();
  ASSERT_TRUE(router->handle_rpc(peers[0].id, publish_rpc(m), now));
  auto r = receivers(drain());
  EXPECT_FALSE(r.contains(peers[1].id));
  EXPECT_TRUE(r.contains(peers[2].id));
  EXPECT_EQ(router->counters().idontwant_skips, 1u);
}

TEST_F(gossip_test, LargeMessageTriggersIdontwantToV12MeshPeers) {
  make_router();
  add_peers(2, "t");
  auto old_id = add_peer("t", false, protocol::meshsub_v11).id;
  ASSERT_TRUE(router->subscribe("t", now));
  drain();
  auto m = peers[0].message("t", std::string(2000, 'x'));
  ASSERT_TRUE(router->handle_rpc(peers[0].id, publish_rpc(m), now));
  auto out = drain();
  EXPECT_EQ(count_control(out, &peers[1].id, &pb::ControlMessage::idontwant_size), 1u);
  EXPECT_EQ(count_control(out, &peers[0].id, &pb::ControlMessage::idontwant_size), 0u);  // the sender
  EXPECT_EQ(count_control(out, &old_id, &pb::ControlMessage::idontwant_size), 0u);     // v1.1 peer
}

TEST_F(gossip_test, GraylistedPeerIsIgnored) {
  make_router(scored_options());
  add_peers(1, "t");
  ASSERT_TRUE(router->subscribe("t", now));
  router->set_app_score(peers[0].id, -100);  // below graylist -80
  ASSERT_TRUE(router->handle_rpc(peers[0].id, publish_rpc(peers[0].message("t", "x")), now));
  EXPECT_TRUE(events_of<message_event>().empty());
  EXPECT_EQ(router->counters().graylisted_rpcs, 1u);
  // Even its subscriptions are not heard.
  ASSERT_TRUE(router->handle_rpc(peers[0].id, sub_rpc("t2"), now));
  EXPECT_FALSE(router->peer_subscribed(peers[0].id, "t2"));
  router->set_app_score(peers[0].id, 0);
  ASSERT_TRUE(router->handle_rpc(peers[0].id, sub_rpc("t2"), now));
  EXPECT_TRUE(router->peer_subscribed(peers[0].id, "t2"));
}

TEST_F(gossip_test, LowScorePeersGetNoGossipAndTheirIhaveIsIgnored) {
  make_router(scored_options());
  add_peers(1, "t");
  ASSERT_TRUE(router->subscribe("t", now));
  router->set_app_score(peers[0].id, -20);  // below gossip -10, above graylist
  drain();
  ASSERT_TRUE(router->handle_rpc(peers[0].id, ihave_rpc("t", {"abc"}), now));
  EXPECT_TRUE(drain().empty());
}

}  // namespace
}  // namespace converge::pubsub::test
