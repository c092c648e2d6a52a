// Mesh formation and bounds, GRAFT/PRUNE/backoff, fanout, flood publishing,
// direct peers, PX and the output queue bound.
#include "harness.hpp"

namespace converge::pubsub::test {
namespace {

using mesh_test = router_fixture;

TEST_F(mesh_test, JoinGraftsDPeersAndHeartbeatKeepsBounds) {
  make_router();
  add_peers(20, "t");
  drain();
  ASSERT_TRUE(router->subscribe("t", now));
  EXPECT_EQ(router->mesh("t").size(), 6u);
  auto out = drain();
  EXPECT_EQ(count_control(out, nullptr, &pb::ControlMessage::graft_size), 6u);
  EXPECT_EQ(events_of<graft_event>().size(), 6u);
  heartbeat();
  EXPECT_GE(router->mesh("t").size(), 5u);
  EXPECT_LE(router->mesh("t").size(), 12u);
}

TEST_F(mesh_test, InboundGraftsPastDHighAreRefused) {
  make_router();
  add_peers(20, "t");
  ASSERT_TRUE(router->subscribe("t", now));
  drain();
  for (auto& p : peers) ASSERT_TRUE(router->handle_rpc(p.id, graft_rpc("t"), now));
  EXPECT_EQ(router->mesh("t").size(), 12u);
  EXPECT_EQ(count_control(drain(), nullptr, &pb::ControlMessage::prune_size), 8u);
}

TEST_F(mesh_test, OverDHighIsPrunedToD) {
  make_router();
  add_peers(20, "t", true);  // outbound peers may GRAFT past D_high
  ASSERT_TRUE(router->subscribe("t", now));
  for (auto& p : peers) ASSERT_TRUE(router->handle_rpc(p.id, graft_rpc("t"), now));
  EXPECT_EQ(router->mesh("t").size(), 20u);
  drain();
  heartbeat();
  EXPECT_EQ(router->mesh("t").size(), 6u);
  auto out = drain();
  EXPECT_EQ(count_control(out, nullptr, &pb::ControlMessage::prune_size), 14u);
  for (const auto& s : out)
    for (const auto& pr : s.rpc.control().prune()) EXPECT_EQ(pr.backoff(), 60u);
}

TEST_F(mesh_test, BelowDLowIsRefilled) {
  make_router();
  add_peers(3, "t");
  ASSERT_TRUE(router->subscribe("t", now));
  EXPECT_EQ(router->mesh("t").size(), 3u);
  add_peers(10, "t");
  heartbeat();
  EXPECT_EQ(router->mesh("t").size(), 6u);
}

TEST_F(mesh_test, OutboundQuotaIsKept) {
  make_router();
  add_peers(20, "t", false);
  add_peers(3, "t", true);
  ASSERT_TRUE(router->subscribe("t", now));
  for (auto& p : peers) ASSERT_TRUE(router->handle_rpc(p.id, graft_rpc("t"), now));
  heartbeat();
  std::size_t outbound = 0;
  for (const auto& p : router->mesh("t"))
    for (std::size_t i = 20; i < peers.size(); ++i) outbound += peers[i].id == p ? 1 : 0;
  EXPECT_GE(outbound, 2u);
}

TEST_F(mesh_test, PruneSetsBackoffAndPreventsRegraft) {
  make_router();
  add_peers(1, "t");
  ASSERT_TRUE(router->subscribe("t", now));
  ASSERT_EQ(router->mesh("t").size(), 1u);
  ASSERT_TRUE(router->handle_rpc(peers[0].id, prune_rpc("t", 30), now));
  EXPECT_TRUE(router->mesh("t").empty());
  EXPECT_TRUE(router->in_backoff("t", peers[0].id, now));
  EXPECT_EQ(events_of<prune_event>().size(), 1u);
  for (int i = 0; i < 29; ++i) heartbeat();
  EXPECT_TRUE(router->mesh("t").empty());
  for (int i = 0; i < 2; ++i) heartbeat();
  EXPECT_EQ(router->mesh("t").size(), 1u);  // backoff over: grafted again
}

TEST_F(mesh_test, GraftDuringBackoffIsPrunedAndPenalised) {
  make_router(scored_options());
  add_peers(1, "t");
  ASSERT_TRUE(router->subscribe("t", now));
  ASSERT_TRUE(router->handle_rpc(peers[0].id, prune_rpc("t"), now));
  drain();
  ASSERT_TRUE(router->handle_rpc(peers[0].id, graft_rpc("t"), now));
  EXPECT_TRUE(router->mesh("t").empty());
  auto out = drain();
  EXPECT_EQ(count_control(out, &peers[0].id, &pb::ControlMessage::prune_size), 1u);
  // Within the graft flood threshold: two P7 points, (2-0)^2 x -1.
  EXPECT_DOUBLE_EQ(router->scoring()->stats(peers[0].id)->behaviour_penalty, 2.0);
  EXPECT_LT(router->score(peers[0].id, now), 0);
}

TEST_F(mesh_test, NegativeScoreGraftIsRefused) {
  make_router(scored_options());
  ASSERT_TRUE(router->subscribe("t", now));
  auto id = add_peer("t").id;
  router->set_app_score(id, -5);
  ASSERT_TRUE(router->handle_rpc(id, graft_rpc("t"), now));
  EXPECT_TRUE(router->mesh("t").empty());
  EXPECT_EQ(count_control(drain(), &id, &pb::ControlMessage::prune_size), 1u);
  heartbeat();
  EXPECT_TRUE(router->mesh("t").empty());  // and the heartbeat does not graft it either
}

TEST_F(mesh_test, UnsubscribePrunesWithUnsubscribeBackoff) {
  make_router();
  add_peers(4, "t");
  ASSERT_TRUE(router->subscribe("t", now));
  drain();
  ASSERT_TRUE(router->unsubscribe("t", now));
  auto out = drain();
  std::size_t prunes = 0;
  for (const auto& s : out)
    for (const auto& pr : s.rpc.control().prune()) {
      EXPECT_EQ(pr.backoff(), 10u);
      ++prunes;
    }
  EXPECT_EQ(prunes, 4u);
  EXPECT_FALSE(router->subscribed("t"));
}

TEST_F(mesh_test, FanoutIsUsedThenExpires) {
  router_options o;
  o.gossip.flood_publish = false;
  make_router(o);
  add_peers(10, "t");
  drain();
  ASSERT_TRUE(router->publish("t", as_bytes("m1"), now));
  EXPECT_EQ(router->fanout("t").size(), 6u);
  EXPECT_EQ(receivers(drain()), router->fanout("t"));
  for (int i = 0; i < 60; ++i) heartbeat();
  EXPECT_EQ(router->fanout("t").size(), 6u);
  heartbeat();
  EXPECT_TRUE(router->fanout("t").empty());  // fanout TTL 60 s passed
}

TEST_F(mesh_test, FloodPublishReachesEveryTopicPeer) {
  make_router();
  add_peers(15, "t");
  add_peers(3, "other");
  ASSERT_TRUE(router->subscribe("t", now));
  drain();
  ASSERT_TRUE(router->publish("t", as_bytes("m"), now));
  EXPECT_EQ(receivers(drain()).size(), 15u);
}

TEST_F(mesh_test, MeshPublishWithoutFloodUsesMeshOnly) {
  router_options o;
  o.gossip.flood_publish = false;
  make_router(o);
  add_peers(15, "t");
  ASSERT_TRUE(router->subscribe("t", now));
  drain();
  ASSERT_TRUE(router->publish("t", as_bytes("m"), now));
  EXPECT_EQ(receivers(drain()), router->mesh("t"));
}

TEST_F(mesh_test, DirectPeersAreNeverMeshedButAlwaysForwardedTo) {
  auto dk = make_key(555);
  router_options o;
  o.gossip.flood_publish = false;
  o.direct_peers.insert(id_of_key(dk));
  make_router(o);
  ASSERT_TRUE(router->add_peer(id_of_key(dk), protocol::meshsub_v11, true, now));
  ASSERT_TRUE(router->handle_rpc(id_of_key(dk), sub_rpc("t"), now));
  add_peers(3, "t");
  ASSERT_TRUE(router->subscribe("t", now));
  EXPECT_FALSE(router->mesh("t").contains(id_of_key(dk)));
  ASSERT_TRUE(router->handle_rpc(id_of_key(dk), graft_rpc("t"), now));
  EXPECT_FALSE(router->mesh("t").contains(id_of_key(dk)));
  drain();
  ASSERT_TRUE(router->publish("t", as_bytes("m"), now));
  EXPECT_TRUE(receivers(drain()).contains(id_of_key(dk)));
}

TEST_F(mesh_test, FloodsubPeersGetMessagesButNoControl) {
  make_router();
  auto& fs = add_peer("t", false, protocol::floodsub_v10);
  auto fs_id = fs.id;
  add_peers(3, "t");
  ASSERT_TRUE(router->subscribe("t", now));
  EXPECT_FALSE(router->mesh("t").contains(fs_id));
  drain();
  auto& author = peers[1];
  ASSERT_TRUE(router->handle_rpc(author.id, publish_rpc(author.message("t", "x")), now));
  EXPECT_TRUE(receivers(drain()).contains(fs_id));
}

TEST_F(mesh_test, PeerExchangeAcceptedOnlyAboveThreshold) {
  auto o = scored_options();
  make_router(o);
  auto& good = add_peer("t");
  auto good_id = good.id;
  auto& bad = add_peer("t");
  auto bad_id = bad.id;
  ASSERT_TRUE(router->subscribe("t", now));
  router->set_app_score(good_id, 20);  // above accept_px_threshold 10
  events();
  auto px = prune_rpc("t", 60);
  auto cand = id_of_key(make_key(777));
  auto* info = px.mutable_control()->mutable_prune(0)->add_peers();
  info->set_peerid(cand.to_bytes().data(), cand.to_bytes().size());
  info->set_signedpeerrecord("opaque-record");
  ASSERT_TRUE(router->handle_rpc(good_id, px, now));
  auto got = events_of<px_event>();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].peers[0].first, cand.to_bytes());
  EXPECT_EQ(as_chars(got[0].peers[0].second), "opaque-record");
  ASSERT_TRUE(router->handle_rpc(bad_id, px, now));
  EXPECT_TRUE(events_of<px_event>().empty());
}

