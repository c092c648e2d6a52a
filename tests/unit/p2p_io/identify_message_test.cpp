// The Identify protobuf codec: round trip, merging, unknown fields, bounds.
#include <gtest/gtest.h>

#include "base/varint.hpp"
#include "p2p/io/errors.hpp"
#include "p2p/io/protocols/identify_message.hpp"
#include "harness.hpp"

namespace converge::p2p::io {
namespace {

identify_info sample() {
  identify_info info;
  info.protocol_version = "ipfs/0.1.0";
  info.agent_version = "converge/test";
  info.public_key = testing::test_key(50).public_key();
  info.listen_addrs = {*mf::multiaddr::parse("/ip4/127.0.0.1/tcp/4001"), *mf::multiaddr::parse("/ip6/::1/tcp/4002")};
  info.observed_addr = *mf::multiaddr::parse("/ip4/127.0.0.1/tcp/5555");
  info.protocols = {"/ipfs/id/1.0.0", "/ipfs/ping/1.0.0"};
  info.signed_peer_record = bytes{1, 2, 3};
  return info;
}

TEST(P2pIoIdentifyMessage, RoundTrip) {
  auto info = sample();
  auto back = decode_identify(encode_identify(info));
  ASSERT_TRUE(back.has_value()) << back.error().message();
  EXPECT_EQ(back->protocol_version, info.protocol_version);
  EXPECT_EQ(back->agent_version, info.agent_version);
  EXPECT_EQ(back->public_key, info.public_key);
  EXPECT_EQ(back->listen_addrs, info.listen_addrs);
  EXPECT_EQ(back->observed_addr, info.observed_addr);
  EXPECT_EQ(back->protocols, info.protocols);
  EXPECT_EQ(back->signed_peer_record, info.signed_peer_record);
}

TEST(P2pIoIdentifyMessage, StreamOfTwoMessagesMerges) {
  identify_info second;
  second.protocols = {"/late/1.0.0"};
  auto data = concat(frame_identify(sample()), frame_identify(second));
  auto merged = decode_identify_stream(data);
  ASSERT_TRUE(merged.has_value()) << merged.error().message();
  EXPECT_EQ(merged->protocols.size(), 3u);
  EXPECT_EQ(merged->agent_version, "converge/test");
}

TEST(P2pIoIdentifyMessage, UnknownFieldsAreSkipped) {
  bytes body = encode_identify(sample());
  append_uvarint(body, (7 << 3) | 0);  // varint field 7
  append_uvarint(body, 300);
  append_uvarint(body, (9 << 3) | 2);  // bytes field 9
  append_uvarint(body, 2);
  body.push_back(1);
  body.push_back(2);
  append_uvarint(body, (10 << 3) | 5);  // fixed32 field 10
  for (int i = 0; i < 4; ++i) body.push_back(0);
  EXPECT_TRUE(decode_identify(body).has_value());
}

TEST(P2pIoIdentifyMessage, MalformedInputIsRefused) {
  auto body = encode_identify(sample());
  for (std::size_t cut = 1; cut < body.size(); ++cut) {
    auto r = decode_identify(bytes_view(body).first(cut));
    // A cut inside a field fails; a cut between fields is a shorter valid message.
    if (!r) {
      EXPECT_EQ(r.error().code, make_error_code(io_errc::invalid_message));
    }
  }
  bytes group{(3 << 3) | 3};  // deprecated group wire type
  EXPECT_FALSE(decode_identify(group).has_value());
  bytes bad_key{(1 << 3) | 2, 3, 1, 2, 3};
  EXPECT_FALSE(decode_identify(bad_key).has_value());
  EXPECT_FALSE(decode_identify_stream({}).has_value());
  bytes bad_frame{5, 1};
  EXPECT_FALSE(decode_identify_stream(bad_frame).has_value());
}

TEST(P2pIoIdentifyMessage, BoundsAreEnforced) {
  identify_limits limits;
  limits.max_protocols = 2;
  limits.max_addrs = 1;
  limits.max_string = 8;
  auto info = sample();
  info.agent_version = "a";
  info.protocol_version = "b";
  info.protocols = {"/a", "/b", "/c"};
  info.listen_addrs.resize(1);
  auto r = decode_identify(encode_identify(info), limits);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().detail.find("more than 2 protocols"), std::string::npos) << r.error().detail;
  info.protocols = {"/a"};
  info.listen_addrs = sample().listen_addrs;
  r = decode_identify(encode_identify(info), limits);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().detail.find("listen addresses"), std::string::npos);
  info.listen_addrs.resize(1);
  info.agent_version = "much too long";
  r = decode_identify(encode_identify(info), limits);
  ASSERT_FALSE(r.has_value());
  limits.max_message = 10;
  EXPECT_FALSE(decode_identify(encode_identify(sample()), limits).has_value());
}

}  // namespace
}  // namespace converge::p2p::io
