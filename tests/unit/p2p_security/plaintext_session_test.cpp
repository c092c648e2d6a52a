// /plaintext/2.0.0: the Exchange, its checks, and passthrough afterwards.
#include "p2p/security/plaintext_session.hpp"

#include <gtest/gtest.h>

#include "base/varint.hpp"
#include "p2p/security/errors.hpp"
#include "test_support.hpp"

using namespace converge;
using namespace converge::p2p::security;
using namespace converge::p2p::security::testing;

namespace {

plaintext_config config_for(std::uint64_t seed, std::optional<crypto::peer_id> expected = std::nullopt) {
  plaintext_config c(make_key(seed).public_key());
  c.expected_peer = std::move(expected);
  return c;
}

bytes framed_exchange(const plaintext_exchange& e) {
  bytes body = encode_exchange(e);
  bytes out = encode_uvarint(body.size());
  append(out, body);
  return out;
}

struct plain_pair {
  plaintext_session init, resp;
  wire_link net{init, resp};
  plain_pair(plaintext_config ci, plaintext_config cr)
      : init(role::initiator, std::move(ci), t0()), resp(role::responder, std::move(cr), t0()) {}
};

}  // namespace

TEST(plaintext_session, exchange_then_passthrough) {
  for (std::size_t chunk : {std::size_t{1}, std::size_t{5}, SIZE_MAX}) {
    plain_pair p(config_for(1, peer_of(make_key(2))), config_for(2));
    p.net.chunk = chunk;
    p.net.pump();
    ASSERT_EQ(p.init.state(), channel_state::established) << chunk;
    ASSERT_EQ(p.resp.state(), channel_state::established) << chunk;
    EXPECT_EQ(p.init.remote()->remote_peer, peer_of(make_key(2)));
    EXPECT_EQ(p.resp.remote()->remote_peer, peer_of(make_key(1)));
    EXPECT_FALSE(p.init.remote()->muxer);
    ASSERT_TRUE(p.init.send(to_bytes("/multistream/1.0.0\n")));
    p.net.pump();
    EXPECT_EQ(read_all(p.resp), to_bytes("/multistream/1.0.0\n"));
  }
}

TEST(plaintext_session, exchange_bytes_are_canonical) {
  auto key = make_key(1);
  plaintext_session s(role::responder, config_for(1), t0());
  bytes wire;
  ASSERT_TRUE(s.poll_transmit(wire));
  auto id = peer_of(key).to_bytes();
  auto pk = key.public_key().to_protobuf();
  // uvarint(len) || 0x0a len(id) id || 0x12 len(pk) pk
  bytes want;
  bytes body{0x0a, static_cast<std::uint8_t>(id.size())};
  append(body, id);
  body.push_back(0x12);
  body.push_back(static_cast<std::uint8_t>(pk.size()));
  append(body, pk);
  append_uvarint(want, body.size());
  append(want, body);
  EXPECT_EQ(to_hex(wire), to_hex(want));
}

TEST(plaintext_session, bytes_behind_the_exchange_are_passed_through) {
  plaintext_session s(role::responder, config_for(2), t0());
  auto k1 = make_key(1);
  bytes in = framed_exchange({peer_of(k1).to_bytes(), k1.public_key().to_protobuf()});
  append(in, to_bytes("hello"));
  s.handle_input(in, t0());
  ASSERT_EQ(s.state(), channel_state::established);
  EXPECT_EQ(read_all(s), to_bytes("hello"));
}

TEST(plaintext_session, id_not_derived_from_key) {
  plaintext_session s(role::responder, config_for(2), t0());
  auto k1 = make_key(1), k3 = make_key(3);
  s.handle_input(framed_exchange({peer_of(k3).to_bytes(), k1.public_key().to_protobuf()}), t0());
  ASSERT_EQ(s.state(), channel_state::failed);
  EXPECT_EQ(s.failure()->code, security_errc::peer_id_mismatch);
  EXPECT_NE(s.failure()->detail.find("not derived from its key"), std::string::npos);
}

TEST(plaintext_session, dialled_peer_mismatch) {
  plain_pair p(config_for(1, peer_of(make_key(9))), config_for(2));
  p.net.pump();
  ASSERT_EQ(p.init.state(), channel_state::failed);
  EXPECT_EQ(p.init.failure()->code, security_errc::peer_id_mismatch);
  EXPECT_NE(p.init.failure()->detail.find("dialled"), std::string::npos);
}