TEST_F(mesh_test, PruneCarriesPxWhenEnabled) {
  router_options o;
  o.gossip.do_px = true;
  make_router(o);
  add_peers(20, "t", true);
  for (auto& p : peers) ASSERT_TRUE(router->set_signed_peer_record(p.id, to_bytes("record of " + p.id.to_string())));
  ASSERT_TRUE(router->subscribe("t", now));
  for (auto& p : peers) ASSERT_TRUE(router->handle_rpc(p.id, graft_rpc("t"), now));
  drain();
  heartbeat();
  std::size_t with_px = 0;
  for (const auto& s : drain())
    for (const auto& pr : s.rpc.control().prune()) {
      with_px += pr.peers_size() > 0 ? 1 : 0;
      for (const auto& info : pr.peers()) {
        auto id = crypto::peer_id::from_bytes(as_bytes(info.peerid()));
        ASSERT_TRUE(id);
        EXPECT_NE(*id, s.peer);
        EXPECT_EQ(info.signedpeerrecord(), "record of " + id->to_string());
      }
    }
  EXPECT_GT(with_px, 0u);
}

TEST_F(mesh_test, OpportunisticGraftingAddsBetterPeers) {
  make_router(scored_options());
  add_peers(6, "t");
  ASSERT_TRUE(router->subscribe("t", now));
  ASSERT_EQ(router->mesh("t").size(), 6u);
  add_peers(4, "t");
  for (std::size_t i = 6; i < 10; ++i) router->set_app_score(peers[i].id, 5);
  for (int i = 0; i < 59; ++i) heartbeat();
  EXPECT_EQ(router->mesh("t").size(), 6u);
  heartbeat();  // tick 60: median mesh score (~0.6 from P1) is under the threshold 1
  auto mesh = router->mesh("t");
  EXPECT_EQ(mesh.size(), 8u);
  std::size_t better = 0;
  for (std::size_t i = 6; i < 10; ++i) better += mesh.contains(peers[i].id) ? 1 : 0;
  EXPECT_EQ(better, 2u);
}

