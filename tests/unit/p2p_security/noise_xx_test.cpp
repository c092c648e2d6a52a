// The Noise objects against the cacophony test vector for
// Noise_XX_25519_ChaChaPoly_SHA256 (prologue "John Galt", fixed static and
// ephemeral keys), plus the spec's edge rules: reserved nonce, low-order keys.
#include "p2p/security/noise_xx.hpp"

#include <gtest/gtest.h>

#include <deque>

#include "p2p/security/errors.hpp"
#include "test_support.hpp"

using namespace converge;
using namespace converge::p2p::security;
using namespace converge::p2p::security::noise;
using converge::p2p::security::testing::hex;
using converge::p2p::security::testing::scripted_rng;

namespace {

// Values from the cacophony vector set (also shipped by the snow and noise-c test suites).
constexpr std::string_view prologue_hex = "4a6f686e2047616c74";
constexpr std::string_view init_static = "e61ef9919cde45dd5f82166404bd08e38bceb5dfdfded0a34c8df7ed542214d1";
constexpr std::string_view init_ephemeral = "893e28b9dc6ca8d611ab664754b8ceb7bac5117349a4439a6b0569da977c464a";
constexpr std::string_view resp_static = "4a3acbfdb163dec651dfa3194dece676d437029c62a408b4c5ea9114246e4893";
constexpr std::string_view resp_ephemeral = "bbdb4cdbd309f1a1f2e1456967fe288cadd6f712d65dc7b7793d5e63da6b375b";
constexpr std::string_view handshake_hash_hex = "c8e5f64e846193be2a834104c2a009868d6c9f3bd3c186299888b488b2f1f58e";

struct vector_message {
  std::string_view payload, ciphertext;
};
constexpr vector_message messages[] = {
    {"4c756477696720766f6e204d69736573",
     "ca35def5ae56cec33dc2036731ab14896bc4c75dbb07a61f879f8e3afa4c79444c756477696720766f6e204d69736573"},
    {"4d757272617920526f746862617264",
     "95ebc60d2b1fa672c1f46a8aa265ef51bfe38e7ccb39ec5be34069f14480884381cbad1f276e038c48378ffce2b65285e08d6b68aaa3"
     "629a5a8639392490e5b9bd5269c2f1e4f488ed8831161f19b7815528f8982ffe09be9b5c412f8a0db50f8814c7194e83f23dbd8d16"
     "2c9326ad"},
    {"462e20412e20486179656b",
     "c7195ffacac1307ff99046f219750fc47693e23c3cb08b89c2af808b444850a80ae475b9df0f169ae80a89be0865b57f58c9fea0d4ec"
     "82a286427402f113e4b6ae769a1d95941d49b25030"},
    {"4361726c204d656e676572", "96763ed773f8e47bb3712f0e29b3060ffc956ffc146cee53d5e1df"},
    {"4a65616e2d426170746973746520536179", "3e40f15f6f3a46ae446b253bf8b1d9ffb6ed9b174d272328ff91a7e2e5c79c07f5"},
    {"457567656e2042f6686d20766f6e2042617765726b",
     "eb3f3515110702e047a6c9da4478b6ead94873c11c0f2d710ddb3f09fce024b3a58502ae3f"},
};

x25519_keypair keypair_from_hex(std::string_view h) {
  auto b = hex(h);
  return x25519_keypair::from_secret(std::span<const std::uint8_t, 32>(b.data(), 32));
}

}  // namespace

TEST(noise_xx, cacophony_vector_both_roles) {
  auto prologue = hex(prologue_hex);
  scripted_rng init_rng({hex(init_ephemeral)});
  scripted_rng resp_rng({hex(resp_ephemeral)});
  xx_handshake init(true, keypair_from_hex(init_static), init_rng, prologue);
  xx_handshake resp(false, keypair_from_hex(resp_static), resp_rng, prologue);

  for (int i = 0; i < 3; ++i) {
    auto& writer = i % 2 == 0 ? init : resp;
    auto& reader = i % 2 == 0 ? resp : init;
    bytes msg, payload;
    ASSERT_TRUE(writer.write_message(hex(messages[i].payload), msg));
    EXPECT_EQ(to_hex(msg), messages[i].ciphertext) << "message " << i;
    ASSERT_TRUE(reader.read_message(msg, payload));
    EXPECT_EQ(to_hex(payload), messages[i].payload);
  }
  ASSERT_TRUE(init.finished());
  ASSERT_TRUE(resp.finished());
  EXPECT_EQ(to_hex(init.handshake_hash()), handshake_hash_hex);
  EXPECT_EQ(to_hex(resp.handshake_hash()), handshake_hash_hex);

  auto ic = init.split();
  auto rc = resp.split();
  // Transport messages alternate: responder first (index 3 is written by the responder's turn in cacophony).
  for (std::size_t i = 3; i < std::size(messages); ++i) {
    auto& tx = i % 2 == 1 ? rc.send : ic.send;
    auto& rx = i % 2 == 1 ? ic.receive : rc.receive;
    bytes ct, pt;
    ASSERT_TRUE(tx.encrypt_with_ad({}, hex(messages[i].payload), ct));
    EXPECT_EQ(to_hex(ct), messages[i].ciphertext) << "message " << i;
    ASSERT_TRUE(rx.decrypt_with_ad({}, ct, pt));
    EXPECT_EQ(to_hex(pt), messages[i].payload);
  }
}

