// Peer scoring P1..P7, decay, retention and the score band events.
#include "pubsub/score.hpp"

#include "harness.hpp"

namespace converge::pubsub::test {
namespace {

struct score_fixture : ::testing::Test {
  instant now = instant{} + std::chrono::hours(24);
  crypto::peer_id a = id_of_key(make_key(1)), b = id_of_key(make_key(2)), c = id_of_key(make_key(3));
  static score_params params() {
    score_params sp;
    topic_score_params tp;
    tp.mesh_message_deliveries_weight = -1;
    tp.mesh_message_deliveries_threshold = 4;
    tp.mesh_message_deliveries_activation = 5s;
    tp.mesh_failure_penalty_weight = -1;
    sp.topics["t"] = tp;
    return sp;
  }
};

TEST_F(score_fixture, P1TimeInMeshGrowsToItsCap) {
  auto sp = params();
  sp.topics["t"].mesh_message_deliveries_weight = 0;
  sp.topics["t"].time_in_mesh_cap = 10;
  peer_score s(sp, 120s, now);
  s.add_peer(a, "", now);
  s.graft(a, "t", now);
  EXPECT_DOUBLE_EQ(s.score(a, now + 4s), 0.04);
  EXPECT_DOUBLE_EQ(s.score(a, now + 100s), 0.1);
}

TEST_F(score_fixture, P2FirstDeliveriesCountAndDecay) {
  peer_score s(params(), 120s, now);
  s.add_peer(a, "", now);
  s.add_peer(b, "", now);
  s.validate_message(a, "m1", now);
  s.deliver_message(a, "m1", "t", now);
  s.duplicate_message(b, "m1", "t", now);  // b was second: no P2
  s.validate_message(a, "m2", now);
  s.deliver_message(a, "m2", "t", now);
  EXPECT_DOUBLE_EQ(s.score(a, now), 2.0);
  EXPECT_DOUBLE_EQ(s.score(b, now), 0.0);
  s.refresh(now + 1s);
  EXPECT_DOUBLE_EQ(s.score(a, now + 1s), 1.0);  // decay 0.5
  for (int i = 2; i < 12; ++i) s.refresh(now + std::chrono::seconds(i));
  EXPECT_DOUBLE_EQ(s.stats(a)->topics.at("t").first_message_deliveries, 0.0);  // decayed to zero
}

TEST_F(score_fixture, P3DeficitAfterActivationAndP3bOnPrune) {
  peer_score s(params(), 120s, now);
  s.add_peer(a, "", now);
  s.graft(a, "t", now);
  EXPECT_DOUBLE_EQ(s.score(a, now + 4s), 0.04);  // P1 only: not active yet
  s.validate_message(a, "m1", now + 4s);
  s.deliver_message(a, "m1", "t", now + 4s);  // 1 of threshold 4
  // Active at 5 s: deficit 3, -9; P2 +1; P1 +0.06.
  EXPECT_NEAR(s.score(a, now + 6s), 0.06 + 1 - 9, 1e-9);
  s.refresh(now + 6s);  // decays to 0.5 mesh deliveries, marks active
  s.prune(a, "t");
  // P3b: deficit (4 - 0.5)^2 = 12.25 remembered after leaving the mesh.
  EXPECT_DOUBLE_EQ(s.stats(a)->topics.at("t").mesh_failure_penalty, 12.25);
  EXPECT_LT(s.score(a, now + 6s), -11);
}

TEST_F(score_fixture, P3CountsNearFirstDeliveriesFromMeshPeers) {
  auto sp = params();
  sp.topics["t"].mesh_message_deliveries_window = 10ms;
  peer_score s(sp, 120s, now);
  s.add_peer(a, "", now);
  s.add_peer(b, "", now);
  s.graft(b, "t", now);
  s.validate_message(a, "m", now);
  s.deliver_message(a, "m", "t", now);
  s.duplicate_message(b, "m", "t", now + 5ms);
  EXPECT_DOUBLE_EQ(s.stats(b)->topics.at("t").mesh_message_deliveries, 1.0);
  s.validate_message(a, "m2", now);
  s.deliver_message(a, "m2", "t", now);
  s.duplicate_message(b, "m2", "t", now + 50ms);  // outside the window
  EXPECT_DOUBLE_EQ(s.stats(b)->topics.at("t").mesh_message_deliveries, 1.0);
}

TEST_F(score_fixture, P4IsSquared) {
  peer_score s(params(), 120s, now);
  s.add_peer(a, "", now);
  for (int i = 0; i < 3; ++i) s.reject_message(a, "x" + std::to_string(i), "t", reject_reason::invalid_signature);
  EXPECT_DOUBLE_EQ(s.score(a, now), -9.0);
  s.refresh(now + 1s);  // decay 0.3: 0.9 -> -0.81
  EXPECT_NEAR(s.score(a, now + 1s), -0.81, 1e-9);
}

TEST_F(score_fixture, P5AppSpecific) {
  auto sp = params();
  sp.app_specific_weight = 2;
  peer_score s(sp, 120s, now);
  s.add_peer(a, "", now);
  s.set_app_score(a, 3);
  EXPECT_DOUBLE_EQ(s.score(a, now), 6.0);
}

TEST_F(score_fixture, P6ColocationPenaltyAndWhitelist) {
  auto sp = params();
  sp.ip_colocation_factor_whitelist.insert("127.0.0.1");
  peer_score s(sp, 120s, now);
  s.add_peer(a, "10.0.0.1", now);
  EXPECT_DOUBLE_EQ(s.score(a, now), 0.0);  // alone on its IP
  s.add_peer(b, "10.0.0.1", now);
  s.add_peer(c, "10.0.0.1", now);
  EXPECT_DOUBLE_EQ(s.score(a, now), -4.0);  // 3 peers, threshold 1: (3-1)^2 x -1
  EXPECT_DOUBLE_EQ(s.score(c, now), -4.0);
  peer_score w(sp, 120s, now);
  for (const auto& p : {a, b, c}) w.add_peer(p, "127.0.0.1", now);
  EXPECT_DOUBLE_EQ(w.score(a, now), 0.0);  // whitelisted
  s.remove_peer(c, now);
  EXPECT_DOUBLE_EQ(s.score(a, now), -1.0);
}

TEST_F(score_fixture, P7ThresholdAndDecay) {
  auto sp = params();
  sp.behaviour_penalty_threshold = 1;
  peer_score s(sp, 120s, now);
  s.add_peer(a, "", now);
  s.add_penalty(a, 1);
  EXPECT_DOUBLE_EQ(s.score(a, now), 0.0);  // at the threshold
  s.add_penalty(a, 2);
  EXPECT_DOUBLE_EQ(s.score(a, now), -4.0);
  s.refresh(now + 1s);  // 3 x 0.9 = 2.7 -> (1.7)^2
  EXPECT_NEAR(s.score(a, now + 1s), -2.89, 1e-9);
}

TEST_F(score_fixture, PenalisedPeerIsRetainedAcrossReconnect) {
  peer_score s(params(), 120s, now);
  s.add_peer(a, "", now);
  s.add_peer(b, "", now);
  s.reject_message(a, "x", "t", reject_reason::invalid_signature);
  s.remove_peer(a, now);
  s.add_peer(a, "", now + 1ms);
  EXPECT_LT(s.score(a, now + 1ms), 0);
  // Retention ends after retain_score.
  s.remove_peer(a, now + 2ms);
  s.refresh(now + 2ms + s.params().retain_score + 1s);
  EXPECT_EQ(s.stats(a), nullptr);
}

TEST_F(score_fixture, TopicScoreCap) {
  auto sp = params();
  sp.topic_score_cap = 1.5;
  peer_score s(sp, 120s, now);
  s.add_peer(a, "", now);
  for (int i = 0; i < 5; ++i) {
    s.validate_message(a, "m" + std::to_string(i), now);
    s.deliver_message(a, "m" + std::to_string(i), "t", now);
  }
  EXPECT_DOUBLE_EQ(s.score(a, now), 1.5);
}

using router_score_test = router_fixture;

TEST_F(router_score_test, BandChangesAreReportedOnHeartbeat) {
  make_router(scored_options());
  add_peers(1, "t");
  router->set_app_score(peers[0].id, -60);
  events();
  heartbeat();
  auto ev = events_of<score_event>();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].band, score_band::below_publish);
  heartbeat();
  EXPECT_TRUE(events_of<score_event>().empty());  // unchanged band: no event
}

TEST_F(router_score_test, FirstDeliveriesRaiseTheSendersScore) {
  make_router(scored_options());
  add_peers(2, "t");
  ASSERT_TRUE(router->subscribe("t", now));
  ASSERT_TRUE(router->handle_rpc(peers[0].id, publish_rpc(peers[0].message("t", "a")), now));
  EXPECT_GT(router->score(peers[0].id, now), router->score(peers[1].id, now));
}

TEST_F(router_score_test, ColocatedPeersArePenalisedUnlessWhitelisted) {
  auto o = scored_options();
  make_router(o);
  add_peer("t", false, protocol::meshsub_v11, "10.1.1.1");
  add_peer("t", false, protocol::meshsub_v11, "10.1.1.1");
  EXPECT_DOUBLE_EQ(router->score(peers[0].id, now), -1.0);
  o.score->ip_colocation_factor_whitelist.insert("127.0.0.1");
  peers.clear();
  make_router(o);
  add_peer("t", false, protocol::meshsub_v11, "127.0.0.1");
  add_peer("t", false, protocol::meshsub_v11, "127.0.0.1");
  EXPECT_DOUBLE_EQ(router->score(peers[0].id, now), 0.0);
}

}  // namespace
}  // namespace converge::pubsub::test
