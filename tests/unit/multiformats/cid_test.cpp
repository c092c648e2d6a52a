#include "multiformats/cid.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <unordered_map>

#include "multiformats/multicodec.hpp"

using namespace converge;
using namespace converge::mf;

namespace {
bytes hex(std::string_view h) { return from_hex(h).value(); }
}  // namespace

// The CID spec's example: the same dag-pb node as v0 and v1.
TEST(cid, spec_v0_to_v1) {
  auto c = cid::parse("QmdfTbBqBPQ7VNxZEYEj14VmRuZBkqFbiwReogJgS1zR1n");
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->version(), 0u);
  EXPECT_EQ(c->codec(), codec::dag_pb);
  EXPECT_EQ(c->hash().code(), codec::sha2_256);
  EXPECT_EQ(c->to_string(), "QmdfTbBqBPQ7VNxZEYEj14VmRuZBkqFbiwReogJgS1zR1n");
  EXPECT_EQ(c->to_bytes(), c->hash().bytes());
  auto v1 = c->to_v1();
  EXPECT_EQ(v1.to_string(), "bafybeihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku");
  EXPECT_EQ(c->to_string(multibase::base32), v1.to_string());
  EXPECT_EQ(c->to_string(multibase::base58btc), c->to_string());
  auto back = cid::parse("bafybeihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku");
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, v1);
  EXPECT_NE(*back, *c);
  EXPECT_EQ(back->hash(), c->hash());
}

// sha2-256 of the empty string as a raw block (python hashlib + RFC 4648 base32).
TEST(cid, raw_empty_block) {
  auto c = cid::v1(codec::raw, multihash::sum(codec::sha2_256, {}));
  EXPECT_EQ(c.to_string(), "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku");
  EXPECT_EQ(to_hex(c.to_bytes()).substr(0, 8), "01551220");
}

// An Ed25519 peer ID: identity multihash of the protobuf public key; text forms
// computed independently with python (base58 by hand, base64.b32encode).
TEST(cid, libp2p_key_peer_id_forms) {
  bytes pk = hex("08011220");
  for (int i = 0; i < 32; ++i) pk.push_back(static_cast<std::uint8_t>(i));
  auto mh = multihash::identity(pk).value();
  EXPECT_EQ(base_encode(multibase::base58btc, mh.bytes()), "12D3KooW9pP4Seg3kZYhySpuVjn1RPdQBsUFZKiFxGMGQN5MeL6A");
  auto c = cid::v1(codec::libp2p_key, mh);
  EXPECT_EQ(c.to_string(), "bafzaajaiaejcaaabaibqibiga4eascqlbqgq4dyqcejbgfavcylrqgi2dmob2hq7");
  auto back = cid::parse(c.to_string(multibase::base36));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->codec(), codec::libp2p_key);
  EXPECT_EQ(back->hash(), mh);
  EXPECT_EQ(cid::v0(mh).error().code, mf_errc::invalid_cid);
}

TEST(cid, every_multibase_parses) {
  auto c = cid::v1(codec::dag_cbor, multihash::sum(codec::blake2b_256, to_bytes("x")));
  for (auto b : {multibase::base16, multibase::base32, multibase::base36, multibase::base58btc, multibase::base64,
                 multibase::base64url}) {
    auto text = c.to_string(b);
    EXPECT_EQ(text[0], static_cast<char>(b));
    auto back = cid::parse(text);
    ASSERT_TRUE(back) << text << ": " << back.error().message();
    EXPECT_EQ(*back, c);
    EXPECT_EQ(cid::from_bytes(c.to_bytes()).value(), c);
  }
}