TEST_F(mesh_test, OutputQueueIsBoundedAndCountsDrops) {
  router_options o;
  o.max_queued_rpcs = 5;
  make_router(o);
  add_peers(1, "t");
  drain();
  for (int i = 0; i < 8; ++i) ASSERT_TRUE(router->publish("t", as_bytes("m" + std::to_string(i)), now));
  EXPECT_EQ(router->queued_rpcs(peers[0].id), 5u);
  EXPECT_EQ(router->counters().dropped_rpcs, 3u);
  EXPECT_EQ(drain().size(), 5u);
}

TEST_F(mesh_test, JoinPrefersFanoutPeers) {
  router_options o;
  o.gossip.flood_publish = false;
  make_router(o);
  add_peers(20, "t");
  ASSERT_TRUE(router->publish("t", as_bytes("before joining"), now));
  auto fan = router->fanout("t");
  ASSERT_EQ(fan.size(), 6u);
  ASSERT_TRUE(router->subscribe("t", now));
  EXPECT_EQ(router->mesh("t"), fan);
  EXPECT_TRUE(router->fanout("t").empty());
}

TEST_F(mesh_test, EventQueueIsBoundedAndCountsDrops) {
  router_options o;
  o.max_events = 2;
  make_router(o);
  add_peers(6, "t");
  ASSERT_TRUE(router->subscribe("t", now));
  EXPECT_EQ(events().size(), 2u);
  EXPECT_EQ(router->counters().dropped_events, 4u);
}

