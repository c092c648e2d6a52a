#include "crypto/peer_id.hpp"

#include <gtest/gtest.h>

#include <unordered_set>

#include "base/varint.hpp"

#include "test_vectors.hpp"

using namespace converge;
using namespace converge::crypto;
namespace tv = converge::crypto::test_vectors;

namespace {
bytes hex(std::string_view h) { return from_hex(h).value(); }
std::error_code code_of(const auto& r) { return r ? std::error_code{} : r.error().code; }
peer_id id_of_public(std::string_view pub_hex) {
  return peer_id::from_public_key(public_key::from_protobuf(hex(pub_hex)).value());
}
peer_id id_of_private(std::string_view priv_hex) {
  return peer_id::from_public_key(private_key::from_protobuf(hex(priv_hex)).value().public_key());
}
}  // namespace

TEST(peer_id, derivation_uses_identity_up_to_42_bytes_else_sha256) {
  auto ed = id_of_public(tv::ed25519_public);
  EXPECT_EQ(ed.multihash().code(), 0x00u);
  EXPECT_TRUE(ed.to_base58().starts_with("12D3KooW"));
  EXPECT_TRUE(equal(ed.multihash().digest(), hex(tv::ed25519_public)));
  auto secp = id_of_public(tv::secp256k1_public);
  EXPECT_EQ(secp.multihash().code(), 0x00u);
  EXPECT_TRUE(secp.to_base58().starts_with("16Uiu2"));
  for (auto pub : {tv::ecdsa_public, tv::rsa_public}) {
    auto id = id_of_public(pub);
    EXPECT_EQ(id.multihash().code(), 0x12u);
    EXPECT_EQ(id.to_bytes().size(), 34u);
    EXPECT_TRUE(id.to_base58().starts_with("Qm"));
  }
}

TEST(peer_id, matches_ids_computed_by_go_and_js_libp2p) {
  EXPECT_EQ(id_of_private(tv::go_rsa_private).to_base58(), tv::go_rsa_peer_id);
  EXPECT_EQ(to_hex(id_of_private(tv::sample_rsa_private).to_bytes()), tv::sample_rsa_peer_id_hex);
  EXPECT_EQ(to_hex(id_of_public(tv::sample_rsa_public).to_bytes()), tv::sample_rsa_peer_id_hex);
  EXPECT_EQ(id_of_private(tv::go_ed25519_verify_privatekey).to_base58(),
            "12D3KooWLqLxEfJ9nDdEe8Kh8PFvNPQRYDQBwyL7CMM7HhVd5LsX");
  EXPECT_EQ(id_of_private(tv::go_secp256k1_privatekey).to_base58(),
            "16Uiu2HAm5vpzEwJ41kQmnwDu9moFusdc16wV1oCUd1AHLgFgPpKY");
}

TEST(peer_id, parses_the_spec_examples) {
  auto legacy = peer_id::parse("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N");
  ASSERT_TRUE(legacy) << legacy.error().message();
  EXPECT_EQ(legacy->to_base58(), "QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N");
  EXPECT_EQ(code_of(legacy->extract_public_key()), crypto_errc::no_embedded_key);

  auto as_cid = peer_id::parse("bafzbeie5745rpv2m6tjyuugywy4d5ewrqgqqhfnf445he3omzpjbx5xqxe");
  ASSERT_TRUE(as_cid) << as_cid.error().message();
  EXPECT_EQ(as_cid->to_cid_string(), "bafzbeie5745rpv2m6tjyuugywy4d5ewrqgqqhfnf445he3omzpjbx5xqxe");
  EXPECT_EQ(as_cid->multihash().code(), 0x12u);

  auto ed = peer_id::parse("12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA");
  ASSERT_TRUE(ed) << ed.error().message();
  auto key = ed->extract_public_key();
  ASSERT_TRUE(key);
  EXPECT_EQ(key->type(), key_type::ed25519);
  EXPECT_TRUE(ed->matches(*key));
  EXPECT_EQ(peer_id::from_public_key(*key), *ed);
}

TEST(peer_id, cid_forms_round_trip_in_base32_and_base36) {
  for (auto pub : {tv::ed25519_public, tv::secp256k1_public, tv::ecdsa_public, tv::rsa_public}) {
    auto id = id_of_public(pub);
    std::string b32 = id.to_cid_string();
    std::string b36 = id.to_cid_string(mf::multibase::base36);
    EXPECT_EQ(b32.front(), 'b');
    EXPECT_EQ(b36.front(), 'k');
    EXPECT_EQ(peer_id::parse(b32).value(), id);
    EXPECT_EQ(peer_id::parse(b36).value(), id);
    EXPECT_EQ(peer_id::parse(id.to_base58()).value(), id);
    EXPECT_EQ(peer_id::from_bytes(id.to_bytes()).value(), id);
    EXPECT_EQ(peer_id::parse(id.to_cid_string(mf::multibase::base58btc)).value(), id);  // "z..." multibase CID
  }
  EXPECT_TRUE(id_of_public(tv::ed25519_public).to_cid_string(mf::multibase::base36).starts_with("k51"));
  EXPECT_TRUE(id_of_public(tv::ed25519_public).to_cid_string().starts_with("bafzaa"));
}

TEST(peer_id, rejects_what_is_not_a_peer_id) {
  // A dag-pb CID is content, not a key.
  EXPECT_EQ(code_of(peer_id::parse("bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi")),
            crypto_errc::invalid_peer_id);
  EXPECT_FALSE(peer_id::parse(""));
  EXPECT_FALSE(peer_id::parse("12D3KooW0OIl"));  // not base58 characters
  EXPECT_FALSE(peer_id::parse("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5"));  // truncated
  EXPECT_FALSE(peer_id::parse("hello"));
  EXPECT_EQ(code_of(peer_id::parse(std::string(max_peer_id_text + 1, '1'))), crypto_errc::invalid_peer_id);
  // sha2-256 with a short digest; sha2-512; identity of garbage; identity over 42 bytes.
  EXPECT_EQ(code_of(peer_id::from_bytes(hex("1204deadbeef"))), crypto_errc::invalid_peer_id);
  EXPECT_EQ(code_of(peer_id::from_bytes(concat(hex("1340"), bytes(64, 1)))), crypto_errc::invalid_peer_id);
  EXPECT_FALSE(peer_id::from_bytes(hex("0004deadbeef")));
  bytes ecdsa_pub = hex(tv::ecdsa_public);
  auto long_identity = concat(hex("00"), encode_uvarint(ecdsa_pub.size()), ecdsa_pub);
  EXPECT_EQ(code_of(peer_id::from_bytes(long_identity)), crypto_errc::invalid_peer_id);
  EXPECT_FALSE(peer_id::from_bytes(concat(id_of_public(tv::ed25519_public).to_bytes(), bytes{0})));  // trailing byte
}

TEST(peer_id, compares_and_hashes_by_multihash) {
  auto a = id_of_public(tv::ed25519_public);
  auto b = id_of_public(tv::secp256k1_public);
  EXPECT_NE(a, b);
  EXPECT_TRUE((a < b) != (b < a));
  std::unordered_set<peer_id> set{a, b, peer_id::parse(a.to_cid_string()).value()};
  EXPECT_EQ(set.size(), 2u);
  EXPECT_FALSE(a.matches(public_key::from_protobuf(hex(tv::secp256k1_public)).value()));
}
