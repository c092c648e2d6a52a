// make_secure_channel: the upgrader's entry point, both protocols end to end.
#include "p2p/security/secure_channel.hpp"

#include <gtest/gtest.h>

#include "p2p/security/errors.hpp"
#include "test_support.hpp"

using namespace converge;
using namespace converge::p2p::security;
using namespace converge::p2p::security::testing;

TEST(secure_channel, protocols_offered_in_order) {
  security_options o;
  EXPECT_EQ(supported_security_protocols(o), std::vector<std::string>{"/noise"});
  o.allow_plaintext = true;
  EXPECT_EQ(supported_security_protocols(o), (std::vector<std::string>{"/noise", "/plaintext/2.0.0"}));
}

TEST(secure_channel, each_protocol_runs_end_to_end) {
  auto ki = make_key(1), kr = make_key(2);
  for (std::string_view id : {noise_protocol_id, plaintext_protocol_id}) {
    security_options oi, orr;
    oi.allow_plaintext = orr.allow_plaintext = true;
    oi.expected_peer = peer_of(kr);
    oi.stream_muxers = orr.stream_muxers = {"/yamux/1.0.0"};
    deterministic_rng r1(1), r2(2);
    auto a = make_secure_channel(id, role::initiator, ki, oi, r1, t0());
    auto b = make_secure_channel(id, role::responder, kr, orr, r2, t0());
    ASSERT_TRUE(a && b) << id;
    wire_link net(**a, **b);
    net.pump();
    ASSERT_EQ((*a)->state(), channel_state::established) << id;
    ASSERT_EQ((*b)->state(), channel_state::established) << id;
    EXPECT_EQ((*b)->remote()->remote_peer, peer_of(ki));
    EXPECT_EQ((*a)->remote()->muxer.has_value(), id == noise_protocol_id);
    ASSERT_TRUE((*b)->send(to_bytes("via the factory")));
    net.pump();
    EXPECT_EQ(read_all(**a), to_bytes("via the factory")) << id;
  }
}

TEST(secure_channel, unknown_or_disabled_protocols_are_refused) {
  deterministic_rng r(1);
  security_options o;
  auto p = make_secure_channel(plaintext_protocol_id, role::initiator, make_key(1), o, r, t0());
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().detail.find("disabled"), std::string::npos);
  auto t = make_secure_channel("/tls/1.0.0", role::initiator, make_key(1), o, r, t0());
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().code, security_errc::invalid_state);
}
