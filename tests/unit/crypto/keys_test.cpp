#include "crypto/keys.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "test_vectors.hpp"

using namespace converge;
using namespace converge::crypto;
namespace tv = converge::crypto::test_vectors;

namespace {

bytes hex(std::string_view h) { return from_hex(h).value(); }

private_key gen(key_type t, std::uint64_t seed = 1) {
  deterministic_rng r(seed);
  return private_key::generate(t, r).value();
}

// The error code of a failed result; a default code (never equal to an errc) on success.
std::error_code code_of(const auto& r) { return r ? std::error_code{} : r.error().code; }

struct spec_vector {
  key_type type;
  std::string_view priv;
  std::string_view pub;
};

const spec_vector spec_vectors[] = {
    {key_type::ecdsa, tv::ecdsa_private, tv::ecdsa_public},
    {key_type::ed25519, tv::ed25519_private, tv::ed25519_public},
    {key_type::secp256k1, tv::secp256k1_private, tv::secp256k1_public},
    {key_type::rsa, tv::rsa_private, tv::rsa_public},
};

const key_type all_types[] = {key_type::ed25519, key_type::secp256k1, key_type::ecdsa, key_type::rsa};

}  // namespace

TEST(keys, spec_test_vectors_derive_public_key_and_round_trip) {
  for (const auto& v : spec_vectors) {
    SCOPED_TRACE(std::string(key_type_name(v.type)));
    auto priv = private_key::from_protobuf(hex(v.priv));
    ASSERT_TRUE(priv) << priv.error().message();
    EXPECT_EQ(priv->type(), v.type);
    EXPECT_EQ(to_hex(priv->public_key().to_protobuf()), v.pub);
    EXPECT_EQ(to_hex(priv->to_protobuf()), v.priv);
    auto pub = public_key::from_protobuf(hex(v.pub));
    ASSERT_TRUE(pub) << pub.error().message();
    EXPECT_EQ(*pub, priv->public_key());
    EXPECT_EQ(to_hex(pub->to_protobuf()), v.pub);
  }
}

TEST(keys, sign_verify_every_type_and_detect_tampering) {
  const bytes msg = to_bytes("converge signs this");
  for (auto t : all_types) {
    SCOPED_TRACE(std::string(key_type_name(t)));
    auto k = gen(t);
    auto sig = k.sign(msg);
    ASSERT_TRUE(sig) << sig.error().message();
    EXPECT_TRUE(k.public_key().verify(msg, *sig));
    bytes bad_msg = msg;
    bad_msg[0] ^= 1;
    EXPECT_FALSE(k.public_key().verify(bad_msg, *sig));
    for (std::size_t i : {std::size_t{0}, sig->size() / 2, sig->size() - 1}) {
      bytes bad_sig = *sig;
      bad_sig[i] ^= 0x40;
      EXPECT_FALSE(k.public_key().verify(msg, bad_sig)) << "flipped byte " << i;
    }
    EXPECT_FALSE(k.public_key().verify(msg, {}));
    EXPECT_FALSE(gen(t, 2).public_key().verify(msg, *sig));
    // The key survives its own encodings.
    auto again = private_key::from_protobuf(k.to_protobuf());
    ASSERT_TRUE(again);
    EXPECT_EQ(*again, k);
    EXPECT_EQ(again->public_key(), k.public_key());
  }
}

TEST(keys, ed25519_and_secp256k1_generation_follows_the_rng) {
  EXPECT_EQ(gen(key_type::ed25519, 7), gen(key_type::ed25519, 7));
  EXPECT_FALSE(gen(key_type::ed25519, 7) == gen(key_type::ed25519, 8));
  EXPECT_EQ(gen(key_type::secp256k1, 7), gen(key_type::secp256k1, 7));
  EXPECT_EQ(gen(key_type::ed25519).raw().size(), 64u);
  EXPECT_EQ(gen(key_type::secp256k1).public_key().raw().size(), 33u);
}

TEST(keys, go_ed25519_signature_verifies_and_is_reproduced) {
  auto priv = private_key::from_protobuf(hex(tv::go_ed25519_verify_privatekey)).value();
  auto pub = public_key::from_protobuf(hex(tv::go_ed25519_verify_publickey)).value();
  EXPECT_EQ(priv.public_key(), pub);
  EXPECT_TRUE(pub.verify(hex(tv::go_ed25519_verify_data), hex(tv::go_ed25519_verify_signature)));
  EXPECT_EQ(to_hex(priv.sign(hex(tv::go_ed25519_verify_data)).value()), tv::go_ed25519_verify_signature);
}