TEST(noise_xx, protocol_name_fills_the_hash_exactly) { EXPECT_EQ(protocol_name.size(), hash_len); }

TEST(noise_xx, reserved_nonce_is_never_used) {
  cipher_state c;
  key k{};
  k[0] = 7;
  c.initialize_key(k);
  c.set_nonce(max_nonce - 1);
  bytes out;
  ASSERT_TRUE(c.encrypt_with_ad({}, to_bytes("last"), out));
  EXPECT_EQ(c.nonce(), max_nonce);
  auto r = c.encrypt_with_ad({}, to_bytes("one too many"), out);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, security_errc::nonce_exhausted);

  cipher_state d;
  d.initialize_key(k);
  d.set_nonce(max_nonce);
  bytes pt;
  auto rd = d.decrypt_with_ad({}, out, pt);
  ASSERT_FALSE(rd);
  EXPECT_EQ(rd.error().code, security_errc::nonce_exhausted);
}

TEST(noise_xx, failed_decrypt_keeps_the_nonce_and_output) {
  cipher_state a, b;
  key k{};
  a.initialize_key(k);
  b.initialize_key(k);
  bytes ct;
  ASSERT_TRUE(a.encrypt_with_ad({}, to_bytes("hello"), ct));
  ct[0] ^= 1;
  bytes pt = to_bytes("keep");
  auto r = b.decrypt_with_ad({}, ct, pt);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, security_errc::decrypt_failed);
  EXPECT_EQ(b.nonce(), 0u);
  EXPECT_EQ(pt, to_bytes("keep"));
}

TEST(noise_xx, low_order_ephemeral_is_rejected) {
  deterministic_rng r(1);
  xx_handshake resp(false, x25519_keypair::generate(r), r);
  xx_handshake init(true, x25519_keypair::generate(r), r);
  bytes msg1(32, 0);  // the all-zero point has order 1
  bytes payload;
  ASSERT_TRUE(resp.read_message(msg1, payload));
  bytes msg2;
  auto w = resp.write_message({}, msg2);
  ASSERT_FALSE(w);
  EXPECT_EQ(w.error().code, security_errc::invalid_key);
}

TEST(noise_xx, out_of_turn_calls_fail) {
  deterministic_rng r(2);
  xx_handshake resp(false, x25519_keypair::generate(r), r);
  bytes out;
  EXPECT_EQ(resp.write_message({}, out).error().code, security_errc::invalid_state);
  xx_handshake init(true, x25519_keypair::generate(r), r);
  EXPECT_EQ(init.read_message(bytes(32), out).error().code, security_errc::invalid_state);
}

TEST(noise_xx, short_messages_are_malformed) {
  deterministic_rng r(3);
  xx_handshake resp(false, x25519_keypair::generate(r), r);
  bytes payload;
  auto x = resp.read_message(bytes(31), payload);
  ASSERT_FALSE(x);
  EXPECT_EQ(x.error().code, security_errc::malformed_message);
}

TEST(noise_xx, rekey_changes_the_key_both_sides_alike) {
  cipher_state a, b;
  key k{};
  a.initialize_key(k);
  b.initialize_key(k);
  a.rekey();
  b.rekey();
  bytes ct, pt;
  ASSERT_TRUE(a.encrypt_with_ad({}, to_bytes("x"), ct));
  ASSERT_TRUE(b.decrypt_with_ad({}, ct, pt));
  cipher_state c;
  c.initialize_key(k);
  bytes pt2;
  EXPECT_FALSE(c.decrypt_with_ad({}, ct, pt2));
}
