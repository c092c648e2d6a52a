#include "trust/tuf_signing.hpp"

#include <gtest/gtest.h>

#include "trust/canonical_json.hpp"
#include "trust/frost_keygen.hpp"
#include "trust/tuf_pem_signer.hpp"
#include "tuf_test_util.hpp"

using namespace converge;
using namespace converge::trust;
using namespace converge::trust::tuf;

namespace {
std::map<std::string, public_key> key_map(const std::vector<const ed25519_signer*>& s) {
  std::map<std::string, public_key> m;
  for (auto* x : s) m.emplace(x->key().keyid, x->key());
  return m;
}
role_keys role_of(const std::vector<const ed25519_signer*>& s, std::uint64_t t) {
  role_keys r;
  for (auto* x : s) r.keyids.push_back(x->key().keyid);
  r.threshold = t;
  return r;
}
}  // namespace

TEST(tuf_signing, signature_covers_canonical_signed) {
  auto a = test_util::signer(1);
  envelope e{{{"b", 1}, {"a", "x"}}, {}};
  ASSERT_TRUE(sign_envelope(e, *a));
  ASSERT_EQ(e.signatures.size(), 1u);
  EXPECT_TRUE(verify_signature(a->key(), as_bytes("{\"a\":\"x\",\"b\":1}"), e.signatures[0].sig));
  // Re-signing replaces the entry rather than adding a second one.
  ASSERT_TRUE(sign_envelope(e, *a));
  EXPECT_EQ(e.signatures.size(), 1u);
  // Round trip through JSON text with different whitespace still verifies.
  auto doc = parse_json(to_json(e).dump(4)).value();
  auto back = parse_envelope(doc, "doc").value();
  EXPECT_TRUE(verify_threshold(back, key_map({a.get()}), role_of({a.get()}, 1), "targets"));
}

TEST(tuf_signing, threshold_counts_distinct_keyids_only) {
  auto a = test_util::signer(1), b = test_util::signer(2), c = test_util::signer(3);
  std::vector<const ed25519_signer*> all{a.get(), b.get(), c.get()};
  envelope e{{{"_type", "targets"}, {"version", 1}}, {}};
  ASSERT_TRUE(sign_envelope(e, *a));
  // The same valid signature listed three times is refused (key IDs in
  // signatures must be unique), even when the others would reach the threshold.
  envelope dup = e;
  dup.signatures.push_back(e.signatures[0]);
  dup.signatures.push_back(e.signatures[0]);
  ASSERT_TRUE(sign_envelope(dup, *b));
  auto r = verify_threshold(dup, key_map(all), role_of(all, 2), "targets");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, trust_errc::threshold_not_met);
  EXPECT_NE(r.error().detail.find("more than once"), std::string::npos) << r.error().detail;
  ASSERT_TRUE(sign_envelope(e, *b));
  auto ok2 = verify_threshold(e, key_map(all), role_of(all, 2), "targets");
  ASSERT_TRUE(ok2) << ok2.error().message();
  EXPECT_EQ(ok2->valid_keyids.size(), 2u);
}

TEST(tuf_signing, same_key_under_two_ids_counts_once) {
  auto a = test_util::signer(1);
  auto alias = a->key();
  alias.object["x-alias"] = true;  // different object, so a different key ID, same key material
  alias.keyid = compute_keyid(alias.object).value();
  std::map<std::string, public_key> keys{{a->key().keyid, a->key()}, {alias.keyid, alias}};
  role_keys role{{a->key().keyid, alias.keyid}, 2};
  envelope e{{{"v", 1}}, {}};
  ASSERT_TRUE(sign_envelope(e, *a));
  e.signatures.push_back({alias.keyid, e.signatures[0].sig});
  auto r = verify_threshold(e, keys, role, "root");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().detail.find("repeats the material"), std::string::npos);
}

TEST(tuf_signing, unauthorised_and_invalid_signatures_do_not_count) {
  auto a = test_util::signer(1), b = test_util::signer(2), outsider = test_util::signer(9);
  std::vector<const ed25519_signer*> role_signers{a.get(), b.get()};
  auto keys = key_map({a.get(), b.get(), outsider.get()});
  envelope e{{{"v", 1}}, {}};
  ASSERT_TRUE(sign_envelope(e, *outsider));
  ASSERT_TRUE(sign_envelope(e, *a));
  e.signatures.back().sig[0] ^= 1;  // corrupt a's signature
  auto r = verify_threshold(e, keys, role_of(role_signers, 1), "snapshot");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().detail.find("is not a snapshot key"), std::string::npos);
  EXPECT_NE(r.error().detail.find("does not verify"), std::string::npos);
  // Signature over different content does not count.
  envelope other{{{"v", 2}}, {}};
  ASSERT_TRUE(sign_envelope(other, *b));
  e.signatures.push_back(other.signatures[0]);
  EXPECT_FALSE(verify_threshold(e, keys, role_of(role_signers, 1), "snapshot"));
}

TEST(tuf_signing, envelope_shape_is_strict) {
  auto bad = [](const char* text) { return parse_envelope(parse_json(text).value(), "targets"); };
  EXPECT_FALSE(bad(R"({"signed":{}})"));
  EXPECT_FALSE(bad(R"({"signed":[],"signatures":[]})"));
  EXPECT_FALSE(bad(R"({"signed":{},"signatures":{}})"));
  EXPECT_FALSE(bad(R"({"signed":{},"signatures":[],"extra":1})"));
  auto e = bad(R"({"signed":{},"signatures":[{"keyid":"ab","sig":"zz"}]})");
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().detail, "targets.signatures[0].sig: must be hex");
  std::string many = R"({"signed":{},"signatures":[)";
  for (std::size_t i = 0; i <= max_signatures; ++i) many += std::string(i ? "," : "") + R"({"keyid":"a","sig":""})";
  many += "]}";
  auto m = parse_envelope(parse_json(many).value(), "targets");
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code, trust_errc::too_large);
}