TEST(keys, legacy_96_byte_ed25519_private_key_is_read_and_written_as_64) {
  bytes legacy = hex(tv::go_ed25519_legacy_privatekey);
  ASSERT_EQ(legacy.size(), 4u + 96u);
  auto priv = private_key::from_protobuf(legacy);
  ASSERT_TRUE(priv) << priv.error().message();
  EXPECT_EQ(to_hex(priv->public_key().to_protobuf()), tv::go_ed25519_legacy_publickey);
  EXPECT_EQ(priv->raw().size(), 64u);
  bytes out = priv->to_protobuf();
  EXPECT_EQ(out.size(), 4u + 64u);
  EXPECT_EQ(out[3], 64);
  EXPECT_EQ(to_hex(priv->sign(hex(tv::go_ed25519_legacy_data)).value()), tv::go_ed25519_legacy_signature);

  // The two public copies must agree, and must be the seed's public key.
  bytes mismatched = legacy;
  mismatched.back() ^= 1;
  auto r = private_key::from_protobuf(mismatched);
  ASSERT_FALSE(r);
  EXPECT_EQ(code_of(r), crypto_errc::invalid_key);
  bytes raw64 = hex(tv::ed25519_private);
  raw64.back() ^= 1;  // public half no longer the seed's
  EXPECT_EQ(code_of(private_key::from_protobuf(raw64)), crypto_errc::invalid_key);
}

TEST(keys, go_secp256k1_signature_verifies) {
  auto priv = private_key::from_protobuf(hex(tv::go_secp256k1_privatekey)).value();
  auto pub = public_key::from_protobuf(hex(tv::go_secp256k1_publickey)).value();
  EXPECT_EQ(priv.public_key(), pub);
  bytes msg = to_bytes("hello! and welcome to some awesome crypto primitives");
  EXPECT_TRUE(pub.verify(msg, hex(tv::go_secp256k1_signature)));
  // RFC 6979 makes our signature deterministic; it verifies as well.
  EXPECT_TRUE(pub.verify(msg, priv.sign(msg).value()));
  EXPECT_EQ(priv.sign(msg).value(), priv.sign(msg).value());
}

TEST(keys, rejects_unknown_key_types_and_malformed_protobuf) {
  bytes unknown_type = hex("08071220" + std::string(64, '1'));
  EXPECT_EQ(code_of(public_key::from_protobuf(unknown_type)), crypto_errc::unknown_key_type);
  EXPECT_EQ(code_of(private_key::from_protobuf(hex("0807122000"))), crypto_errc::malformed_protobuf);
  EXPECT_EQ(code_of(public_key::from_protobuf({})), crypto_errc::malformed_protobuf);
  EXPECT_EQ(code_of(public_key::from_protobuf(hex("0801"))), crypto_errc::malformed_protobuf);   // no Data
  EXPECT_EQ(code_of(public_key::from_protobuf(hex("1200"))), crypto_errc::malformed_protobuf);   // no Type
  EXPECT_EQ(code_of(public_key::from_protobuf(hex("08011220"))), crypto_errc::malformed_protobuf);  // truncated
  bytes pub = hex(tv::ed25519_public);
  // Fields in the wrong order: valid protobuf, not the canonical encoding.
  bytes reordered = concat(bytes_view(pub).subspan(2), bytes_view(pub).first(2));
  EXPECT_EQ(code_of(public_key::from_protobuf(reordered)), crypto_errc::malformed_protobuf);
  // An extra field.
  EXPECT_EQ(code_of(public_key::from_protobuf(concat(pub, hex("1801")))), crypto_errc::malformed_protobuf);
  // A non-minimal varint for Type.
  bytes padded = concat(hex("088100"), bytes_view(pub).subspan(2));
  EXPECT_FALSE(public_key::from_protobuf(padded));
  // Over the size bound.
  EXPECT_EQ(code_of(public_key::from_protobuf(bytes(max_public_key_protobuf + 1, 0))), crypto_errc::key_too_large);
}

