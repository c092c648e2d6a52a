// The Noise objects against published test vectors for
// Noise_XX_25519_ChaChaPoly_SHA256 (fixed static and ephemeral keys), plus the
// spec's edge rules: reserved nonce, low-order keys.
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

struct vector_message {
  std::string_view payload, ciphertext;
};

struct noise_vector {
  const char* source;
  std::string_view prologue, init_static, init_ephemeral, resp_static, resp_ephemeral, handshake_hash;
  std::vector<vector_message> messages;  // alternate senders, initiator first
};

// Published vectors for Noise_XX_25519_ChaChaPoly_SHA256 (fixed static and
// ephemeral keys): cacophony's, also shipped by snow and noise-c, and snow's own.
const std::vector<noise_vector>& vectors() {
  static const std::vector<noise_vector> v = {
      {"cacophony",
       "4a6f686e2047616c74",
       "e61ef9919cde45dd5f82166404bd08e38bceb5dfdfded0a34c8df7ed542214d1",
       "893e28b9dc6ca8d611ab664754b8ceb7bac5117349a4439a6b0569da977c464a",
       "4a3acbfdb163dec651dfa3194dece676d437029c62a408b4c5ea9114246e4893",
       "bbdb4cdbd309f1a1f2e1456967fe288cadd6f712d65dc7b7793d5e63da6b375b",
       "c8e5f64e846193be2a834104c2a009868d6c9f3bd3c186299888b488b2f1f58e",
       {
           {"4c756477696720766f6e204d69736573",
            "ca35def5ae56cec33dc2036731ab14896bc4c75dbb07a61f879f8e3afa4c79444c756477696720766f6e204d69736573"},
           {"4d757272617920526f746862617264",
            "95ebc60d2b1fa672c1f46a8aa265ef51bfe38e7ccb39ec5be34069f14480884381cbad1f276e038c48378ffce2b65285e08d6b68aa"
            "a3629a5a8639392490e5b9bd5269c2f1e4f488ed8831161f19b7815528f8982ffe09be9b5c412f8a0db50f8814c7194e83f23dbd8d"
            "162c9326ad"},
           {"462e20412e20486179656b",
            "c7195ffacac1307ff99046f219750fc47693e23c3cb08b89c2af808b444850a80ae475b9df0f169ae80a89be0865b57f58c9fea0d4"
            "ec82a286427402f113e4b6ae769a1d95941d49b25030"},
           {"4361726c204d656e676572", "96763ed773f8e47bb3712f0e29b3060ffc956ffc146cee53d5e1df"},
           {"4a65616e2d426170746973746520536179",
            "3e40f15f6f3a46ae446b253bf8b1d9ffb6ed9b174d272328ff91a7e2e5c79c07f5"},
           {"457567656e2042f6686d20766f6e2042617765726b",
            "eb3f3515110702e047a6c9da4478b6ead94873c11c0f2d710ddb3f09fce024b3a58502ae3f"},
       }},
      {"snow",
       "5468657265206973206e6f20726967687420616e642077726f6e672e2054686572652773206f6e6c792066756e20616e6420626f72696e"
       "672e",
       "7dec208517a3b81a2861d7a71266d5d6dc944c5a8816634a86fe63198a0148ee",
       "a32daf21e93c0131495ce1d903181fde81cc46937daaeb990bae7c992709421e",
       "4d0aed5098e3b4ef20357e9f686ce66204c792b358da2e475017d6c485304881",
       "4eece0f195d026db035ff987597c429d3ad3bcc2944df37d649528951b2a27c5",
       "",
       {
           {"d03c489139e645d0711a3c9e810d776b46a84912463fafa87b884eebf242dc34",
            "f9fa868ba97ab8a2686deccfaad5a484ee10a5bb85e3d1dce015a84797f92818d03c489139e645d0711a3c9e810d776b46a84912"
            "463fafa87b884eebf242dc34"},
           {"d8190a92f7dc0c93dbea9118ba8055751fb7c6590c416ffbd419964132b99a85",
            "8c4e6fdb7d09d501a86f7eca5c234522751706ed409182c05cdf5f827d4dae47b81c6c5f43b025692c24391eefee725c17d8cb0f"
            "be3e4abb8aedf42c4fd2592d4ea48ac08989d6ae8b4adae08b2c34087c808c7aa55a63c02b0fab9e930612336bd43eaea04d3c67"
            "0a0a146691aa9cc9d357872320dc735dbc48580cffb553db"},
           {"77891b19dcb92ef7c055b672c4a5aa7fdf1c84146b8b303459022729473ce254",
            "933ca6b5ed60df3df66121f0ab49a09e49efa45c613a86a3cecbf4c535cef2f83f72b42837b18e3572f2fdc2b74c331e2368a545"
            "cef54bdca081678ab0e9dd5348122459e0c034c851984d88ce610963d43cde6cfe73a67fbd5a63e8bfca96d0"},
           {"d7efdf988072881941db045a42882433817555128fbf5663e56081712ec7d212",
            "54ef0ff0629e1aaa7685a2806ab111cba76b52331f2642276736f415868eacb69ab2577f3bda0cbf72f879685f6ed25f"},
           {"dd7bf01a588bafb52c6cfba952e5d8fe35cc2b3f92b4730ae2474615157345ce",
            "356be70f110306d5c699bb834bb9d58d909e325924dfbec972e406e6f294dc63e1daebefe8a62a334facc8048ab4ad66"},
       }},
  };
  return v;
}

