// Signature policy and extended validation (sync and async validators).
#include "harness.hpp"

namespace converge::pubsub::test {
namespace {

using validation_test = router_fixture;

TEST_F(validation_test, InvalidSignatureIsDroppedAndScored) {
  make_router(scored_options());
  add_peers(3, "t");
  ASSERT_TRUE(router->subscribe("t", now));
  drain();
  auto m = peers[0].message("t", "genuine");
  m.set_data("forged");
  ASSERT_TRUE(router->handle_rpc(peers[0].id, publish_rpc(m), now));
  EXPECT_TRUE(events_of<message_event>().empty());
  EXPECT_TRUE(receivers(drain()).empty());
  EXPECT_EQ(router->counters().invalid_signatures, 1u);
  EXPECT_DOUBLE_EQ(router->scoring()->stats(peers[0].id)->topics.at("t").invalid_message_deliveries, 1.0);
  EXPECT_LT(router->score(peers[0].id, now), 0);
  // Not marked seen: the authentic copy is still delivered.
  auto good = peers[0].message("t", "genuine");
  good.set_seqno(m.seqno());
  ASSERT_TRUE(sign_message(good, peers[0].key));
  ASSERT_TRUE(router->handle_rpc(peers[1].id, publish_rpc(good), now));
  EXPECT_EQ(events_of<message_event>().size(), 1u);
}

TEST_F(validation_test, UnsignedMessageRefusedUnderStrictSign) {
  make_router();
  add_peers(1, "t");
  ASSERT_TRUE(router->subscribe("t", now));
  pb::Message m;
  m.set_topic("t");
  m.set_data("x");
  ASSERT_TRUE(router->handle_rpc(peers[0].id, publish_rpc(m), now));
  EXPECT_TRUE(events_of<message_event>().empty());
  EXPECT_EQ(router->counters().invalid_signatures, 1u);
}

TEST_F(validation_test, StrictNoSignRouterPublishesAnonymously) {
  router_options o;
  o.policy = signature_policy::strict_no_sign;
  make_router(o);
  add_peers(1, "t");
  ASSERT_TRUE(router->subscribe("t", now));
  drain();
  ASSERT_TRUE(router->publish("t", as_bytes("anon"), now));
  auto out = drain();
  ASSERT_EQ(out.size(), 1u);
  const auto& m = out[0].rpc.publish(0);
  EXPECT_FALSE(m.has_from() || m.has_seqno() || m.has_signature());
  // A signed message is refused under StrictNoSign.
  ASSERT_TRUE(router->handle_rpc(peers[0].id, publish_rpc(peers[0].message("t", "signed")), now));
  EXPECT_TRUE(events_of<message_event>().empty());
}

TEST_F(validation_test, ValidatorRejectIsNeverForwardedAndCountsAsInvalid) {
  make_router(scored_options());
  add_peers(4, "t");
  ASSERT_TRUE(router->subscribe("t", now));
  router->set_validator("t", [](const crypto::peer_id&, const pb::Message& m) {
    return m.data().starts_with("bad") ? validator_verdict::reject : validator_verdict::accept;
  });
  drain();
  ASSERT_TRUE(router->handle_rpc(peers[0].id, publish_rpc(peers[0].message("t", "bad stuff")), now));
  EXPECT_TRUE(receivers(drain()).empty());
  EXPECT_TRUE(events_of<message_event>().empty());
  EXPECT_EQ(router->counters().rejected, 1u);
  EXPECT_DOUBLE_EQ(router->scoring()->stats(peers[0].id)->topics.at("t").invalid_message_deliveries, 1.0);
  ASSERT_TRUE(router->handle_rpc(peers[0].id, publish_rpc(peers[0].message("t", "good stuff")), now));
  EXPECT_EQ(receivers(drain()).size(), 3u);  // mesh minus the sender
}

TEST_F(validation_test, IgnoreIsNotForwardedAndNotPenalised) {
  make_router(scored_options());
  add_peers(2, "t");
  ASSERT_TRUE(router->subscribe("t", now));
  router->set_validator("t", [](const crypto::peer_id&, const pb::Message&) { return validator_verdict::ignore; });
  drain();
  ASSERT_TRUE(router->handle_rpc(peers[0].id, publish_rpc(peers[0].message("t", "meh")), now));
  EXPECT_TRUE(receivers(drain()).empty());
  EXPECT_EQ(router->counters().ignored, 1u);
  EXPECT_DOUBLE_EQ(router->scoring()->stats(peers[0].id)->topics.at("t").invalid_message_deliveries, 0.0);
}

TEST_F(validation_test, AsyncValidationForwardsOnlyAfterAccept) {
  make_router(scored_options());
  add_peers(3, "t");
  ASSERT_TRUE(router->subscribe("t", now));
  router->set_validator("t", [](const crypto::peer_id&, const pb::Message&) { return validator_verdict::defer; });
  drain();
  auto m = peers[0].message("t", "check me");
  ASSERT_TRUE(router->handle_rpc(peers[0].id, publish_rpc(m), now));
  auto reqs = events_of<validation_request>();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_TRUE(receivers(drain()).empty());
  EXPECT_EQ(router->pending_validations(), 1u);
  // A duplicate while pending is not a second request.
  ASSERT_TRUE(router->handle_rpc(peers[1].id, publish_rpc(m), now));
  EXPECT_TRUE(events_of<validation_request>().empty());
  ASSERT_TRUE(router->report_validation(reqs[0].id, validation_result::accept, now));
  auto r = receivers(drain());
  EXPECT_FALSE(r.contains(peers[0].id));  // not back to the source
  EXPECT_TRUE(r.contains(peers[2].id));
  EXPECT_EQ(events_of<message_event>().size(), 1u);
  EXPECT_EQ(router->report_validation(reqs[0].id, validation_result::accept, now).error().code,
            pubsub_errc::unknown_message);
}

TEST_F(validation_test, AsyncRejectPenalisesTheSenderAndDuplicateSenders) {
  make_router(scored_options());
  add_peers(3, "t");
  ASSERT_TRUE(router->subscribe("t", now));
  router->set_validator("t", [](const crypto::peer_id&, const pb::Message&) { return validator_verdict::defer; });
  auto m = peers[0].message("t", "evil");
  ASSERT_TRUE(router->handle_rpc(peers[0].id, publish_rpc(m), now));
  ASSERT_TRUE(router->handle_rpc(peers[1].id, publish_rpc(m), now));
  auto reqs = events_of<validation_request>();
  ASSERT_EQ(reqs.size(), 1u);
  drain();
  ASSERT_TRUE(router->report_validation(reqs[0].id, validation_result::reject, now));
  EXPECT_TRUE(receivers(drain()).empty());
  for (int i = 0; i < 2; ++i)
    EXPECT_DOUBLE_EQ(router->scoring()->stats(peers[static_cast<std::size_t>(i)].id)->topics.at("t").invalid_message_deliveries, 1.0);
}

TEST_F(validation_test, PendingValidationTimesOutAsIgnore) {
  make_router();
  add_peers(2, "t");
  ASSERT_TRUE(router->subscribe("t", now));
  router->set_validator("t", [](const crypto::peer_id&, const pb::Message&) { return validator_verdict::defer; });
  ASSERT_TRUE(router->handle_rpc(peers[0].id, publish_rpc(peers[0].message("t", "slow")), now));
  for (int i = 0; i < 9; ++i) heartbeat();
  EXPECT_EQ(router->pending_validations(), 1u);
  heartbeat();  // 10 s validation_timeout
  EXPECT_EQ(router->pending_validations(), 0u);
  EXPECT_EQ(router->counters().validation_timeouts, 1u);
  EXPECT_TRUE(receivers(drain()).empty());
}

TEST_F(validation_test, PollTimeoutWakesForAValidationDeadline) {
  router_options o;
  o.validation_timeout = 300ms;
  make_router(o);
  add_peers(2, "t");
  ASSERT_TRUE(router->subscribe("t", now));
  router->set_validator("t", [](const crypto::peer_id&, const pb::Message&) { return validator_verdict::defer; });
  heartbeat();
  auto next_heartbeat = *router->poll_timeout();
  ASSERT_TRUE(router->handle_rpc(peers[0].id, publish_rpc(peers[0].message("t", "slow")), now));
  ASSERT_EQ(*router->poll_timeout(), now + 300ms);
  router->handle_timeout(now + 300ms);
  EXPECT_EQ(router->counters().validation_timeouts, 1u);
  EXPECT_EQ(*router->poll_timeout(), next_heartbeat);
  // An answered validation leaves no early wake-up behind.
  ASSERT_TRUE(router->handle_rpc(peers[0].id, publish_rpc(peers[0].message("t", "quick")), now));
  auto reqs = events_of<validation_request>();
  ASSERT_EQ(reqs.size(), 2u);
  ASSERT_TRUE(router->report_validation(reqs[1].id, validation_result::accept, now));
  EXPECT_EQ(*router->poll_timeout(), next_heartbeat);
}

TEST_F(validation_test, PendingValidationQueueIsBounded) {
  router_options o;
  o.max_pending_validations = 2;
  make_router(o);
  add_peers(1, "t");
  ASSERT_TRUE(router->subscribe("t", now));
  router->set_validator("t", [](const crypto::peer_id&, const pb::Message&) { return validator_verdict::defer; });
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(router->handle_rpc(peers[0].id, publish_rpc(peers[0].message("t", "m" + std::to_string(i))), now));
  EXPECT_EQ(router->pending_validations(), 2u);
  EXPECT_EQ(router->counters().validation_throttled, 1u);
}

TEST_F(validation_test, DuplicatesAndOwnMessagesAreNotRedelivered) {
  make_router();
  add_peers(2, "t");
  ASSERT_TRUE(router->subscribe("t", now));
  auto m = peers[0].message("t", "once");
  ASSERT_TRUE(router->handle_rpc(peers[0].id, publish_rpc(m), now));
  ASSERT_TRUE(router->handle_rpc(peers[1].id, publish_rpc(m), now));
  EXPECT_EQ(events_of<message_event>().size(), 1u);
  EXPECT_EQ(router->counters().duplicates, 1u);
  auto id = router->publish("t", as_bytes("mine"), now);
  ASSERT_TRUE(id);
  auto out = drain();
  pb::Message echo;
  for (const auto& s : out)
    if (s.rpc.publish_size() > 0) echo = s.rpc.publish(0);
  ASSERT_TRUE(router->handle_rpc(peers[0].id, publish_rpc(echo), now));
  EXPECT_TRUE(events_of<message_event>().empty());
}

TEST_F(validation_test, UnknownMessageFromOurselvesIsDropped) {
  make_router();  // router key is make_key(1)
  add_peers(2, "t");
  ASSERT_TRUE(router->subscribe("t", now));
  scripted_peer me{make_key(1), id_of_key(make_key(1))};
  me.seqno = 1'000'000;
  ASSERT_TRUE(router->handle_rpc(peers[0].id, publish_rpc(me.message("t", "not mine")), now));
  EXPECT_TRUE(events_of<message_event>().empty());
  EXPECT_TRUE(receivers(drain()).empty());
}

TEST_F(validation_test, DirectPeersAreNotGraylisted) {
  auto dk = make_key(321);
  auto o = scored_options();
  o.direct_peers.insert(id_of_key(dk));
  make_router(o);
  ASSERT_TRUE(router->subscribe("t", now));
  scripted_peer d{dk, id_of_key(dk)};
  ASSERT_TRUE(router->add_peer(d.id, protocol::meshsub_v11, true, now));
  router->set_app_score(d.id, -1000);
  ASSERT_TRUE(router->handle_rpc(d.id, sub_rpc("t"), now));
  ASSERT_TRUE(router->handle_rpc(d.id, publish_rpc(d.message("t", "from a friend")), now));
  EXPECT_EQ(events_of<message_event>().size(), 1u);
  EXPECT_EQ(router->counters().graylisted_rpcs, 0u);
}

}  // namespace
}  // namespace converge::pubsub::test
