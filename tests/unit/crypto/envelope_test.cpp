#include "crypto/envelope.hpp"

#include <gtest/gtest.h>

#include "crypto/peer_record.hpp"
#include "test_vectors.hpp"

using namespace converge;
using namespace converge::crypto;
namespace tv = converge::crypto::test_vectors;

namespace {
bytes hex(std::string_view h) { return from_hex(h).value(); }
std::error_code code_of(const auto& r) { return r ? std::error_code{} : r.error().code; }
private_key gen(key_type t, std::uint64_t seed = 1) {
  deterministic_rng r(seed);
  return private_key::generate(t, r).value();
}
const bytes type_a = to_bytes("/converge/test-a");
const bytes type_b = to_bytes("/converge/test-b");
}  // namespace

TEST(envelope, signing_buffer_is_length_prefixed_domain_type_payload) {
  EXPECT_EQ(to_hex(envelope_signing_buffer("ab", bytes{0x03, 0x01}, to_bytes("xyz"))), "0261620203010378797a");
  bytes big(200, 7);
  auto buf = envelope_signing_buffer("d", bytes{1}, big);
  EXPECT_EQ(to_hex(bytes_view(buf).first(6)), "01640101c801");  // 200 as a two-byte uvarint
}

TEST(envelope, seal_and_open_with_every_key_type) {
  for (auto t : {key_type::ed25519, key_type::secp256k1, key_type::ecdsa, key_type::rsa}) {
    SCOPED_TRACE(std::string(key_type_name(t)));
    auto key = gen(t);
    auto env = envelope::seal(key, "converge-test", type_a, to_bytes("payload"));
    ASSERT_TRUE(env) << env.error().message();
    auto opened = envelope::open(env->to_protobuf(), "converge-test", type_a);
    ASSERT_TRUE(opened) << opened.error().message();
    EXPECT_EQ(opened->key(), key.public_key());
    EXPECT_EQ(opened->payload(), to_bytes("payload"));
    EXPECT_EQ(opened->payload_type(), type_a);
    EXPECT_EQ(opened->signer(), peer_id::from_public_key(key.public_key()));
    EXPECT_EQ(opened->to_protobuf(), env->to_protobuf());
  }
}

TEST(envelope, wrong_domain_wrong_type_and_tampering_have_distinct_errors) {
  auto key = gen(key_type::ed25519);
  bytes wire = envelope::seal(key, "converge-test", type_a, to_bytes("payload")).value().to_protobuf();
  EXPECT_EQ(code_of(envelope::open(wire, "converge-other", type_a)), crypto_errc::invalid_signature);
  EXPECT_EQ(code_of(envelope::open(wire, "converge-test", type_b)), crypto_errc::wrong_payload_type);
  // Flip each byte of the payload region: every change is caught.
  std::size_t pos = std::string_view(reinterpret_cast<const char*>(wire.data()), wire.size()).find("payload");
  ASSERT_NE(pos, std::string_view::npos);
  for (std::size_t i = pos; i < pos + 7; ++i) {
    bytes t = wire;
    t[i] ^= 0x01;
    EXPECT_EQ(code_of(envelope::open(t, "converge-test", type_a)), crypto_errc::invalid_signature);
  }
  bytes sig_flip = wire;
  sig_flip.back() ^= 0x01;  // the signature is the last field
  EXPECT_EQ(code_of(envelope::open(sig_flip, "converge-test", type_a)), crypto_errc::invalid_signature);
  // Swapping in another key makes the signature fail, not the parse.
  bytes pk = gen(key_type::ed25519, 2).public_key().to_protobuf();
  bytes swapped = wire;
  std::copy(pk.begin(), pk.end(), swapped.begin() + 2);  // field 1 leads: tag, length, key
  EXPECT_EQ(code_of(envelope::open(swapped, "converge-test", type_a)), crypto_errc::invalid_signature);
}

TEST(envelope, rejects_malformed_input) {
  EXPECT_EQ(code_of(envelope::open({}, "d", type_a)), crypto_errc::malformed_envelope);
  EXPECT_EQ(code_of(envelope::open(hex("0a00"), "d", type_a)), crypto_errc::malformed_envelope);
  EXPECT_EQ(code_of(envelope::open(hex("ff"), "d", type_a)), crypto_errc::malformed_envelope);
  EXPECT_EQ(code_of(envelope::open(bytes(max_envelope_size + 1, 0), "d", type_a)), crypto_errc::malformed_envelope);
  auto key = gen(key_type::ed25519);
  EXPECT_EQ(code_of(envelope::seal(key, "", type_a, {})), crypto_errc::invalid_argument);
  EXPECT_EQ(code_of(envelope::seal(key, "d", {}, {})), crypto_errc::invalid_argument);
  // A bad key inside the envelope is a key error.
  // public_key = Ed25519 with empty Data, payload_type = 01, signature = 01.
  EXPECT_EQ(code_of(envelope::open(hex("0a0408011200120101" "2a0101"), "d", bytes{1})), crypto_errc::invalid_key);
}