x25519_keypair keypair_from_hex(std::string_view h) {
  auto b = hex(h);
  return x25519_keypair::from_secret(std::span<const std::uint8_t, 32>(b.data(), 32));
}

}  // namespace

TEST(noise_xx, published_vectors_both_roles) {
  for (const auto& v : vectors()) {
    SCOPED_TRACE(v.source);
    auto prologue = hex(v.prologue);
    scripted_rng init_rng({hex(v.init_ephemeral)});
    scripted_rng resp_rng({hex(v.resp_ephemeral)});
    xx_handshake init(true, keypair_from_hex(v.init_static), init_rng, prologue);
    xx_handshake resp(false, keypair_from_hex(v.resp_static), resp_rng, prologue);

    for (std::size_t i = 0; i < 3; ++i) {
      auto& writer = i % 2 == 0 ? init : resp;
      auto& reader = i % 2 == 0 ? resp : init;
      bytes msg, payload;
      ASSERT_TRUE(writer.write_message(hex(v.messages[i].payload), msg));
      EXPECT_EQ(to_hex(msg), v.messages[i].ciphertext) << "message " << i;
      ASSERT_TRUE(reader.read_message(msg, payload));
      EXPECT_EQ(to_hex(payload), v.messages[i].payload);
    }
    ASSERT_TRUE(init.finished());
    ASSERT_TRUE(resp.finished());
    EXPECT_EQ(init.handshake_hash(), resp.handshake_hash());
    if (!v.handshake_hash.empty()) {
      EXPECT_EQ(to_hex(init.handshake_hash()), v.handshake_hash);
    }

    auto ic = init.split();
    auto rc = resp.split();
    for (std::size_t i = 3; i < v.messages.size(); ++i) {
      auto& tx = i % 2 == 1 ? rc.send : ic.send;
      auto& rx = i % 2 == 1 ? ic.receive : rc.receive;
      bytes ct, pt;
      ASSERT_TRUE(tx.encrypt_with_ad({}, hex(v.messages[i].payload), ct));
      EXPECT_EQ(to_hex(ct), v.messages[i].ciphertext) << "message " << i;
      ASSERT_TRUE(rx.decrypt_with_ad({}, ct, pt));
      EXPECT_EQ(to_hex(pt), v.messages[i].payload);
    }
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
