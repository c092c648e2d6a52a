#include <gtest/gtest.h>

#include "base/varint.hpp"
#include "harness.hpp"
#include "kad/dht.pb.h"
#include "kad/key.hpp"
#include "kad/message.hpp"

namespace converge::kad {
namespace {

TEST(KadKey, DistanceAndPrefix) {
  auto a = kad_key::of(as_bytes("a"));
  EXPECT_EQ(common_prefix_length(a, a), 256u);
  auto d = distance(a, a);
  EXPECT_EQ(d, kad_key{});
  kad_key x{}, y{};
  y.bits[0] = 0x10;  // differs at bit 3
  EXPECT_EQ(common_prefix_length(x, y), 3u);
  y.bits[0] = 0;
  y.bits[31] = 1;
  EXPECT_EQ(common_prefix_length(x, y), 255u);
  // sha256("a") from FIPS 180 tooling.
  EXPECT_EQ(a.hex(), "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb");
  kad_key t{}, n{}, f{};
  n.bits[31] = 1;
  f.bits[0] = 1;
  EXPECT_TRUE(closer(t, n, f));
  EXPECT_FALSE(closer(t, f, n));
}

TEST(KadMessage, RoundTripsEveryField) {
  deterministic_rng r(1);
  message m;
  m.type = message_type::get_providers;
  m.key = to_bytes("key");
  m.rec = record{to_bytes("/v/x"), to_bytes("seq:1"), "2026-01-01T00:00:00Z"};
  m.closer_peers.push_back(peer_info{test::make_peer(r), {bytes{4, 127, 0, 0, 1}}, connection_type::connected});
  m.provider_peers.push_back(peer_info{test::make_peer(r), {}, connection_type::can_connect});
  auto back = decode_message(encode_message(m));
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(back->type, m.type);
  EXPECT_EQ(back->key, m.key);
  EXPECT_EQ(back->rec, m.rec);
  ASSERT_EQ(back->closer_peers.size(), 1u);
  EXPECT_EQ(back->closer_peers[0].id, m.closer_peers[0].id);
  EXPECT_EQ(back->closer_peers[0].addrs, m.closer_peers[0].addrs);
  EXPECT_EQ(back->closer_peers[0].connection, connection_type::connected);
  EXPECT_EQ(back->provider_peers[0].connection, connection_type::can_connect);
}

TEST(KadMessage, DecodesTheSpecWireForm) {
  // FIND_NODE (type 4) for key "k": field 1 varint 4, field 2 bytes "k".
  bytes wire{0x08, 0x04, 0x12, 0x01, 'k'};
  auto m = decode_message(wire);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->type, message_type::find_node);
  EXPECT_EQ(m->key, to_bytes("k"));
  // PUT_VALUE is type 0: the proto3 default, so encode omits field 1.
  message put;
  put.type = message_type::put_value;
  put.key = to_bytes("k");
  EXPECT_EQ(encode_message(put), (bytes{0x12, 0x01, 'k'}));
}

TEST(KadMessage, RefusesWhatBreaksTheBounds) {
  message_limits lim;
  lim.max_peers = 2;
  lim.max_addrs = 1;
  deterministic_rng r(2);
  message m;
  m.type = message_type::find_node;
  for (int i = 0; i < 3; ++i) m.closer_peers.push_back(peer_info{test::make_peer(r), {}, {}});
  auto e = decode_message(encode_message(m), lim);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, kad_errc::malformed_message);
  m.closer_peers.erase(m.closer_peers.begin() + 1, m.closer_peers.end());
  m.closer_peers[0].addrs = {bytes{1}, bytes{2}};
  EXPECT_FALSE(decode_message(encode_message(m), lim));
  lim.max_message = 4;
  EXPECT_EQ(decode_message(encode_message(m), lim).error().code, kad_errc::message_too_large);
  // Unknown type 9.
  EXPECT_EQ(decode_message(bytes{0x08, 0x09}).error().code, kad_errc::malformed_message);
  // Garbage.
  EXPECT_FALSE(decode_message(bytes{0xff, 0xff, 0xff}));
  // Key over the bound.
  message big;
  big.key = bytes(2000, 'x');
  EXPECT_FALSE(decode_message(encode_message(big)));
}

TEST(KadMessage, DropsPeersWithInvalidIds) {
  pb::Message pm;
  pm.set_type(pb::Message::FIND_NODE);
  pm.add_closerpeers()->set_id("not a peer id");
  deterministic_rng r(3);
  auto good = test::make_peer(r);
  pm.add_closerpeers()->set_id(good.to_bytes().data(), good.to_bytes().size());
  std::string wire = pm.SerializeAsString();
  auto m = decode_message(as_bytes(wire));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->dropped_peers, 1u);
  ASSERT_EQ(m->closer_peers.size(), 1u);
  EXPECT_EQ(m->closer_peers[0].id, good);
}

TEST(KadFrame, ReassemblesOneByteAtATime) {
  frame_decoder dec(100);
  bytes a = encode_frame(to_bytes("hello")), b = encode_frame(to_bytes("")), c = encode_frame(to_bytes("world"));
  bytes all = concat(a, b, c);
  std::vector<bytes> frames;
  for (auto byte : all) {
    ASSERT_TRUE(dec.handle_input(bytes{byte}));
    while (auto f = dec.next_frame()) frames.push_back(*f);
  }
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(frames[0], to_bytes("hello"));
  EXPECT_TRUE(frames[1].empty());
  EXPECT_EQ(frames[2], to_bytes("world"));
}

TEST(KadFrame, RefusesOversizedAndMalformedPrefixes) {
  frame_decoder dec(10);
  auto e = dec.handle_input(encode_uvarint(11));
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, kad_errc::message_too_large);
  EXPECT_TRUE(dec.failed());
  EXPECT_FALSE(dec.handle_input(bytes{1}));
  frame_decoder dec2(10);
  EXPECT_EQ(dec2.handle_input(bytes{0x80, 0x00}).error().code, kad_errc::malformed_frame);
  frame_decoder dec3(10);
  EXPECT_TRUE(dec3.handle_input(encode_uvarint(10)));  // exactly the bound is fine
}

}  // namespace
}  // namespace converge::kad