TEST(cid, spec_rules_are_enforced) {
  auto v0 = cid::parse("QmdfTbBqBPQ7VNxZEYEj14VmRuZBkqFbiwReogJgS1zR1n").value();
  struct {
    std::string text;
    mf_errc code;
  } cases[] = {
      // v0 bytes in multibase: refused by the spec.
      {multibase_encode(multibase::base58btc, v0.to_bytes()), mf_errc::invalid_cid},
      {multibase_encode(multibase::base32, v0.to_bytes()), mf_errc::invalid_cid},
      // version 0 in v1 framing; version 2 unsupported.
      {multibase_encode(multibase::base32, concat(hex("0070"), v0.hash().bytes())), mf_errc::invalid_cid},
      {multibase_encode(multibase::base32, concat(hex("0270"), v0.hash().bytes())), mf_errc::invalid_cid},
      // truncated multihash and trailing bytes.
      {multibase_encode(multibase::base32, hex("01701220aabb")), mf_errc::truncated},
      {multibase_encode(multibase::base32, concat(hex("0170"), v0.hash().bytes(), hex("00"))), mf_errc::trailing_data},
      // Qm-text of the wrong length.
      {"QmdfTbBqBPQ7VNxZEYEj14VmRuZBkqFbiwReogJgS1zR1", mf_errc::invalid_cid},
      {"", mf_errc::invalid_cid},
      {"xyz", mf_errc::unknown_base},
      {"bafybeihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyk!", mf_errc::invalid_character},
  };
  for (auto& c : cases) {
    auto r = cid::parse(c.text);
    ASSERT_FALSE(r) << c.text;
    EXPECT_EQ(r.error().code, c.code) << c.text << ": " << r.error().message();
  }
  // A 34-byte buffer starting 0x12 but of the wrong digest length.
  EXPECT_EQ(cid::from_bytes(hex("1221" + std::string(64, 'a'))).error().code, mf_errc::invalid_cid);
  EXPECT_EQ(cid::from_bytes({}).error().code, mf_errc::truncated);
  EXPECT_EQ(cid::from_bytes(bytes(max_cid_bytes + 1, 1)).error().code, mf_errc::too_large);
}

TEST(cid, map_key) {
  auto a = cid::v1(codec::raw, multihash::sum(codec::sha2_256, to_bytes("a")));
  auto b = cid::v1(codec::dag_pb, multihash::sum(codec::sha2_256, to_bytes("a")));
  auto v0 = cid::v0(multihash::sum(codec::sha2_256, to_bytes("a"))).value();
  std::map<cid, int> m{{a, 1}, {b, 2}, {v0, 3}};
  std::unordered_map<cid, int> u{{a, 1}, {b, 2}, {v0, 3}};
  EXPECT_EQ(m.size(), 3u);
  EXPECT_EQ(u.size(), 3u);
  EXPECT_EQ(m.begin()->second, 3);  // v0 orders first
  EXPECT_EQ(u.at(b), 2);
}

TEST(cid, random_round_trips) {
  std::mt19937 gen(11);
  const std::uint64_t codecs[] = {codec::raw, codec::dag_pb, codec::dag_cbor, codec::dag_json, codec::libp2p_key, 0x300000};
  const std::uint64_t hashes[] = {codec::sha2_256, codec::sha2_512, codec::blake2b_256, codec::identity};
  for (int i = 0; i < 500; ++i) {
    bytes data(gen() % 40);
    for (auto& x : data) x = static_cast<std::uint8_t>(gen());
    auto c = cid::v1(codecs[gen() % 6], multihash::sum(hashes[gen() % 4], data));
    auto back = cid::from_bytes(c.to_bytes());
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, c);
    auto text = cid::parse(c.to_string());
    ASSERT_TRUE(text);
    EXPECT_EQ(*text, c);
    auto v0 = cid::v0(multihash::sum(codec::sha2_256, data)).value();
    EXPECT_EQ(cid::parse(v0.to_string()).value(), v0);
    EXPECT_EQ(cid::from_bytes(v0.to_bytes()).value(), v0);
  }
}

// A v0 CID has one text form; any other base prints its v1 equivalent.
TEST(cid, v0_in_other_bases_is_v1) {
  auto v0 = cid::parse("QmdfTbBqBPQ7VNxZEYEj14VmRuZBkqFbiwReogJgS1zR1n").value();
  for (auto b : {multibase::base16, multibase::base32, multibase::base36, multibase::base64, multibase::base64url}) {
    auto text = v0.to_string(b);
    EXPECT_EQ(text[0], static_cast<char>(b));
    EXPECT_EQ(cid::parse(text).value(), v0.to_v1()) << text;
  }
  EXPECT_EQ(v0.to_v1().to_string(multibase::base58btc), "zdj7Wkkhxcu2rsiN6GUyHCLsSLL47kdUNfjbFqBUUhMFTZKBi");
  EXPECT_EQ(v0.to_v1().to_string(multibase::base36), "k2jmtxx1epa2wl096hsbpuhrz9xhppklonehzwkmskc9rmeb51kwn4ut");
  // Upper-case base32 decodes too (the multibase spec's case-insensitivity).
  EXPECT_EQ(cid::parse("BAFYBEIHDWDCEFGH4DQKJV67UZCMW7OJEE6XEDZDETOJUZJEVTENXQUVYKU").value(), v0.to_v1());
}