TEST(keys, rejects_wrong_lengths_and_bad_points) {
  EXPECT_EQ(code_of(public_key::from_raw(key_type::ed25519, bytes(31, 1))), crypto_errc::invalid_key);
  EXPECT_EQ(code_of(private_key::from_raw(key_type::ed25519, bytes(32, 1))), crypto_errc::invalid_key);
  EXPECT_EQ(code_of(public_key::from_raw(key_type::secp256k1, bytes(32, 2))), crypto_errc::invalid_key);
  bytes secp = public_key::from_protobuf(hex(tv::secp256k1_public)).value().raw();
  bytes wrong_prefix = secp;
  wrong_prefix[0] = 0x04;
  EXPECT_EQ(code_of(public_key::from_raw(key_type::secp256k1, wrong_prefix)), crypto_errc::invalid_key);
  // x = 5 has no point on secp256k1 (5^3 + 7 = 132 is not a square mod p).
  bytes off_curve(33, 0);
  off_curve[0] = 0x02;
  off_curve[32] = 5;
  EXPECT_EQ(code_of(public_key::from_raw(key_type::secp256k1, off_curve)), crypto_errc::invalid_key);
  EXPECT_EQ(code_of(private_key::from_raw(key_type::secp256k1, bytes(32, 0))), crypto_errc::invalid_key);
  EXPECT_EQ(code_of(private_key::from_raw(key_type::secp256k1, bytes(32, 0xff))), crypto_errc::invalid_key);

  // ECDSA: a point moved off the curve, a compressed point, trailing bytes.
  bytes ec = public_key::from_protobuf(hex(tv::ecdsa_public)).value().raw();
  bytes ec_bad = ec;
  ec_bad.back() ^= 1;
  EXPECT_EQ(code_of(public_key::from_raw(key_type::ecdsa, ec_bad)), crypto_errc::invalid_key);
  EXPECT_EQ(code_of(public_key::from_raw(key_type::ecdsa, concat(ec, bytes{0}))), crypto_errc::invalid_key);
  EXPECT_EQ(code_of(public_key::from_raw(key_type::ecdsa, hex(tv::ed25519_public))), crypto_errc::invalid_key);
  // An RSA SubjectPublicKeyInfo is not an ECDSA key, and vice versa.
  bytes rsa = public_key::from_protobuf(hex(tv::rsa_public)).value().raw();
  EXPECT_EQ(code_of(public_key::from_raw(key_type::ecdsa, rsa)), crypto_errc::invalid_key);
  EXPECT_EQ(code_of(public_key::from_raw(key_type::rsa, ec)), crypto_errc::invalid_key);
}

TEST(keys, rsa_keys_under_2048_bits_are_refused) {
  EVP_PKEY* small = EVP_RSA_gen(1024);
  ASSERT_NE(small, nullptr);
  unsigned char* der = nullptr;
  int n = i2d_PUBKEY(small, &der);
  ASSERT_GT(n, 0);
  bytes spki(der, der + n);
  OPENSSL_free(der);
  der = nullptr;
  n = i2d_PrivateKey(small, &der);
  bytes pkcs1(der, der + n);
  OPENSSL_free(der);
  EVP_PKEY_free(small);
  EXPECT_EQ(code_of(public_key::from_raw(key_type::rsa, spki)), crypto_errc::key_too_small);
  EXPECT_EQ(code_of(private_key::from_raw(key_type::rsa, pkcs1)), crypto_errc::key_too_small);
  deterministic_rng r(1);
  EXPECT_EQ(code_of(private_key::generate(key_type::rsa, r, 1024)), crypto_errc::invalid_argument);
  EXPECT_EQ(code_of(private_key::generate(key_type::rsa, r, 16384)), crypto_errc::invalid_argument);
}

TEST(keys, rsa_private_key_with_a_corrupted_modulus_is_refused) {
  bytes k = hex(tv::sample_rsa_private);
  ASSERT_TRUE(private_key::from_protobuf(k));
  k[100] ^= 0x01;  // inside the modulus n: still valid DER, no longer a key pair
  EXPECT_EQ(code_of(private_key::from_protobuf(k)), crypto_errc::invalid_key);
}

TEST(keys, key_type_names) {
  for (auto t : all_types) EXPECT_EQ(key_type_from_name(key_type_name(t)), t);
  EXPECT_FALSE(key_type_from_name("dsa"));
  EXPECT_EQ(key_type_from_number(3), key_type::ecdsa);
  EXPECT_FALSE(key_type_from_number(4));
  EXPECT_FALSE(key_type_from_number(-1));
}
