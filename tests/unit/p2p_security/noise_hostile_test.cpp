// noise_session against scripted peers that break the libp2p rules on
// purpose: bad signatures, missing or malformed payload fields, hostile
// extension lists, low-order keys, short messages.
#include <gtest/gtest.h>

#include "p2p/security/errors.hpp"
#include "p2p/security/noise_session.hpp"
#include "test_support.hpp"

using namespace converge;
using namespace converge::p2p::security;
using namespace converge::p2p::security::testing;

namespace {

bytes frame(bytes_view msg) {
  bytes out{static_cast<std::uint8_t>(msg.size() >> 8), static_cast<std::uint8_t>(msg.size())};
  append(out, msg);
  return out;
}

bytes unframe(const bytes& wire) { return bytes(wire.begin() + 2, wire.end()); }

bytes sig_message(bytes_view static_public) { return concat(as_bytes("noise-libp2p-static-key:"), static_public); }

// One side of XX driven by hand, so each payload can be forged.
struct scripted_peer {
  deterministic_rng r{77};
  noise::x25519_keypair s = noise::x25519_keypair::generate(r);
  noise::xx_handshake hs;
  crypto::private_key identity = make_key(500);
  explicit scripted_peer(bool initiator) : hs(initiator, s, r) {}

  handshake_payload honest_payload() {
    return {identity.public_key().to_protobuf(), *identity.sign(sig_message(s.public_key)), std::nullopt};
  }
  bytes write(bytes_view payload) {
    bytes msg;
    EXPECT_TRUE(hs.write_message(payload, msg));
    return frame(msg);
  }
  bytes write(const handshake_payload& p) { return write(encode_handshake_payload(p)); }
  void read(const bytes& wire) {
    bytes payload;
    ASSERT_TRUE(hs.read_message(unframe(wire), payload));
  }
};

// A real initiator against a scripted responder whose message 2 carries `payload`.
error initiator_verdict(const std::function<bytes(scripted_peer&)>& forge_msg2) {
  deterministic_rng r(1);
  noise_session init(role::initiator, noise_config(make_key(1)), r, t0());
  scripted_peer resp(false);
  bytes buf;
  EXPECT_TRUE(init.poll_transmit(buf));
  resp.read(buf);
  init.handle_input(forge_msg2(resp), t0());
  EXPECT_EQ(init.state(), channel_state::failed);
  return init.failure() ? *init.failure() : error{};
}

}  // namespace

TEST(noise_hostile, signature_over_another_static_key) {
  auto e = initiator_verdict([](scripted_peer& p) {
    auto payload = p.honest_payload();
    std::array<std::uint8_t, 32> other{};
    other[0] = 9;
    payload.identity_sig = *p.identity.sign(sig_message(other));
    return p.write(payload);
  });
  EXPECT_EQ(e.code, security_errc::invalid_signature);
  EXPECT_NE(e.detail.find("does not sign its Noise static key"), std::string::npos) << e.detail;
}

TEST(noise_hostile, signature_by_another_identity) {
  auto e = initiator_verdict([](scripted_peer& p) {
    auto payload = p.honest_payload();
    payload.identity_sig = *make_key(501).sign(sig_message(p.s.public_key));
    return p.write(payload);
  });
  EXPECT_EQ(e.code, security_errc::invalid_signature);
}

TEST(noise_hostile, missing_identity_key_or_signature) {
  auto e1 = initiator_verdict([](scripted_peer& p) {
    auto payload = p.honest_payload();
    payload.identity_key.clear();
    return p.write(payload);
  });
  EXPECT_EQ(e1.code, security_errc::invalid_payload);
  EXPECT_NE(e1.detail.find("no identity_key"), std::string::npos);
  auto e2 = initiator_verdict([](scripted_peer& p) {
    auto payload = p.honest_payload();
    payload.identity_sig.clear();
    return p.write(payload);
  });
  EXPECT_EQ(e2.code, security_errc::invalid_payload);
}

TEST(noise_hostile, undecodable_identity_key) {
  auto e = initiator_verdict([](scripted_peer& p) {
    auto payload = p.honest_payload();
    payload.identity_key = bytes{0x08, 0x01, 0x12, 0x03, 1, 2, 3};  // Ed25519 key of 3 bytes
    return p.write(payload);
  });
  EXPECT_EQ(e.code, security_errc::invalid_key);
}

TEST(noise_hostile, payload_that_is_not_protobuf) {
  auto e = initiator_verdict([](scripted_peer& p) { return p.write(bytes{0xff, 0xff, 0xff}); });
  EXPECT_EQ(e.code, security_errc::invalid_payload);
}

TEST(noise_hostile, too_many_muxers) {
  auto e = initiator_verdict([](scripted_peer& p) {
    auto payload = p.honest_payload();
    payload.extensions = noise_extensions{{}, std::vector<std::string>(max_stream_muxers + 1, "/m")};
    return p.write(payload);
  });
  EXPECT_EQ(e.code, security_errc::invalid_payload);
}

TEST(noise_hostile, message_2_too_short) {
  auto e = initiator_verdict([](scripted_peer&) { return frame(bytes(95, 1)); });
  EXPECT_EQ(e.code, security_errc::malformed_message);
}

TEST(noise_hostile, forged_message_3_fails_the_responder) {
  deterministic_rng r(2);
  noise_session resp(role::responder, noise_config(make_key(2)), r, t0());
  scripted_peer init(true);
  resp.handle_input(init.write(bytes{}), t0());
  bytes buf;
  ASSERT_TRUE(resp.poll_transmit(buf));
  init.read(buf);
  auto payload = init.honest_payload();
  payload.identity_sig.back() ^= 1;
  resp.handle_input(init.write(payload), t0());
  ASSERT_EQ(resp.state(), channel_state::failed);
  EXPECT_EQ(resp.failure()->code, security_errc::invalid_signature);
  EXPECT_NE(resp.failure()->detail.find("XX message 3"), std::string::npos);
}

TEST(noise_hostile, honest_scripted_peer_is_accepted) {
  deterministic_rng r(2);
  noise_session resp(role::responder, noise_config(make_key(2)), r, t0());
  scripted_peer init(true);
  resp.handle_input(init.write(bytes{}), t0());
  bytes buf;
  ASSERT_TRUE(resp.poll_transmit(buf));
  init.read(buf);
  resp.handle_input(init.write(init.honest_payload()), t0());
  ASSERT_EQ(resp.state(), channel_state::established);
  EXPECT_EQ(resp.remote()->remote_peer, peer_of(init.identity));
}

TEST(noise_hostile, low_order_ephemeral_key) {
  deterministic_rng r(3);
  noise_session resp(role::responder, noise_config(make_key(3)), r, t0());
  resp.handle_input(frame(bytes(32, 0)), t0());
  ASSERT_EQ(resp.state(), channel_state::failed);
  EXPECT_EQ(resp.failure()->code, security_errc::invalid_key);
}

TEST(noise_hostile, message_1_too_short) {
  deterministic_rng r(3);
  noise_session resp(role::responder, noise_config(make_key(3)), r, t0());
  resp.handle_input(frame(bytes(31, 5)), t0());
  ASSERT_EQ(resp.state(), channel_state::failed);
  EXPECT_EQ(resp.failure()->code, security_errc::malformed_message);
  EXPECT_NE(resp.failure()->detail.find("31 bytes"), std::string::npos);
}
