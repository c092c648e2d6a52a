#include "trust/frost_messages.hpp"

#include <gtest/gtest.h>

#include <functional>

#include "trust/canonical_json.hpp"

using namespace converge;
using namespace converge::trust;
using namespace converge::trust::frost;
using nlohmann::json;

namespace {

struct frost_messages : ::testing::Test {
  deterministic_rng r{7};
  dealer_output dealt = trusted_dealer_keygen(2, 3, r).value();
  key_package k1 = key_package_from_share(dealt.shares[0]).value();
  round_one c1 = commit(1, k1.secret_share, r);

  // Re-encodes after editing the decoded JSON, to build malformed variants.
  static std::string edit(const std::string& text, const std::function<void(json&)>& f) {
    auto j = json::parse(text);
    f(j);
    return j.dump();
  }
  static void expect_rejected(const std::string& text, std::string_view needle) {
    auto m = decode_frost_message(text);
    ASSERT_FALSE(m) << "accepted: " << text;
    EXPECT_NE(m.error().detail.find(needle), std::string::npos) << m.error().detail;
  }
};

const std::string identity_hex = "01" + std::string(62, '0');
const std::string order_hex = "edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010";

}  // namespace

TEST_F(frost_messages, every_type_round_trips) {
  auto ss = decode_as<secret_share>(encode_secret_share(dealt.shares[1])).value();
  EXPECT_EQ(ss.value, dealt.shares[1].value);
  EXPECT_EQ(ss.commitment, dealt.shares[1].commitment);
  auto kp = decode_as<key_package>(encode_key_package(k1)).value();
  EXPECT_EQ(kp.secret_share, k1.secret_share);
  EXPECT_EQ(kp.min_signers, 2);
  auto pub = decode_as<public_key_package>(encode_public_key_package(dealt.public_package)).value();
  EXPECT_EQ(pub.verifying_shares, dealt.public_package.verifying_shares);
  auto n = decode_as<identified_nonces>(encode_signing_nonces(1, c1.nonces)).value();
  EXPECT_EQ(n.nonces.hiding, c1.nonces.hiding);
  auto c = decode_as<signing_commitment>(encode_commitment(c1.commitment)).value();
  EXPECT_EQ(c, c1.commitment);
  auto k2 = key_package_from_share(dealt.shares[1]).value();
  auto c2 = commit(2, k2.secret_share, r);
  signing_package sp{to_bytes("msg"), {c1.commitment, c2.commitment}};
  auto sp2 = decode_as<signing_package>(encode_signing_package(sp)).value();
  EXPECT_EQ(sp2.message, sp.message);
  EXPECT_EQ(sp2.commitments, sp.commitments);
  auto share = sign(k1, c1.nonces, sp.message, sp.commitments).value();
  auto share2 = decode_as<signature_share>(encode_signature_share(share)).value();
  EXPECT_EQ(share2.share, share.share);
  auto d1 = dkg_part1(4, 2, 3, r).value();
  auto d1b = decode_as<dkg_round1_package>(encode_dkg_round1(d1.package)).value();
  EXPECT_EQ(d1b.commitment, d1.package.commitment);
  dkg_round2_package r2{4, 5, scalar_from_u64(9)};
  auto r2b = decode_as<dkg_round2_package>(encode_dkg_round2(r2)).value();
  EXPECT_EQ(r2b.receiver, 5);
  // Encodings are canonical JSON.
  auto text = encode_commitment(c1.commitment);
  EXPECT_EQ(encode_canonical(parse_json(text).value()).value(), text);
  // decode_as refuses a message of another type.
  EXPECT_FALSE(decode_as<key_package>(text));
}

