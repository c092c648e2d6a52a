// noise_session: two cores back to back under virtual time, and scripted
// hostile peers built from the raw XX objects.
#include "p2p/security/noise_session.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "p2p/security/errors.hpp"
#include "test_support.hpp"

using namespace converge;
using namespace converge::p2p::security;
using namespace converge::p2p::security::testing;

namespace {

noise_config config_for(std::uint64_t seed, std::vector<std::string> muxers = {}) {
  noise_config c(make_key(seed));
  c.stream_muxers = std::move(muxers);
  return c;
}

noise_config dialing(const crypto::private_key& self, const crypto::peer_id& expected) {
  noise_config c(self);
  c.expected_peer = expected;
  return c;
}

const handshake_complete* completed(const std::vector<channel_event>& events) {
  for (const auto& e : events)
    if (auto* c = std::get_if<handshake_complete>(&e)) return c;
  return nullptr;
}

std::optional<error> failed(const std::vector<channel_event>& events) {
  for (const auto& e : events)
    if (auto* f = std::get_if<session_failed>(&e)) return f->reason;
  return std::nullopt;
}

struct session_pair {
  deterministic_rng ri{1}, rr{2};
  noise_session init;
  noise_session resp;
  wire_link net{init, resp};
  session_pair(noise_config ci, noise_config cr)
      : init(role::initiator, std::move(ci), ri, t0()), resp(role::responder, std::move(cr), rr, t0()) {}
};

bytes pattern_bytes(std::size_t n, std::uint64_t seed) {
  bytes b(n);
  deterministic_rng r(seed);
  r.fill(b);
  return b;
}

// Frames a Noise message as noise-libp2p does.
bytes frame(bytes_view msg) {
  bytes out{static_cast<std::uint8_t>(msg.size() >> 8), static_cast<std::uint8_t>(msg.size())};
  append(out, msg);
  return out;
}

}  // namespace

TEST(noise_session, handshake_completes_with_verified_identities) {
  auto ki = make_key(10), kr = make_key(20);
  session_pair p(dialing(ki, peer_of(kr)), noise_config(kr));
  p.net.pump();
  auto ei = drain(p.init), er = drain(p.resp);
  ASSERT_TRUE(completed(ei)) << (failed(ei) ? failed(ei)->message() : "");
  ASSERT_TRUE(completed(er)) << (failed(er) ? failed(er)->message() : "");
  EXPECT_EQ(completed(ei)->remote_peer, peer_of(kr));
  EXPECT_EQ(completed(er)->remote_peer, peer_of(ki));
  EXPECT_EQ(completed(ei)->remote_key, kr.public_key());
  EXPECT_FALSE(completed(ei)->muxer);
  EXPECT_EQ(p.init.state(), channel_state::established);
  EXPECT_EQ(*p.init.handshake_hash(), *p.resp.handshake_hash());
  EXPECT_FALSE(p.init.poll_timeout());
}

TEST(noise_session, wire_sizes_match_the_spec) {
  session_pair p(config_for(1), config_for(2));
  bytes m1;
  ASSERT_TRUE(p.init.poll_transmit(m1));
  ASSERT_EQ(m1.size(), 2u + 32u);  // length prefix + e, empty payload
  EXPECT_EQ(m1[0], 0);
  EXPECT_EQ(m1[1], 32);
  EXPECT_FALSE(p.resp.poll_transmit(m1));  // the responder speaks second
}

