#include "multiformats/multihash.hpp"

#include <gtest/gtest.h>

#include <set>
#include <unordered_set>

#include "multiformats/multicodec.hpp"

using namespace converge;
using namespace converge::mf;

namespace {
bytes hex(std::string_view h) { return from_hex(h).value(); }
}  // namespace

// Digests of "multihash" from the multihash spec's examples (sha2-256,
// sha2-512) and python hashlib (blake2b with 32-byte output).
TEST(multihash, sums_known_functions) {
  auto data = to_bytes("multihash");
  auto s256 = multihash::sum(codec::sha2_256, data);
  EXPECT_EQ(to_hex(s256.bytes()), "12209cbc07c3f991725836a3aa2a581ca2029198aa420b9d99bc0e131d9f3e2cbe47");
  EXPECT_EQ(s256.code(), codec::sha2_256);
  EXPECT_EQ(s256.digest().size(), 32u);
  auto s512 = multihash::sum(codec::sha2_512, data);
  EXPECT_EQ(to_hex(s512.bytes()),
            "1340fad58a76f927d3b5bbdb606ccf19700225f157263fb515e3c4194fa1220ad34d1d60bf35a07de0e15c8229c7ebc724575425cd581a4ee9"
            "95ff3a5475abfde0d7");
  auto b2 = multihash::sum(codec::blake2b_256, data);
  EXPECT_EQ(to_hex(b2.bytes()), "a0e40220072194efd6c4cd4af8f3df003da2c035b694fd0dc1c5dcdedb27f40ff4d652c0");
  auto id = multihash::sum(codec::identity, data);
  EXPECT_EQ(to_hex(id.bytes()), "0009" + to_hex(data));
  for (const auto& m : {s256, s512, b2, id}) {
    EXPECT_TRUE(m.verifies(data));
    EXPECT_FALSE(m.verifies(to_bytes("multihash!")));
    auto back = multihash::parse(m.bytes());
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, m);
  }
}

TEST(multihash, unknown_code_cannot_be_summed) {
  EXPECT_FALSE(multihash::can_sum(codec::sha3_256));
  auto r = multihash::try_sum(codec::sha3_256, to_bytes("x"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, mf_errc::unknown_code);
  EXPECT_NE(r.error().detail.find("sha3-256"), std::string::npos);
  EXPECT_THROW(multihash::sum(0x99, to_bytes("x")), std::invalid_argument);
}

TEST(multihash, parse_accepts_unknown_codes_opaquely) {
  auto m = multihash::parse(hex("f00103aabbcc"));  // code 0xf0 (unknown), 3-byte digest
  ASSERT_TRUE(m) << m.error().message();
  EXPECT_EQ(m->code(), 0xf0u);
  EXPECT_EQ(to_hex(m->digest()), "aabbcc");
  EXPECT_FALSE(m->verifies(to_bytes("anything")));
}

TEST(multihash, parse_errors) {
  struct {
    const char* hex;
    mf_errc code;
  } cases[] = {
      {"1220aabb", mf_errc::truncated},           // digest shorter than its length
      {"1202aabbcc", mf_errc::trailing_data},     // extra byte after the digest
      {"1221" "00000000000000000000000000000000000000000000000000000000000000000000", mf_errc::invalid_multihash},  // sha2-256 of 33
      {"008101", mf_errc::too_large},              // identity length 129 > bound (before reading digest)
  };
  for (auto& c : cases) {
    auto m = multihash::parse(hex(c.hex));
    ASSERT_FALSE(m) << c.hex;
    EXPECT_EQ(m.error().code, c.code) << c.hex << ": " << m.error().message();
  }
  // Varint errors come from the base module.
  EXPECT_EQ(multihash::parse(hex("")).error().code, base_errc::truncated);
  EXPECT_EQ(multihash::parse(hex("12")).error().code, base_errc::truncated);
  EXPECT_EQ(multihash::parse(hex("9200" "00")).error().code, base_errc::not_minimal);
}

TEST(multihash, identity_bound_is_enforced_exactly) {
  bytes ok(max_identity_digest_size, 7), over(max_identity_digest_size + 1, 7);
  auto m = multihash::identity(ok);
  ASSERT_TRUE(m);
  EXPECT_EQ(multihash::parse(m->bytes()).value(), *m);
  EXPECT_EQ(multihash::identity(over).error().code, mf_errc::too_large);
  EXPECT_THROW(multihash::sum(codec::identity, over), std::length_error);
}

TEST(multihash, truncated_digests_parse_but_do_not_verify) {
  auto full = multihash::sum(codec::sha2_256, to_bytes("x"));
  auto short_mh = multihash::from_digest(codec::sha2_256, full.digest().first(20));
  ASSERT_TRUE(short_mh);
  EXPECT_EQ(multihash::parse(short_mh->bytes()).value(), *short_mh);
  EXPECT_FALSE(short_mh->verifies(to_bytes("x")));
}

TEST(multihash, parse_prefix_reports_consumed) {
  auto m = multihash::sum(codec::sha2_256, to_bytes("abc"));
  auto buf = concat(m.bytes(), hex("ffee"));
  auto p = multihash::parse_prefix(buf);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->consumed, 34u);
  EXPECT_EQ(p->value, m);
}

TEST(multihash, ordering_and_hashing) {
  auto a = multihash::sum(codec::sha2_256, to_bytes("a"));
  auto b = multihash::sum(codec::sha2_256, to_bytes("b"));
  std::set<multihash> s{a, b, a};
  std::unordered_set<multihash> u{a, b, a};
  EXPECT_EQ(s.size(), 2u);
  EXPECT_EQ(u.size(), 2u);
  EXPECT_NE(a, b);
}

TEST(multicodec, names_and_codes) {
  EXPECT_EQ(codec_name(codec::dag_pb).value(), "dag-pb");
  EXPECT_EQ(codec_name(codec::libp2p_key).value(), "libp2p-key");
  EXPECT_EQ(codec_name(codec::blake2b_256).value(), "blake2b-256");
  EXPECT_EQ(codec_from_name("dag-json").value(), 0x0129u);
  EXPECT_EQ(codec_from_name("libp2p-peer-record").value(), 0x0301u);
  EXPECT_FALSE(codec_name(0x123456));
  EXPECT_EQ(codec_from_name("nope").error().code, mf_errc::unknown_code);
  for (const auto& e : codec_table()) EXPECT_EQ(codec_from_name(e.name).value(), e.code) << e.name;
}