TEST_F(frost_messages, points_and_scalars_are_validated) {
  auto text = encode_commitment(c1.commitment);
  expect_rejected(edit(text, [](json& j) { j["hiding"] = identity_hex; }), "frost-commitment.hiding: point is the identity");
  expect_rejected(edit(text, [](json& j) { j["hiding"] = std::string(64, '0'); }), "frost-commitment.hiding");  // small order
  expect_rejected(edit(text, [](json& j) { j["binding"] = std::string(64, 'f'); }), "frost-commitment.binding");
  expect_rejected(edit(text, [](json& j) { j["binding"] = "abcd"; }), "32 bytes");
  std::string upper = edit(text, [](json& j) {
    std::string h = j["hiding"];
    for (auto& ch : h) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    j["hiding"] = h;
  });
  expect_rejected(upper, "lower-case hex");
  auto share_text = encode_signature_share({1, scalar_from_u64(5)});
  expect_rejected(edit(share_text, [](json& j) { j["share"] = order_hex; }), "not reduced below the group order");
}

TEST_F(frost_messages, structure_is_strict) {
  auto text = encode_commitment(c1.commitment);
  expect_rejected(edit(text, [](json& j) { j["extra"] = 1; }), "frost-commitment.extra: unexpected field");
  expect_rejected(edit(text, [](json& j) { j["identifier"] = 0; }), "frost-commitment.identifier");
  expect_rejected(edit(text, [](json& j) { j["identifier"] = 65536; }), "1..65535");
  expect_rejected(edit(text, [](json& j) { j["identifier"] = "1"; }), "frost-commitment.identifier");
  expect_rejected(edit(text, [](json& j) { j["ciphersuite"] = "FROST-RISTRETTO255-SHA512-v1"; }), "ciphersuite");
  expect_rejected(edit(text, [](json& j) { j["type"] = "frost-nope"; }), "unknown message type");
  expect_rejected(edit(text, [](json& j) { j.erase("binding"); }), "frost-commitment.binding: is missing");
  std::string dup = text;
  dup.insert(1, "\"identifier\":1,");
  expect_rejected(dup, "duplicate");
  expect_rejected("[]", "must be an object");
}

TEST_F(frost_messages, semantic_checks) {
  // Key package whose verifying share does not match the secret.
  auto kp = edit(encode_key_package(k1), [&](json& j) { j["verifying_share"] = to_hex(dealt.public_package.group_public_key); });
  expect_rejected(kp, "does not match secret_share");
  // A secret share that fails its VSS commitment.
  auto ss = edit(encode_secret_share(dealt.shares[0]), [](json& j) { j["value"] = to_hex(scalar_from_u64(3)); });
  expect_rejected(ss, "VSS");
  // DKG round 1 with a broken proof of knowledge.
  auto d1 = dkg_part1(2, 2, 3, r).value();
  d1.package.proof_mu = add(d1.package.proof_mu, scalar_from_u64(1));
  expect_rejected(encode_dkg_round1(d1.package), "proof of knowledge");
  // Signing package commitments must be sorted and unique.
  signing_package sp{to_bytes("m"), {c1.commitment, c1.commitment}};
  expect_rejected(encode_signing_package(sp), "sorted");
  // Public key package shares keyed by canonical decimal identifiers.
  auto pub = edit(encode_public_key_package(dealt.public_package), [](json& j) {
    auto v = j["verifying_shares"]["1"];
    j["verifying_shares"].erase("1");
    j["verifying_shares"]["01"] = v;
  });
  expect_rejected(pub, "identifier 1..65535 in decimal");
  // Zero nonces are never valid.
  expect_rejected(edit(encode_signing_nonces(1, c1.nonces), [](json& j) { j["hiding"] = std::string(64, '0'); }),
                  "non-zero");
  // Round 2 to oneself.
  expect_rejected(encode_dkg_round2({3, 3, scalar_from_u64(1)}), "must differ from sender");
}

TEST_F(frost_messages, size_bounds) {
  std::string big(max_message_text + 1, ' ');
  auto m = decode_frost_message(big);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code, trust_errc::too_large);
  signing_package sp{bytes(max_signing_message + 1, 1), {}};
  auto k2 = key_package_from_share(dealt.shares[1]).value();
  auto c2 = commit(2, k2.secret_share, r);
  sp.commitments = {c1.commitment, c2.commitment};
  expect_rejected(encode_signing_package(sp), "is too long");
}