TEST_F(mesh_test, OversizedReplyIsSplitPerMessage) {
  router_options o;
  o.max_rpc_size = 4096;
  o.max_message_size = 2048;
  make_router(o);
  add_peers(2, "t");
  ASSERT_TRUE(router->subscribe("t", now));
  pb::RPC iwant;
  auto* iw = iwant.mutable_control()->add_iwant();
  for (int i = 0; i < 5; ++i) {
    auto m = peers[0].message("t", std::string(1500, static_cast<char>('a' + i)));
    iw->add_messageids(default_message_id(m));
    ASSERT_TRUE(router->handle_rpc(peers[0].id, publish_rpc(m), now));
  }
  drain();
  ASSERT_TRUE(router->handle_rpc(peers[1].id, iwant, now));
  auto out = drain();
  EXPECT_EQ(out.size(), 5u);
  for (const auto& sent_rpc : out) EXPECT_EQ(sent_rpc.rpc.publish_size(), 1);
  EXPECT_EQ(router->counters().dropped_rpcs, 0u);
}

TEST_F(mesh_test, MeshsubV10PeersGetPlainPrunes) {
  make_router();
  add_peers(20, "t", true);
  auto old_id = add_peer("t", true, protocol::meshsub_v10).id;
  ASSERT_TRUE(router->subscribe("t", now));
  for (auto& p : peers) ASSERT_TRUE(router->handle_rpc(p.id, graft_rpc("t"), now));
  ASSERT_TRUE(router->unsubscribe("t", now));
  for (const auto& s : drain())
    for (const auto& pr : s.rpc.control().prune()) {
      EXPECT_EQ(pr.has_backoff(), s.peer != old_id);  // v1.0 has no backoff field
    }
}

TEST_F(mesh_test, CreateValidatesOptions) {
  EXPECT_TRUE(gossip_router::create(make_key(1), rng, scored_options(), now));
  auto expect_bad = [&](router_options o) {
    auto r = gossip_router::create(make_key(1), rng, std::move(o), now);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, pubsub_errc::invalid_argument);
  };
  router_options o;
  o.gossip.d_low = 7;
  expect_bad(o);
  o = {};
  o.gossip.d_out = 5;
  expect_bad(o);
  o = {};
  o.thresholds.publish_threshold = -5;  // above gossip -10
  expect_bad(o);
  o = scored_options();
  o.score->topics["t"].invalid_message_deliveries_weight = 1;
  expect_bad(o);
  o = scored_options();
  o.score->topics["t"].first_message_deliveries_decay = 1;
  expect_bad(o);
}

TEST_F(mesh_test, ApiErrors) {
  make_router();
  auto stranger = id_of_key(make_key(99));
  EXPECT_EQ(router->handle_rpc(stranger, pb::RPC{}, now).error().code, pubsub_errc::unknown_peer);
  EXPECT_EQ(router->unsubscribe("nope", now).error().code, pubsub_errc::not_subscribed);
  EXPECT_EQ(router->subscribe("", now).error().code, pubsub_errc::invalid_topic);
  auto& p = add_peer("");
  EXPECT_EQ(router->add_peer(p.id, protocol::meshsub_v11, false, now).error().code, pubsub_errc::duplicate_peer);
  bytes big(2 * 1024 * 1024);
  EXPECT_EQ(router->publish("t", big, now).error().code, pubsub_errc::message_too_large);
  bytes garbage{0xff, 0xff};
  EXPECT_EQ(router->handle_rpc(p.id, garbage, now).error().code, pubsub_errc::malformed_rpc);
  EXPECT_EQ(router->set_signed_peer_record(stranger, {}).error().code, pubsub_errc::unknown_peer);
  EXPECT_EQ(router->set_signed_peer_record(p.id, bytes(5000)).error().code, pubsub_errc::invalid_argument);
}

}  // namespace
}  // namespace converge::pubsub::test
