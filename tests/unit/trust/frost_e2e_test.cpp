// End-to-end FROST: dealer and DKG key generation, t-of-n signing, cheater detection.
#include <gtest/gtest.h>
#include <sodium.h>

#include <algorithm>

#include "trust/frost.hpp"
#include "trust/frost_keygen.hpp"

using namespace converge;
using namespace converge::trust::frost;
using converge::trust::trust_errc;

namespace {

// Signs msg with the given subset of key packages and returns the aggregate result.
result<signature> sign_with(const std::vector<key_package>& keys, const public_key_package& pub,
                            const std::vector<identifier>& signers, bytes_view msg, rng& r,
                            identifier cheater = 0) {
  std::vector<signing_nonces> nonces;
  std::vector<signing_commitment> list;
  std::vector<const key_package*> chosen;
  for (identifier id : signers) {
    auto it = std::find_if(keys.begin(), keys.end(), [&](const key_package& k) { return k.id == id; });
    chosen.push_back(&*it);
    auto c = commit(id, it->secret_share, r);
    nonces.push_back(c.nonces);
    list.push_back(c.commitment);
  }
  std::vector<signature_share> shares;
  for (std::size_t i = 0; i < chosen.size(); ++i) {
    auto s = sign(*chosen[i], nonces[i], msg, list);
    if (!s) return fail(s.error());
    if (chosen[i]->id == cheater) s->share = add(s->share, scalar_from_u64(1));
    shares.push_back(*s);
  }
  return aggregate(pub, msg, list, shares);
}

std::vector<key_package> dealer_keys(std::uint16_t t, std::uint16_t n, rng& r, public_key_package& pub) {
  auto dealt = trusted_dealer_keygen(t, n, r).value();
  pub = dealt.public_package;
  std::vector<key_package> keys;
  for (const auto& s : dealt.shares) keys.push_back(key_package_from_share(s).value());
  return keys;
}

std::vector<key_package> dkg_keys(std::uint16_t t, std::uint16_t n, rng& r, public_key_package& pub) {
  std::vector<dkg_part1_output> p1;
  for (identifier id = 1; id <= n; ++id) p1.push_back(dkg_part1(id, t, n, r).value());
  std::vector<dkg_part2_output> p2;
  for (const auto& me : p1) {
    std::vector<dkg_round1_package> others;
    for (const auto& o : p1)
      if (o.package.sender != me.package.sender) others.push_back(o.package);
    p2.push_back(dkg_part2(me.secret, others).value());
  }
  std::vector<key_package> keys;
  std::vector<public_key_package> pubs;
  for (const auto& me : p2) {
    std::vector<dkg_round2_package> mine;
    for (const auto& o : p2)
      for (const auto& pkg : o.packages)
        if (pkg.receiver == me.secret.id) mine.push_back(pkg);
    auto out = dkg_part3(me.secret, mine).value();
    keys.push_back(out.key);
    pubs.push_back(out.public_package);
  }
  for (const auto& p : pubs) {
    EXPECT_EQ(p.group_public_key, pubs[0].group_public_key);
    EXPECT_EQ(p.verifying_shares, pubs[0].verifying_shares);
  }
  pub = pubs[0];
  return keys;
}

void expect_signs(const std::vector<key_package>& keys, const public_key_package& pub,
                  const std::vector<identifier>& signers, rng& r) {
  const bytes msg = to_bytes("release 1.2.3");
  auto sig = sign_with(keys, pub, signers, msg, r);
  ASSERT_TRUE(sig) << sig.error().message();
  EXPECT_EQ(crypto_sign_verify_detached(sig->data(), msg.data(), msg.size(), pub.group_public_key.bytes.data()), 0);
}

}  // namespace

TEST(frost_e2e, dealer_2_of_3_every_pair) {
  deterministic_rng r(10);
  public_key_package pub;
  auto keys = dealer_keys(2, 3, r, pub);
  expect_signs(keys, pub, {1, 2}, r);
  expect_signs(keys, pub, {1, 3}, r);
  expect_signs(keys, pub, {2, 3}, r);
  expect_signs(keys, pub, {1, 2, 3}, r);
}

TEST(frost_e2e, dealer_3_of_5) {
  deterministic_rng r(11);
  public_key_package pub;
  auto keys = dealer_keys(3, 5, r, pub);
  expect_signs(keys, pub, {1, 3, 5}, r);
  expect_signs(keys, pub, {2, 3, 4}, r);
  expect_signs(keys, pub, {1, 2, 3, 4, 5}, r);
}