TEST(tuf_signing, frost_group_signature_is_an_ordinary_ed25519_signature) {
  using namespace converge::trust::frost;
  deterministic_rng r(42);
  auto dealt = trusted_dealer_keygen(2, 3, r).value();
  auto group_key = ed25519_public_key(dealt.public_package.group_public_key.bytes);
  envelope e{{{"_type", "targets"}, {"version", 7}}, {}};
  auto msg = signing_bytes(e.signed_part).value();
  std::vector<key_package> keys;
  for (const auto& s : dealt.shares) keys.push_back(key_package_from_share(s).value());
  auto c1 = commit(1, keys[0].secret_share, r);
  auto c3 = commit(3, keys[2].secret_share, r);
  std::vector<signing_commitment> list{c1.commitment, c3.commitment};
  std::vector<signature_share> shares{sign(keys[0], c1.nonces, as_bytes(msg), list).value(),
                                      sign(keys[2], c3.nonces, as_bytes(msg), list).value()};
  auto sig = aggregate(dealt.public_package, as_bytes(msg), list, shares).value();
  add_signature(e, group_key.keyid, bytes(sig.begin(), sig.end()));
  std::map<std::string, public_key> km{{group_key.keyid, group_key}};
  EXPECT_TRUE(verify_threshold(e, km, {{group_key.keyid}, 1}, "targets"));
}

// ECDSA P-256 and RSA-PSS signers: their key objects parse back to the same
// key ID, their signatures count toward a threshold beside Ed25519, a key
// reloaded from its PEM signs for the same key ID, and a changed document or
// a PEM of the wrong kind is refused.
TEST(tuf_signing, ecdsa_and_rsa_pss_signers_count_beside_ed25519) {
  auto ed = test_util::signer(1);
  auto ec = pem_signer::generate(key_scheme::ecdsa_sha2_nistp256).value();
  auto rsa = pem_signer::generate(key_scheme::rsassa_pss_sha256, 2048).value();
  std::map<std::string, public_key> keys;
  role_keys role;
  role.threshold = 3;
  for (const signer* s : std::initializer_list<const signer*>{ed.get(), ec.get(), rsa.get()}) {
    auto again = parse_public_key(s->key().object, "key");
    ASSERT_TRUE(again) << again.error().detail;
    EXPECT_EQ(again->keyid, s->key().keyid);
    keys.emplace(s->key().keyid, s->key());
    role.keyids.push_back(s->key().keyid);
  }
  EXPECT_EQ(ec->key().object["keytype"], "ecdsa");
  EXPECT_EQ(rsa->key().object["keytype"], "rsa");

  envelope e{{{"_type", "targets"}, {"version", 7}}, {}};
  ASSERT_TRUE(sign_envelope(e, *ed));
  ASSERT_TRUE(sign_envelope(e, *ec));
  auto two = verify_threshold(e, keys, role, "targets");
  ASSERT_FALSE(two);
  EXPECT_EQ(two.error().code, trust_errc::threshold_not_met);
  ASSERT_TRUE(sign_envelope(e, *rsa));
  auto three = verify_threshold(e, keys, role, "targets");
  ASSERT_TRUE(three) << three.error().detail;
  EXPECT_EQ(three->valid_keyids.size(), 3u);

  // Reloaded from PEM: the same key, a fresh signature that verifies.
  auto ec2 = pem_signer::from_pem(key_scheme::ecdsa_sha2_nistp256, ec->private_pem().value()).value();
  EXPECT_EQ(ec2->key().keyid, ec->key().keyid);
  auto msg = signing_bytes(e.signed_part).value();
  EXPECT_TRUE(verify_signature(ec->key(), as_bytes(msg), ec2->sign_message(as_bytes(msg)).value()));
  auto rsa_pem = rsa->private_pem().value();
  EXPECT_EQ(pem_signer::from_pem(key_scheme::rsassa_pss_sha256, rsa_pem).value()->key().keyid, rsa->key().keyid);

  // A changed document: none of the three signatures verifies.
  e.signed_part["version"] = 8;
  auto changed = verify_threshold(e, keys, role, "targets");
  ASSERT_FALSE(changed);
  EXPECT_EQ(changed.error().code, trust_errc::threshold_not_met);

  // The wrong kind of key for the scheme, or not a key at all.
  auto wrong = pem_signer::from_pem(key_scheme::ecdsa_sha2_nistp256, rsa_pem);
  ASSERT_FALSE(wrong);
  EXPECT_NE(wrong.error().detail.find("P-256"), std::string::npos) << wrong.error().detail;
  EXPECT_FALSE(pem_signer::from_pem(key_scheme::rsassa_pss_sha256, "-----BEGIN PRIVATE KEY-----\nAAAA\n"));
  EXPECT_FALSE(pem_signer::generate(key_scheme::rsassa_pss_sha256, 1024));
  EXPECT_FALSE(parse_scheme_name("dsa"));
  EXPECT_EQ(parse_scheme_name("rsassa-pss-sha256").value(), key_scheme::rsassa_pss_sha256);
}
