// RFC 9591 Appendix E.1 (FROST(Ed25519, SHA-512)) vectors, and end-to-end signing.
#include "trust/frost.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include "trust/frost_keygen.hpp"

using namespace converge;
using namespace converge::trust::frost;

namespace {

bytes hx(std::string_view s) { return from_hex(s).value(); }
scalar sc(std::string_view s) { return decode_scalar(hx(s)).value(); }
point pt(std::string_view s) { return decode_point(hx(s)).value(); }
std::array<std::uint8_t, 32> rand32(std::string_view s) {
  std::array<std::uint8_t, 32> a;
  auto b = hx(s);
  std::copy(b.begin(), b.end(), a.begin());
  return a;
}

// RFC 9591 E.1 inputs.
constexpr std::string_view group_secret = "7b1c33d3f5291d85de664833beb1ad469f7fb6025a0ec78b3a790c6e13a98304";
constexpr std::string_view group_public = "15d21ccd7ee42959562fc8aa63224c8851fb3ec85a3faf66040d380fb9738673";
constexpr std::string_view coefficient = "178199860edd8c62f5212ee91eff1295d0d670ab4ed4506866bae57e7030b204";
constexpr std::string_view share1 = "929dcc590407aae7d388761cddb0c0db6f5627aea8e217f4a033f2ec83d93509";
constexpr std::string_view share2 = "a91e66e012e4364ac9aaa405fcafd370402d9859f7b6685c07eed76bf409e80d";
constexpr std::string_view share3 = "d3cb090a075eb154e82fdb4b3cb507f110040905468bb9c46da8bdea643a9a02";

}  // namespace

TEST(frost, rfc9591_dealer_shares) {
  std::vector<scalar> coeffs{sc(coefficient)};
  auto out = trusted_dealer_keygen_with(sc(group_secret), coeffs, 3).value();
  ASSERT_EQ(out.shares.size(), 3u);
  EXPECT_EQ(to_hex(out.shares[0].value), share1);
  EXPECT_EQ(to_hex(out.shares[1].value), share2);
  EXPECT_EQ(to_hex(out.shares[2].value), share3);
  EXPECT_EQ(to_hex(out.public_package.group_public_key), group_public);
  EXPECT_EQ(to_hex(base_mul(sc(group_secret))), group_public);
  for (const auto& s : out.shares) EXPECT_TRUE(vss_verify(s));
}

TEST(frost, rfc9591_signing_vector) {
  const bytes msg = hx("74657374");
  const point pk = pt(group_public);
  std::vector<scalar> coeffs{sc(coefficient)};
  auto dealt = trusted_dealer_keygen_with(sc(group_secret), coeffs, 3).value();
  auto key1 = key_package_from_share(dealt.shares[0]).value();
  auto key3 = key_package_from_share(dealt.shares[2]).value();

  auto r1 = commit_with_randomness(1, key1.secret_share,
                                   rand32("06894e04ee4aceec8619d5f6a0a180e2f47194d2ac306cba586b555e7c48d765"),
                                   rand32("40d6f879ff22e22409f7d808fed81f37118e7d3e4af71c0f44c60207553bcbce"));
  auto r3 = commit_with_randomness(3, key3.secret_share,
                                   rand32("fa5d950626782aade9e33fa781376d4888c2d1de7c37518bc248eb818ed0cdde"),
                                   rand32("7459a4d14ded0e365b085271be8dc6600d5b88f3978a2174297ffa32001a5afc"));
  EXPECT_EQ(to_hex(r1.nonces.hiding), "ef6599dea4010581a72b3018c37c29a4341d7cab0773e8687ca74dcf14009701");
  EXPECT_EQ(to_hex(r1.nonces.binding), "2baadfa0c69aa60d517ad4751de372a73f9d89cfc39026601f18458cdec12605");
  EXPECT_EQ(to_hex(r1.commitment.hiding), "9b116f12589591a7e23fe8048059ab10ab48e67739e7a2fb3890f61a7999478c");
  EXPECT_EQ(to_hex(r1.commitment.binding), "c39b66b7dfccb122da24f13587f9a08c4347cae70046ca15169adf90ba65854d");
  EXPECT_EQ(to_hex(r3.nonces.hiding), "80f8d9a4b8f9366e1a0b618107c907cd3ee29fa9bb40b4691cc1bde696240005");
  EXPECT_EQ(to_hex(r3.nonces.binding), "2610b664a5a187b4855e87d2ff485bebdf043dc2f161fcd4854cd01dc0276404");
  EXPECT_EQ(to_hex(r3.commitment.hiding), "e679a2a971748ccfaabead4dbe8ac1def61275c186c79d471e1e45091ad1e687");
  EXPECT_EQ(to_hex(r3.commitment.binding), "b2a942478453fabb6bd3181c56ba657413447b4136e1daea2484d396d1a516b3");

  std::vector<signing_commitment> list{r1.commitment, r3.commitment};
  EXPECT_EQ(to_hex(binding_factor_input(pk, list, msg, 1)),
            "15d21ccd7ee42959562fc8aa63224c8851fb3ec85a3faf66040d380fb9738673504df914fa965023fb75c25ded4bb260f417de6d"
            "32e5c442c6ba313791cc9a4948d6273e8d3511f93348ea7a708a9b862bc73ba2a79cfdfe07729a193751cbc93df7739fd1223d86"
            "97dfc21b1679435bafda1f92815944f28d2faf21ded33ae94a16100090ae7d83555c9b2d961e3d5d1b62828e8cb58a88a73cda40"
            "4f8f725a0100000000000000000000000000000000000000000000000000000000000000");
  auto factors = compute_binding_factors(pk, list, msg);
  EXPECT_EQ(to_hex(factors.at(1)), "ff960a65374e216a0918729b153466016664fa980d409bc3f308daa7acb30d0d");
  EXPECT_EQ(to_hex(factors.at(3)), "279d48ec56f16d234c09ea62f3d02ab776ee38e03f66b20f939f1316e13df10f");

  auto s1 = sign(key1, r1.nonces, msg, list).value();
  auto s3 = sign(key3, r3.nonces, msg, list).value();
  EXPECT_EQ(to_hex(s1.share), "60997f0142e43e8005027fe5ab7447dac00d22c2d7ddd9571a02613ba7d81c08");
  EXPECT_EQ(to_hex(s3.share), "79390e78bc59699c7af831f8f5fb478ec871a85f561a8641b5670ac4443f720f");
  EXPECT_TRUE(verify_signature_share(s1, key1.verifying_share, list, pk, msg));
  EXPECT_TRUE(verify_signature_share(s3, key3.verifying_share, list, pk, msg));

  std::vector<signature_share> shares{s1, s3};
  auto sig = aggregate(dealt.public_package, msg, list, shares).value();
  EXPECT_EQ(to_hex(sig),
            "154fb694ee7fcb37bf2381d94488c2a84b03b3352ad085feca81ad26d45852b7ecfe971ce4da95c4a95db93ac376b053897fca"
            "212ef85f99cf696bffeb178f07");
  EXPECT_EQ(crypto_sign_verify_detached(sig.data(), msg.data(), msg.size(), pk.bytes.data()), 0);
}