TEST(frost_e2e, dkg_2_of_3) {
  deterministic_rng r(12);
  public_key_package pub;
  auto keys = dkg_keys(2, 3, r, pub);
  expect_signs(keys, pub, {1, 2}, r);
  expect_signs(keys, pub, {2, 3}, r);
}

TEST(frost_e2e, dkg_3_of_5) {
  deterministic_rng r(13);
  public_key_package pub;
  auto keys = dkg_keys(3, 5, r, pub);
  expect_signs(keys, pub, {1, 4, 5}, r);
  expect_signs(keys, pub, {2, 3, 5}, r);
}

TEST(frost_e2e, too_few_signers_cannot_sign) {
  deterministic_rng r(14);
  public_key_package pub;
  auto keys = dealer_keys(3, 5, r, pub);
  auto sig = sign_with(keys, pub, {1, 2}, to_bytes("m"), r);
  ASSERT_FALSE(sig);
  EXPECT_EQ(sig.error().code, trust_errc::invalid_participants);
}

TEST(frost_e2e, cheating_signer_is_identified) {
  deterministic_rng r(15);
  public_key_package pub;
  auto keys = dealer_keys(3, 5, r, pub);
  auto sig = sign_with(keys, pub, {1, 2, 4}, to_bytes("m"), r, /*cheater=*/4);
  ASSERT_FALSE(sig);
  EXPECT_EQ(sig.error().code, trust_errc::invalid_share);
  EXPECT_NE(sig.error().detail.find("participant(s) 4"), std::string::npos) << sig.error().detail;
}

TEST(frost_e2e, dealer_share_tampering_fails_vss) {
  deterministic_rng r(16);
  auto dealt = trusted_dealer_keygen(2, 3, r).value();
  auto s = dealt.shares[1];
  s.value = add(s.value, scalar_from_u64(1));
  auto k = key_package_from_share(s);
  ASSERT_FALSE(k);
  EXPECT_EQ(k.error().code, trust_errc::invalid_share);
  EXPECT_NE(k.error().detail.find("participant 2"), std::string::npos);
}

TEST(frost_e2e, group_size_bounds) {
  deterministic_rng r(17);
  EXPECT_FALSE(trusted_dealer_keygen(1, 3, r));
  EXPECT_FALSE(trusted_dealer_keygen(4, 3, r));
  auto big = trusted_dealer_keygen(2, max_participants + 1, r);
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().code, trust_errc::too_large);
  EXPECT_FALSE(dkg_part1(0, 2, 3, r));
}

TEST(frost_e2e, dkg_bad_proof_names_participant) {
  deterministic_rng r(18);
  auto a = dkg_part1(1, 2, 3, r).value();
  auto b = dkg_part1(2, 2, 3, r).value();
  auto c = dkg_part1(3, 2, 3, r).value();
  c.package.proof_mu = add(c.package.proof_mu, scalar_from_u64(1));
  std::vector<dkg_round1_package> others{b.package, c.package};
  auto p2 = dkg_part2(a.secret, others);
  ASSERT_FALSE(p2);
  EXPECT_EQ(p2.error().code, trust_errc::invalid_proof);
  EXPECT_NE(p2.error().detail.find("participant 3"), std::string::npos);
  // A replayed proof under another identifier fails too (the challenge binds the sender).
  auto replay = b.package;
  replay.sender = 3;
  std::vector<dkg_round1_package> others2{b.package, replay};
  EXPECT_FALSE(dkg_part2(a.secret, others2));
}

TEST(frost_e2e, dkg_bad_round2_share_names_sender) {
  deterministic_rng r(19);
  std::vector<dkg_part1_output> p1;
  for (identifier id = 1; id <= 3; ++id) p1.push_back(dkg_part1(id, 2, 3, r).value());
  std::vector<dkg_part2_output> p2;
  for (const auto& me : p1) {
    std::vector<dkg_round1_package> others;
    for (const auto& o : p1)
      if (o.package.sender != me.package.sender) others.push_back(o.package);
    p2.push_back(dkg_part2(me.secret, others).value());
  }
  std::vector<dkg_round2_package> to1;
  for (const auto& o : p2)
    for (auto pkg : o.packages)
      if (pkg.receiver == 1) {
        if (pkg.sender == 3) pkg.share = add(pkg.share, scalar_from_u64(7));
        to1.push_back(pkg);
      }
  auto out = dkg_part3(p2[0].secret, to1);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().code, trust_errc::invalid_share);
  EXPECT_NE(out.error().detail.find("participant 3"), std::string::npos);
}
