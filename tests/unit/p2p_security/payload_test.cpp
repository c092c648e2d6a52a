// NoiseHandshakePayload / Exchange codecs and muxer selection.
#include "p2p/security/payload.hpp"

#include <gtest/gtest.h>

#include "p2p/security/errors.hpp"
#include "test_support.hpp"

using namespace converge;
using namespace converge::p2p::security;
using converge::p2p::security::testing::hex;

TEST(payload, handshake_payload_field_numbers_are_the_spec_ones) {
  handshake_payload p{bytes{0xaa}, bytes{0xbb}, noise_extensions{{bytes{0xcc}}, {"/yamux/1.0.0"}}};
  // 0a 01 aa | 12 01 bb | 22 len { 0a 01 cc | 12 0c "/yamux/1.0.0" }
  EXPECT_EQ(to_hex(encode_handshake_payload(p)), "0a01aa1201bb2211" "0a01cc" "120c2f79616d75782f312e302e30");
  auto back = decode_handshake_payload(encode_handshake_payload(p));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, p);
}

TEST(payload, absent_extensions_stay_absent) {
  handshake_payload p{bytes{1}, bytes{2}, std::nullopt};
  EXPECT_EQ(to_hex(encode_handshake_payload(p)), "0a01011201" "02");
  auto back = decode_handshake_payload(encode_handshake_payload(p));
  ASSERT_TRUE(back);
  EXPECT_FALSE(back->extensions);
}

TEST(payload, unknown_fields_are_ignored) {
  // Field 3 (the pre-r1 libp2p_data) and field 9 from a newer peer.
  auto back = decode_handshake_payload(hex("0a0101" "1a0201024801"));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->identity_key, bytes{1});
}

TEST(payload, garbage_is_invalid) {
  for (auto h : {"ff", "0a05010203", "22020a"}) {
    auto r = decode_handshake_payload(hex(h));
    ASSERT_FALSE(r) << h;
    EXPECT_EQ(r.error().code, security_errc::invalid_payload);
  }
}

TEST(payload, extension_bounds) {
  noise_extensions ext;
  ext.stream_muxers.assign(max_stream_muxers, "/m");
  EXPECT_TRUE(check_extensions(ext));
  ext.stream_muxers.push_back("/m");
  EXPECT_FALSE(check_extensions(ext));
  ext.stream_muxers = {std::string(max_muxer_name_len + 1, 'x')};
  EXPECT_FALSE(check_extensions(ext));
  ext.stream_muxers = {""};
  EXPECT_FALSE(check_extensions(ext));
  ext.stream_muxers = {};
  ext.webtransport_certhashes.assign(max_certhashes + 1, bytes{1});
  EXPECT_FALSE(check_extensions(ext));
}

TEST(payload, negotiate_muxer_rules) {
  using v = std::vector<std::string>;
  EXPECT_EQ(*negotiate_muxer(v{"/yamux/1.0.0", "/mplex/6.7.0"}, v{"/mplex/6.7.0", "/yamux/1.0.0"}), "/yamux/1.0.0");
  EXPECT_EQ(*negotiate_muxer(v{"/a", "/b"}, v{"/b"}), "/b");
  EXPECT_EQ(*negotiate_muxer(v{}, v{"/b"}), std::nullopt);
  EXPECT_EQ(*negotiate_muxer(v{"/a"}, v{}), std::nullopt);
  auto r = negotiate_muxer(v{"/a"}, v{"/b"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, security_errc::no_common_muxer);
}

TEST(payload, exchange_requires_both_fields) {
  EXPECT_TRUE(decode_exchange(encode_exchange({bytes{1}, bytes{2}})));
  EXPECT_FALSE(decode_exchange(hex("0a0101")));
  EXPECT_FALSE(decode_exchange(hex("120102")));
  EXPECT_FALSE(decode_exchange(hex("")));
}