TEST(noise_session, byte_at_a_time_delivery) {
  for (auto chunk : {std::size_t{1}, std::size_t{3}, std::size_t{33}}) {
    session_pair p(config_for(3, {"/yamux/1.0.0"}), config_for(4, {"/yamux/1.0.0"}));
    p.net.chunk = chunk;
    p.net.pump();
    ASSERT_TRUE(completed(drain(p.init))) << chunk;
    ASSERT_TRUE(completed(drain(p.resp))) << chunk;
    auto data = pattern_bytes(70'000, 5);
    ASSERT_TRUE(p.init.send(data));
    p.net.pump();
    EXPECT_EQ(read_all(p.resp), data) << chunk;
  }
}

TEST(noise_session, a_64_kib_piece_fits_however_small_the_output_bound) {
  auto small = config_for(5);
  small.max_pending_output = 1;  // raised to two frames: a driver's 64 KiB piece must never be refused forever
  session_pair p(std::move(small), config_for(6));
  p.net.pump();
  ASSERT_EQ(p.init.state(), channel_state::established);
  auto data = pattern_bytes(64 * 1024, 3);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(p.init.send(data)) << i;
    p.net.pump();
    EXPECT_EQ(read_all(p.resp), data);
  }
}

TEST(noise_session, transport_round_trip_of_big_payloads) {
  session_pair p(config_for(5), config_for(6));
  p.net.pump();
  ASSERT_EQ(p.init.state(), channel_state::established);
  ASSERT_EQ(p.resp.state(), channel_state::established);
  auto up = pattern_bytes(900'000, 7), down = pattern_bytes(333'333, 8);
  bytes got_up, got_down;
  // Send in pieces under the output bound, reading as we go (a driver's loop).
  for (std::size_t off = 0; off < up.size(); off += 200'000) {
    ASSERT_TRUE(p.init.send(bytes_view(up).subspan(off, std::min<std::size_t>(200'000, up.size() - off))));
    p.net.pump();
    append(got_up, read_all(p.resp));
  }
  ASSERT_TRUE(p.resp.send(down));
  p.net.pump();
  append(got_down, read_all(p.init));
  EXPECT_EQ(got_up, up);
  EXPECT_EQ(got_down, down);
}

TEST(noise_session, frames_are_bounded_and_sized_exactly) {
  session_pair p(config_for(5), config_for(6));
  p.net.pump();
  auto data = pattern_bytes(noise::max_plaintext_len + 1, 9);
  ASSERT_TRUE(p.init.send(data));
  bytes wire;
  ASSERT_TRUE(p.init.poll_transmit(wire));
  // Two frames: 65535 bytes (full), then 1 + 16.
  ASSERT_EQ(wire.size(), 2u + 65535u + 2u + 17u);
  EXPECT_EQ(wire[0], 0xff);
  EXPECT_EQ(wire[1], 0xff);
  EXPECT_EQ(wire[2 + 65535], 0);
  EXPECT_EQ(wire[2 + 65535 + 1], 17);
  p.resp.handle_input(wire, t0());
  EXPECT_EQ(read_all(p.resp), data);
}

TEST(noise_session, pipelined_data_behind_message_3) {
  session_pair p(config_for(11), config_for(12));
  // Deliver msg1 and msg2 only, then let the initiator complete and send at once.
  bytes buf;
  ASSERT_TRUE(p.init.poll_transmit(buf));
  p.resp.handle_input(buf, t0());
  ASSERT_TRUE(p.resp.poll_transmit(buf));
  p.init.handle_input(buf, t0());
  ASSERT_TRUE(completed(drain(p.init)));
  ASSERT_TRUE(p.init.send(to_bytes("early data")));
  ASSERT_TRUE(p.init.poll_transmit(buf));  // msg3 and the data frame in one write
  p.resp.handle_input(buf, t0());
  ASSERT_TRUE(completed(drain(p.resp)));
  EXPECT_EQ(read_all(p.resp), to_bytes("early data"));
}

TEST(noise_session, all_key_types_authenticate) {
  using crypto::key_type;
  for (auto t : {key_type::ed25519, key_type::secp256k1, key_type::ecdsa, key_type::rsa}) {
    auto ki = make_key(30, t), kr = make_key(31, t == key_type::rsa ? key_type::ed25519 : t);
    session_pair p(dialing(ki, peer_of(kr)), noise_config(kr));
    p.net.pump();
    auto er = drain(p.resp);
    ASSERT_TRUE(completed(er)) << crypto::key_type_name(t) << ": " << (failed(er) ? failed(er)->message() : "");
    EXPECT_EQ(completed(er)->remote_peer, peer_of(ki));
  }
}

TEST(noise_session, expected_peer_mismatch_fails_the_dialer) {
  auto other = make_key(99);
  session_pair p(dialing(make_key(1), peer_of(other)), config_for(2));
  p.net.pump();
  auto ei = drain(p.init);
  ASSERT_TRUE(failed(ei));
  EXPECT_EQ(failed(ei)->code, security_errc::peer_id_mismatch);
  EXPECT_NE(failed(ei)->detail.find(peer_of(other).to_string()), std::string::npos) << failed(ei)->detail;
  EXPECT_FALSE(completed(ei));
  // The responder never got message 3; it learns of the failure when the dialer closes.
  p.resp.handle_eof();
  auto er = drain(p.resp);
  ASSERT_TRUE(failed(er));
  EXPECT_EQ(failed(er)->code, security_errc::connection_closed);
}

TEST(noise_session, send_before_completion_is_refused) {
  session_pair p(config_for(1), config_for(2));
  auto r = p.init.send(to_bytes("too soon"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, security_errc::invalid_state);
  EXPECT_FALSE(p.init.poll_read());
}

TEST(noise_session, tampered_handshake_message_fails_authentication) {
  session_pair p(config_for(1), config_for(2));
  p.net.tamper_b = [](bytes& b) { b.back() ^= 0x40; };  // last byte of message 2: the payload tag
  p.net.pump();
  auto ei = drain(p.init);
  ASSERT_TRUE(failed(ei));
  EXPECT_EQ(failed(ei)->code, security_errc::decrypt_failed);
  EXPECT_NE(failed(ei)->detail.find("XX message 2"), std::string::npos) << failed(ei)->detail;
}

TEST(noise_session, tampered_transport_frame_fails_authentication) {
  session_pair p(config_for(1), config_for(2));
  p.net.pump();
  ASSERT_EQ(p.resp.state(), channel_state::established);
  p.net.tamper_a = [](bytes& b) { b[5] ^= 1; };
  ASSERT_TRUE(p.init.send(to_bytes("attack at dawn")));
  p.net.pump();
  EXPECT_FALSE(p.resp.poll_read());
  ASSERT_EQ(p.resp.state(), channel_state::failed);
  EXPECT_EQ(p.resp.failure()->code, security_errc::decrypt_failed);
  EXPECT_FALSE(p.resp.send(to_bytes("x")));
}

TEST(noise_session, replayed_frame_fails_authentication) {
  session_pair p(config_for(1), config_for(2));
  p.net.pump();
  ASSERT_TRUE(p.init.send(to_bytes("once")));
  bytes wire;
  ASSERT_TRUE(p.init.poll_transmit(wire));
  p.resp.handle_input(wire, t0());
  p.resp.handle_input(wire, t0());
  EXPECT_EQ(to_bytes(*p.resp.poll_read()), to_bytes("once"));
  EXPECT_FALSE(p.resp.poll_read());
  EXPECT_EQ(p.resp.failure()->code, security_errc::decrypt_failed);
}

TEST(noise_session, frame_shorter_than_the_tag_fails) {
  session_pair p(config_for(1), config_for(2));
  p.net.pump();
  p.resp.handle_input(frame(bytes(5, 0)), t0());
  EXPECT_FALSE(p.resp.poll_read());
  ASSERT_EQ(p.resp.state(), channel_state::failed);
  EXPECT_EQ(p.resp.failure()->code, security_errc::decrypt_failed);
  EXPECT_NE(p.resp.failure()->detail.find("shorter than the 16-byte tag"), std::string::npos);
}

TEST(noise_session, empty_send_queues_nothing) {
  session_pair p(config_for(1), config_for(2));
  p.net.pump();
  ASSERT_TRUE(p.init.send({}));
  bytes wire;
  EXPECT_FALSE(p.init.poll_transmit(wire));
}

TEST(noise_session, truncated_frame_then_close_is_an_error) {
  session_pair p(config_for(1), config_for(2));
  p.net.pump();
  ASSERT_TRUE(p.init.send(to_bytes("complete")));
  ASSERT_TRUE(p.init.send(to_bytes("cut short")));
  bytes wire;
  ASSERT_TRUE(p.init.poll_transmit(wire));
  wire.resize(wire.size() - 3);
  p.resp.handle_input(wire, t0());
  p.resp.handle_eof();
  ASSERT_EQ(p.resp.state(), channel_state::failed);
  EXPECT_EQ(p.resp.failure()->code, security_errc::connection_closed);
  EXPECT_NE(p.resp.failure()->detail.find("inside a transport frame"), std::string::npos);
}

TEST(noise_session, clean_close_between_frames_keeps_data_readable) {
  session_pair p(config_for(1), config_for(2));
  p.net.pump();
  ASSERT_TRUE(p.init.send(to_bytes("last words")));
  p.net.pump();
  p.resp.handle_eof();
  EXPECT_EQ(p.resp.state(), channel_state::established);
  EXPECT_EQ(read_all(p.resp), to_bytes("last words"));
}

TEST(noise_session, input_and_output_are_bounded) {
  noise_config ci = config_for(1), cr = config_for(2);
  cr.max_buffered_input = 0;  // raised to two frames
  ci.max_pending_output = 0;  // raised to two frames
  session_pair p(std::move(ci), std::move(cr));
  p.net.pump();
  // Two full frames fit; a third byte-frame does not until the output is polled.
  auto big = pattern_bytes(2 * noise::max_plaintext_len, 3);
  ASSERT_TRUE(p.init.send(big));
  auto r = p.init.send(bytes_view(big).first(1));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, security_errc::buffer_full);
  EXPECT_EQ(p.init.state(), channel_state::established);  // refused, not failed
  bytes wire;
  ASSERT_TRUE(p.init.poll_transmit(wire));
  ASSERT_TRUE(p.init.send(bytes_view(big).first(noise::max_plaintext_len)));
  EXPECT_EQ(p.resp.input_room(), 2 * (2 + noise::max_message_len));
  p.resp.handle_input(bytes(p.resp.input_room() + 1, 0), t0());
  ASSERT_EQ(p.resp.state(), channel_state::failed);
  EXPECT_EQ(p.resp.failure()->code, security_errc::buffer_full);
}

TEST(noise_session, nonce_exhaustion_ends_the_session) {
  session_pair p(config_for(1), config_for(2));
  p.net.pump();
  p.init.set_nonces_for_testing(noise::max_nonce - 1, 0);
  p.resp.set_nonces_for_testing(0, noise::max_nonce - 1);
  ASSERT_TRUE(p.init.send(to_bytes("final message")));
  p.net.pump();
  EXPECT_EQ(read_all(p.resp), to_bytes("final message"));
  auto r = p.init.send(to_bytes("one more"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, security_errc::nonce_exhausted);
  EXPECT_EQ(p.init.state(), channel_state::failed);
}

TEST(noise_session, stalled_responder_times_out) {
  session_pair p(config_for(1), config_for(2));
  ASSERT_EQ(p.init.poll_timeout(), t0() + std::chrono::seconds{10});
  bytes m1;
  ASSERT_TRUE(p.init.poll_transmit(m1));  // msg1 leaves, nothing comes back
  p.init.handle_timeout(t0() + std::chrono::seconds{9});
  EXPECT_EQ(p.init.state(), channel_state::handshaking);
  p.init.handle_timeout(*p.init.poll_timeout());
  auto ei = drain(p.init);
  ASSERT_TRUE(failed(ei));
  EXPECT_EQ(failed(ei)->code, security_errc::handshake_timeout);
  EXPECT_NE(failed(ei)->detail.find("XX message 2"), std::string::npos) << failed(ei)->detail;
  EXPECT_FALSE(p.init.poll_timeout());
}

TEST(noise_session, peer_stalling_mid_message_times_out_with_progress) {
  session_pair p(config_for(1), config_for(2));
  bytes buf;
  ASSERT_TRUE(p.init.poll_transmit(buf));
  p.resp.handle_input(buf, t0());
  ASSERT_TRUE(p.resp.poll_transmit(buf));
  p.init.handle_input(bytes_view(buf).first(40), t0());
  // The responder waits for message 3 and never gets it either.
  p.resp.handle_timeout(t0() + std::chrono::seconds{10});
  p.init.handle_timeout(t0() + std::chrono::seconds{10});
  EXPECT_EQ(p.resp.failure()->code, security_errc::handshake_timeout);
  EXPECT_NE(p.resp.failure()->detail.find("XX message 3"), std::string::npos);
  EXPECT_EQ(p.init.failure()->code, security_errc::handshake_timeout);
  EXPECT_NE(p.init.failure()->detail.find("40 bytes"), std::string::npos) << p.init.failure()->detail;
}

TEST(noise_session, cut_at_every_byte_of_the_handshake) {
  // Measure the handshake transcript once.
  std::size_t total;
  {
    session_pair p(config_for(1, {"/yamux/1.0.0"}), config_for(2, {"/yamux/1.0.0"}));
    p.net.pump();
    total = p.net.delivered;
    ASSERT_GT(total, 3u * 32u);
  }
  for (std::size_t cut = 0; cut < total; ++cut) {
    session_pair p(config_for(1, {"/yamux/1.0.0"}), config_for(2, {"/yamux/1.0.0"}));
    p.net.cut_after = cut;
    p.net.chunk = 1 + cut % 7;
    if (cut == 0) {
      p.init.handle_eof();
      p.resp.handle_eof();
    }
    p.net.pump();
    for (auto* s : {&p.init, &p.resp}) {
      auto ev = drain(*s);
      if (s == &p.init && completed(ev)) continue;  // the dialer finishes once msg2 is in
      ASSERT_TRUE(failed(ev)) << "cut " << cut;
      EXPECT_EQ(failed(ev)->code, security_errc::connection_closed) << "cut " << cut << ": " << failed(ev)->message();
    }
  }
}

TEST(noise_session, muxer_negotiation_follows_the_initiator) {
  struct test_case {
    std::vector<std::string> i, r;
    std::optional<std::string> want;
  };
  const std::vector<test_case> cases = {
      {{"/yamux/1.0.0", "/mplex/6.7.0"}, {"/mplex/6.7.0", "/yamux/1.0.0"}, "/yamux/1.0.0"},
      {{"/mplex/6.7.0", "/yamux/1.0.0"}, {"/yamux/1.0.0"}, "/yamux/1.0.0"},
      {{}, {"/yamux/1.0.0"}, std::nullopt},
      {{"/yamux/1.0.0"}, {}, std::nullopt},
      {{}, {}, std::nullopt},
  };
  for (const auto& c : cases) {
    session_pair p(config_for(1, c.i), config_for(2, c.r));
    p.net.pump();
    auto ei = drain(p.init), er = drain(p.resp);
    ASSERT_TRUE(completed(ei));
    ASSERT_TRUE(completed(er));
    EXPECT_EQ(completed(ei)->muxer, c.want);
    EXPECT_EQ(completed(er)->muxer, c.want);
  }
}

TEST(noise_session, disjoint_muxer_lists_fail_the_handshake) {
  session_pair p(config_for(1, {"/yamux/1.0.0"}), config_for(2, {"/mplex/6.7.0"}));
  p.net.pump();
  auto ei = drain(p.init);
  ASSERT_TRUE(failed(ei));
  EXPECT_EQ(failed(ei)->code, security_errc::no_common_muxer);
  EXPECT_NE(failed(ei)->detail.find("/mplex/6.7.0"), std::string::npos);
}

TEST(noise_session, webtransport_certhashes_reach_the_other_side) {
  noise_config cr = config_for(2);
  cr.webtransport_certhashes = {bytes{0x12, 0x20, 1, 2, 3}};
  session_pair p(config_for(1), std::move(cr));
  p.net.pump();
  auto ei = drain(p.init);
  ASSERT_TRUE(completed(ei));
  EXPECT_EQ(completed(ei)->remote_webtransport_certhashes, std::vector<bytes>{(bytes{0x12, 0x20, 1, 2, 3})});
}

TEST(noise_session, oversized_local_extensions_fail_at_creation) {
  std::vector<std::string> many(max_stream_muxers + 1, "/m");
  deterministic_rng r(1);
  noise_session s(role::initiator, config_for(1, many), r, t0());
  EXPECT_EQ(s.state(), channel_state::failed);
  auto ev = drain(s);
  ASSERT_TRUE(failed(ev));
  EXPECT_EQ(failed(ev)->code, security_errc::invalid_payload);
  bytes out;
  EXPECT_FALSE(s.poll_transmit(out));
  auto created = noise_session::create(role::initiator, config_for(1, many), r, t0());
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().code, security_errc::invalid_payload);
  auto fine = noise_session::create(role::initiator, config_for(1, {"/yamux/1.0.0"}), r, t0());
  ASSERT_TRUE(fine);
  EXPECT_TRUE(fine->poll_transmit(out));
}

TEST(noise_session, same_seeds_same_transcript) {
  auto transcript = [] {
    session_pair p(config_for(1), config_for(2));
    bytes all, buf;
    for (int i = 0; i < 3; ++i) {
      while (p.init.poll_transmit(buf)) {
        append(all, buf);
        p.resp.handle_input(buf, t0());
      }
      while (p.resp.poll_transmit(buf)) {
        append(all, buf);
        p.init.handle_input(buf, t0());
      }
    }
    return all;
  };
  EXPECT_EQ(transcript(), transcript());
}

TEST(noise_session, cut_at_every_byte_of_the_transport_stream) {
  session_pair base(config_for(1), config_for(2));
  base.net.pump();
  ASSERT_EQ(base.resp.state(), channel_state::established);
  const std::vector<std::string> messages = {"first", std::string(300, 'm'), "third"};
  for (const auto& m : messages) ASSERT_TRUE(base.init.send(as_bytes(m)));
  bytes wire;
  ASSERT_TRUE(base.init.poll_transmit(wire));
  std::vector<std::size_t> boundaries{0};
  for (const auto& m : messages) boundaries.push_back(boundaries.back() + 2 + m.size() + 16);
  ASSERT_EQ(boundaries.back(), wire.size());

  for (std::size_t cut = 0; cut <= wire.size(); ++cut) {
    session_pair p(config_for(1), config_for(2));
    p.net.pump();
    drain(p.resp);
    for (const auto& m : messages) ASSERT_TRUE(p.init.send(as_bytes(m)));
    bytes w;
    ASSERT_TRUE(p.init.poll_transmit(w));
    ASSERT_EQ(w, wire);  // same seeds, same keys: the same ciphertext
    for (std::size_t off = 0; off < cut; off += 7)
      p.resp.handle_input(bytes_view(w).subspan(off, std::min<std::size_t>(7, cut - off)), t0());
    p.resp.handle_eof();
    auto at_boundary = std::find(boundaries.begin(), boundaries.end(), cut);
    if (at_boundary != boundaries.end()) {
      EXPECT_EQ(p.resp.state(), channel_state::established) << cut;
      std::size_t frames = static_cast<std::size_t>(at_boundary - boundaries.begin());
      bytes want;
      for (std::size_t i = 0; i < frames; ++i) append(want, as_bytes(messages[i]));
      EXPECT_EQ(read_all(p.resp), want) << cut;
    } else {
      ASSERT_EQ(p.resp.state(), channel_state::failed) << cut;
      EXPECT_EQ(p.resp.failure()->code, security_errc::connection_closed) << cut;
      EXPECT_FALSE(p.resp.poll_read());
    }
  }
}