TEST(plaintext_session, oversized_exchange_is_refused_before_buffering) {
  plaintext_session s(role::responder, config_for(2), t0());
  s.handle_input(encode_uvarint(max_exchange_len + 1), t0());
  ASSERT_EQ(s.state(), channel_state::failed);
  EXPECT_EQ(s.failure()->code, security_errc::frame_too_large);
}

TEST(plaintext_session, malformed_length_and_body) {
  plaintext_session s1(role::responder, config_for(2), t0());
  s1.handle_input(bytes{0x80, 0x00}, t0());  // non-minimal varint
  ASSERT_EQ(s1.state(), channel_state::failed);
  EXPECT_EQ(s1.failure()->code, base_errc::not_minimal);

  plaintext_session s2(role::responder, config_for(2), t0());
  s2.handle_input(bytes{0x03, 0xff, 0xff, 0xff}, t0());
  ASSERT_EQ(s2.state(), channel_state::failed);
  EXPECT_EQ(s2.failure()->code, security_errc::invalid_payload);

  plaintext_session s3(role::responder, config_for(2), t0());
  auto k1 = make_key(1);
  s3.handle_input(framed_exchange({peer_of(k1).to_bytes(), bytes{0x08, 0x01}}), t0());
  ASSERT_EQ(s3.state(), channel_state::failed);
  EXPECT_EQ(s3.failure()->code, security_errc::invalid_key);
}

TEST(plaintext_session, close_and_stall_mid_exchange) {
  plaintext_session s(role::initiator, config_for(1), t0());
  s.handle_input(bytes{0x40, 0x0a}, t0());
  EXPECT_EQ(s.poll_timeout(), t0() + std::chrono::seconds{10});
  s.handle_timeout(t0() + std::chrono::seconds{10});
  ASSERT_EQ(s.state(), channel_state::failed);
  EXPECT_EQ(s.failure()->code, security_errc::handshake_timeout);
  EXPECT_NE(s.failure()->detail.find("2 bytes"), std::string::npos);

  plaintext_session c(role::initiator, config_for(1), t0());
  c.handle_input(bytes{0x40}, t0());
  c.handle_eof();
  EXPECT_EQ(c.failure()->code, security_errc::connection_closed);
}

TEST(plaintext_session, cut_at_every_byte) {
  std::size_t total;
  {
    plain_pair p(config_for(1), config_for(2));
    p.net.pump();
    total = p.net.delivered;
  }
  for (std::size_t cut = 0; cut < total; ++cut) {
    plain_pair p(config_for(1), config_for(2));
    p.net.cut_after = cut;
    if (cut == 0) {
      p.init.handle_eof();
      p.resp.handle_eof();
    }
    p.net.pump();
    // At least one side misses part of the other's Exchange; it must fail cleanly.
    int failures = 0;
    for (auto* s : {&p.init, &p.resp}) {
      if (s->state() == channel_state::failed) {
        ++failures;
        EXPECT_EQ(s->failure()->code, security_errc::connection_closed);
      }
    }
    EXPECT_GE(failures, 1) << cut;
  }
}

TEST(plaintext_session, output_bound) {
  plaintext_config c = config_for(1);
  c.max_pending_output = 10;  // raised to 128 KiB: a driver's 64 KiB piece always fits
  plaintext_session s(role::responder, std::move(c), t0());
  auto k2 = make_key(2);
  s.handle_input(framed_exchange({peer_of(k2).to_bytes(), k2.public_key().to_protobuf()}), t0());
  bytes wire;
  ASSERT_TRUE(s.poll_transmit(wire));
  EXPECT_TRUE(s.send(bytes(128 * 1024, 1)));
  auto r = s.send(bytes(1, 1));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, security_errc::buffer_full);
}

TEST(plaintext_session, exchange_matches_js_libp2p_plaintext) {
  // Exchange.encode from @libp2p/plaintext for the Ed25519 key with seed 32 x 0x07.
  constexpr std::string_view js_exchange =
      "0a26002408011220ea4a6c63e29c520abef5507b132ec5f9954776aebebe7b92421eea691446d22c"
      "122408011220ea4a6c63e29c520abef5507b132ec5f9954776aebebe7b92421eea691446d22c";
  scripted_rng sevens({bytes(32, 7)});
  auto key = crypto::private_key::generate(crypto::key_type::ed25519, sevens);
  ASSERT_TRUE(key);
  plaintext_session s(role::initiator, plaintext_config(key->public_key()), t0());
  bytes wire;
  ASSERT_TRUE(s.poll_transmit(wire));
  EXPECT_EQ(to_hex(wire), "4e" + std::string(js_exchange));  // uvarint(78) prefix
}