TEST(frost, nonces_are_single_use) {
  deterministic_rng r(1);
  auto dealt = trusted_dealer_keygen(2, 3, r).value();
  auto k1 = key_package_from_share(dealt.shares[0]).value();
  auto k2 = key_package_from_share(dealt.shares[1]).value();
  auto c1 = commit(1, k1.secret_share, r);
  auto c2 = commit(2, k2.secret_share, r);
  std::vector<signing_commitment> list{c1.commitment, c2.commitment};
  const bytes msg = to_bytes("m");
  ASSERT_TRUE(sign(k1, c1.nonces, msg, list));
  auto again = sign(k1, c1.nonces, msg, list);
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().detail.find("already used"), std::string::npos);
}

TEST(frost, sign_rejects_bad_commitment_lists) {
  deterministic_rng r(2);
  auto dealt = trusted_dealer_keygen(2, 3, r).value();
  auto k1 = key_package_from_share(dealt.shares[0]).value();
  auto k2 = key_package_from_share(dealt.shares[1]).value();
  auto c1 = commit(1, k1.secret_share, r);
  auto c2 = commit(2, k2.secret_share, r);
  const bytes msg = to_bytes("m");
  {
    std::vector<signing_commitment> unsorted{c2.commitment, c1.commitment};
    auto n = c1.nonces;
    auto s = sign(k1, n, msg, unsorted);
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code, trust::trust_errc::invalid_participants);
  }
  {
    std::vector<signing_commitment> too_few{c1.commitment};
    auto n = c1.nonces;
    EXPECT_FALSE(sign(k1, n, msg, too_few));
  }
  {
    auto forged = c1.commitment;
    forged.binding = c2.commitment.binding;  // coordinator swaps our binding commitment
    std::vector<signing_commitment> list{forged, c2.commitment};
    auto n = c1.nonces;
    auto s = sign(k1, n, msg, list);
    ASSERT_FALSE(s);
    EXPECT_NE(s.error().detail.find("different commitment"), std::string::npos);
  }
}

TEST(frost, decode_rejects_non_canonical_and_identity) {
  bytes order = hx("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");
  EXPECT_FALSE(decode_scalar(order));
  order[0] = 0xec;  // L - 1
  EXPECT_TRUE(decode_scalar(order));
  EXPECT_FALSE(decode_scalar(bytes(31, 0)));
  bytes ident(32, 0);
  ident[0] = 1;
  EXPECT_FALSE(decode_point(ident));
  bytes off_curve(32, 0xff);
  EXPECT_FALSE(decode_point(off_curve));
  // A small-order point (order 4): y = 0.
  EXPECT_FALSE(decode_point(bytes(32, 0)));
  EXPECT_TRUE(decode_point(hx(group_public)));
}