TEST(peer_record, opens_the_go_libp2p_record_and_reseals_it_byte_for_byte) {
  auto key = private_key::from_protobuf(hex(tv::go_peer_record_private)).value();
  bytes wire = hex(tv::go_peer_record_envelope);
  auto opened = open_peer_record(wire);
  ASSERT_TRUE(opened) << opened.error().message();
  EXPECT_EQ(opened->env.key(), key.public_key());
  EXPECT_EQ(opened->record.id, peer_id::from_public_key(key.public_key()));
  ASSERT_EQ(opened->record.addresses.size(), 10u);
  EXPECT_EQ(to_hex(opened->record.addresses[0]), "0401020304060000");  // /ip4/1.2.3.4/tcp/0
  auto addrs = opened->record.multiaddrs();
  ASSERT_EQ(addrs.size(), 10u);
  EXPECT_EQ(addrs[9].to_string(), "/ip4/1.2.3.4/tcp/9");
  // Ed25519 is deterministic and our encoding is go's: the same bytes come out.
  auto resealed = seal_peer_record(key, opened->record);
  ASSERT_TRUE(resealed);
  EXPECT_EQ(to_hex(resealed->to_protobuf()), to_hex(wire));
}

TEST(peer_record, round_trip_and_signer_must_own_the_record) {
  auto key = gen(key_type::secp256k1);
  peer_record rec{peer_id::from_public_key(key.public_key()), 1700000000, {hex("047f000001060fa1")}};
  auto env = seal_peer_record(key, rec);
  ASSERT_TRUE(env);
  EXPECT_EQ(env->payload_type(), bytes({0x03, 0x01}));
  auto opened = open_peer_record(env->to_protobuf());
  ASSERT_TRUE(opened) << opened.error().message();
  EXPECT_EQ(opened->record.seq, 1700000000u);
  EXPECT_EQ(opened->record.addresses, rec.addresses);
  // An undecodable address is skipped by multiaddrs(), kept in addresses.
  peer_record odd = rec;
  odd.addresses.push_back(hex("ffffffff0f00"));
  EXPECT_EQ(odd.multiaddrs().size(), 1u);
  EXPECT_EQ(odd.multiaddrs()[0].to_string(), "/ip4/127.0.0.1/tcp/4001");

  // Sealing someone else's record is refused...
  auto other = gen(key_type::ed25519, 9);
  EXPECT_EQ(code_of(seal_peer_record(other, rec)), crypto_errc::peer_id_mismatch);
  // ...and a record for A signed by B fails to open.
  auto forged = envelope::seal(other, peer_record_domain, peer_record_payload_type, rec.to_protobuf()).value();
  EXPECT_EQ(code_of(open_peer_record(forged.to_protobuf())), crypto_errc::peer_id_mismatch);
  // A peer record envelope under the wrong domain or type.
  auto wrong_domain = envelope::seal(key, "libp2p-routing-state", peer_record_payload_type, rec.to_protobuf()).value();
  EXPECT_EQ(code_of(open_peer_record(wrong_domain.to_protobuf())), crypto_errc::invalid_signature);
  auto wrong_type = envelope::seal(key, peer_record_domain, type_a, rec.to_protobuf()).value();
  EXPECT_EQ(code_of(open_peer_record(wrong_type.to_protobuf())), crypto_errc::wrong_payload_type);
}

TEST(peer_record, bounds_and_malformed_payloads) {
  auto key = gen(key_type::ed25519);
  peer_record rec{peer_id::from_public_key(key.public_key()), 1, {}};
  rec.addresses.assign(max_peer_record_addresses + 1, hex("047f000001"));
  EXPECT_EQ(code_of(peer_record::from_protobuf(rec.to_protobuf())), crypto_errc::invalid_record);
  rec.addresses.assign(1, bytes(max_multiaddr_bytes + 1, 4));
  EXPECT_EQ(code_of(peer_record::from_protobuf(rec.to_protobuf())), crypto_errc::invalid_record);
  rec.addresses.assign(max_peer_record_addresses, hex("047f000001"));
  EXPECT_TRUE(peer_record::from_protobuf(rec.to_protobuf()));
  EXPECT_FALSE(peer_record::from_protobuf(hex("0a0401020304")));  // peer_id not a multihash
  EXPECT_FALSE(peer_record::from_protobuf(hex("ff")));
  auto garbage = envelope::seal(key, peer_record_domain, peer_record_payload_type, hex("ffff")).value();
  EXPECT_EQ(code_of(open_peer_record(garbage.to_protobuf())), crypto_errc::invalid_record);
}
