#include "trust/tuf_client.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include "trust/frost_keygen.hpp"
#include "tuf_test_util.hpp"

using namespace converge;
using namespace converge::trust;
using namespace converge::trust::tuf;
using nlohmann::json;

namespace {

const wall_time now{std::chrono::seconds{1'800'000'000}};  // 2027-01-15
const std::string future = "2030-01-01T00:00:00Z";
const std::string past = "2020-01-01T00:00:00Z";

std::string sha256_hex(std::string_view s) {
  std::array<std::uint8_t, 32> h;
  crypto_hash_sha256(h.data(), reinterpret_cast<const unsigned char*>(s.data()), s.size());
  return to_hex(h);
}

struct tuf_client_flow : ::testing::Test {
  std::unique_ptr<ed25519_signer> r1 = test_util::signer(1), r2 = test_util::signer(2), r3 = test_util::signer(3);
  std::vector<const ed25519_signer*> root_keys{r1.get(), r2.get(), r3.get()};

  std::string root(int version, const std::vector<const ed25519_signer*>& keys, const std::vector<const ed25519_signer*>& by,
                   const std::string& expires = future) {
    auto s = test_util::root_signed(keys, 2, version);
    s["expires"] = expires;
    return test_util::signed_text(s, by);
  }
  json common(const char* type, int version, const std::string& expires = future) {
    return {{"_type", type}, {"spec_version", "1.0.31"}, {"version", version}, {"expires", expires}};
  }
  std::string targets(int version, const std::string& expires = future) {
    auto t = common("targets", version, expires);
    t["targets"] = {{"app.apk", {{"length", 5}, {"hashes", {{"sha256", sha256_hex("hello")}}}}}};
    return test_util::signed_text(t, {r1.get(), r2.get()});
  }
  std::string snapshot(int version, int targets_version, std::optional<std::string> targets_text = {},
                       const std::string& expires = future) {
    auto s = common("snapshot", version, expires);
    json entry = {{"version", targets_version}};
    if (targets_text) {
      entry["length"] = targets_text->size();
      entry["hashes"] = {{"sha256", sha256_hex(*targets_text)}};
    }
    s["meta"] = {{"targets.json", entry}};
    return test_util::signed_text(s, {r1.get(), r3.get()});
  }
  std::string timestamp(int version, int snapshot_version, std::optional<std::string> snapshot_text = {},
                        const std::string& expires = future) {
    auto t = common("timestamp", version, expires);
    json entry = {{"version", snapshot_version}};
    if (snapshot_text) {
      entry["length"] = snapshot_text->size();
      entry["hashes"] = {{"sha256", sha256_hex(*snapshot_text)}};
    }
    t["meta"] = {{"snapshot.json", entry}};
    return test_util::signed_text(t, {r2.get(), r3.get()});
  }
  tuf_client client() { return tuf_client::create(root(1, root_keys, root_keys)).value(); }
};

}  // namespace

TEST_F(tuf_client_flow, full_update_with_hashes) {
  auto c = client();
  auto tg = targets(4);
  auto sn = snapshot(3, 4, tg);
  auto ts = timestamp(2, 3, sn);
  ASSERT_TRUE(c.update_timestamp(ts, now).value());
  ASSERT_TRUE(c.update_snapshot(sn, now));
  auto t = c.update_targets(tg, now);
  ASSERT_TRUE(t) << t.error().message();
  ASSERT_NE(c.targets(), nullptr);
  EXPECT_EQ(c.targets()->targets.at("app.apk").length, 5u);
  EXPECT_EQ(c.timestamp_text(), ts);
}

TEST_F(tuf_client_flow, untrusted_or_wrongly_signed_root_is_refused) {
  // Only one of three root keys signed: below the threshold of 2.
  auto c = tuf_client::create(root(1, root_keys, {r1.get()}));
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, trust_errc::threshold_not_met);
}

TEST_F(tuf_client_flow, root_rotation_needs_old_and_new_thresholds) {
  auto n1 = test_util::signer(11), n2 = test_util::signer(12), n3 = test_util::signer(13);
  std::vector<const ed25519_signer*> new_keys{n1.get(), n2.get(), n3.get()};
  {
    auto c = client();
    auto only_new = c.update_root(root(2, new_keys, {n1.get(), n2.get()}));
    ASSERT_FALSE(only_new);
    EXPECT_EQ(only_new.error().code, trust_errc::threshold_not_met);
    EXPECT_NE(only_new.error().detail.find("old keys"), std::string::npos);
  }
  {
    auto c = client();
    auto only_old = c.update_root(root(2, new_keys, {r1.get(), r2.get()}));
    ASSERT_FALSE(only_old);
    EXPECT_NE(only_old.error().detail.find("new keys"), std::string::npos);
  }
  auto c = client();
  ASSERT_TRUE(c.update_root(root(2, new_keys, {r1.get(), r2.get(), n1.get(), n3.get()})));
  EXPECT_EQ(c.root().common.version, 2u);
  // Version must be exactly N+1.
  auto skip = c.update_root(root(4, new_keys, new_keys));
  ASSERT_FALSE(skip);
  EXPECT_EQ(skip.error().code, trust_errc::rollback);
  auto same = c.update_root(root(2, new_keys, new_keys));
  ASSERT_FALSE(same);
  EXPECT_EQ(same.error().code, trust_errc::rollback);
  // The old timestamp keys (r2, r3) no longer count after rotation.
  auto ts = c.update_timestamp(timestamp(1, 1), now);
  ASSERT_FALSE(ts);
  EXPECT_EQ(ts.error().code, trust_errc::threshold_not_met);
}

TEST_F(tuf_client_flow, expired_metadata_is_refused) {
  {
    auto c = tuf_client::create(root(1, root_keys, root_keys, past)).value();
    auto r = c.update_timestamp(timestamp(1, 1), now);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, trust_errc::expired);
    EXPECT_NE(r.error().detail.find("final root"), std::string::npos);
    // An expired shipped root can still be rotated forward.
    ASSERT_TRUE(c.update_root(root(2, root_keys, root_keys)));
    EXPECT_TRUE(c.update_timestamp(timestamp(1, 1), now));
  }
  auto c = client();
  auto r = c.update_timestamp(timestamp(1, 1, {}, past), now);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, trust_errc::expired);
  ASSERT_TRUE(c.update_timestamp(timestamp(1, 1), now));
  EXPECT_EQ(c.update_snapshot(snapshot(1, 1, {}, past), now).error().code, trust_errc::expired);
  ASSERT_TRUE(c.update_snapshot(snapshot(1, 1), now));
  EXPECT_EQ(c.update_targets(targets(1, past), now).error().code, trust_errc::expired);
}

TEST_F(tuf_client_flow, rollback_of_timestamp_and_snapshot_is_refused) {
  auto c = client();
  ASSERT_TRUE(c.restore_timestamp(timestamp(5, 5)));
  ASSERT_TRUE(c.restore_snapshot(snapshot(5, 7)));
  auto older = c.update_timestamp(timestamp(4, 6), now);
  ASSERT_FALSE(older);
  EXPECT_EQ(older.error().code, trust_errc::rollback);
  EXPECT_FALSE(c.update_timestamp(timestamp(5, 5), now).value());  // same version: nothing new
  auto snap_back = c.update_timestamp(timestamp(6, 4), now);
  ASSERT_FALSE(snap_back);
  EXPECT_EQ(snap_back.error().code, trust_errc::rollback);
  ASSERT_TRUE(c.update_timestamp(timestamp(6, 6), now).value());
  // targets.json version going backwards in the snapshot.
  auto r = c.update_snapshot(snapshot(6, 6), now);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, trust_errc::rollback);
  ASSERT_TRUE(c.update_snapshot(snapshot(6, 8), now));
}

TEST_F(tuf_client_flow, lengths_hashes_and_versions_must_match) {
  auto c = client();
  auto tg = targets(4);
  auto sn = snapshot(3, 4, tg);
  ASSERT_TRUE(c.update_timestamp(timestamp(2, 3, sn), now));
  auto tampered = sn;
  tampered.back() = ' ';
  auto h = c.update_snapshot(tampered, now);
  ASSERT_FALSE(h);
  EXPECT_EQ(h.error().code, trust_errc::mismatch);
  auto v = c.update_snapshot(snapshot(2, 4), now);  // not the version the timestamp names
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code, trust_errc::mismatch);
  ASSERT_TRUE(c.update_snapshot(sn, now));
  auto wrong_targets = c.update_targets(targets(5), now);  // hash differs
  ASSERT_FALSE(wrong_targets);
  EXPECT_EQ(wrong_targets.error().code, trust_errc::mismatch);
  ASSERT_TRUE(c.update_targets(tg, now));
}

TEST_F(tuf_client_flow, steps_must_come_in_order) {
  auto c = client();
  EXPECT_EQ(c.update_snapshot(snapshot(1, 1), now).error().code, trust_errc::out_of_order);
  EXPECT_EQ(c.update_targets(targets(1), now).error().code, trust_errc::out_of_order);
  ASSERT_TRUE(c.update_timestamp(timestamp(1, 1), now));
  EXPECT_EQ(c.update_root(root(2, root_keys, root_keys)).error().code, trust_errc::out_of_order);
}

TEST_F(tuf_client_flow, root_rotations_are_bounded) {
  client_limits lim;
  lim.max_root_rotations = 2;
  auto c = tuf_client::create(root(1, root_keys, root_keys), lim).value();
  ASSERT_TRUE(c.update_root(root(2, root_keys, root_keys)));
  ASSERT_TRUE(c.update_root(root(3, root_keys, root_keys)));
  auto r = c.update_root(root(4, root_keys, root_keys));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, trust_errc::too_large);
}

// The architecture's release path: targets signed by one FROST group key
// (2-of-3 signers), accepted by the client like any Ed25519 signature.
TEST_F(tuf_client_flow, frost_signed_release_verifies_end_to_end) {
  using namespace converge::trust::frost;
  deterministic_rng rng(99);
  auto dealt = trusted_dealer_keygen(2, 3, rng).value();
  auto group = ed25519_public_key(dealt.public_package.group_public_key.bytes);
  auto root_json = test_util::root_signed(root_keys, 2);
  root_json["keys"][group.keyid] = group.object;
  root_json["roles"]["targets"] = {{"keyids", {group.keyid}}, {"threshold", 1}};
  auto c = tuf_client::create(test_util::signed_text(root_json, root_keys)).value();

  auto targets_json = common("targets", 1);
  targets_json["targets"] = {{"app.apk", {{"length", 5}, {"hashes", {{"sha256", sha256_hex("hello")}}}}}};
  envelope env{targets_json, {}};
  auto msg = signing_bytes(env.signed_part).value();
  std::vector<key_package> keys;
  for (const auto& s : dealt.shares) keys.push_back(key_package_from_share(s).value());
  auto c2 = commit(2, keys[1].secret_share, rng);
  auto c3 = commit(3, keys[2].secret_share, rng);
  std::vector<signing_commitment> list{c2.commitment, c3.commitment};
  std::vector<signature_share> shares{sign(keys[1], c2.nonces, as_bytes(msg), list).value(),
                                      sign(keys[2], c3.nonces, as_bytes(msg), list).value()};
  auto sig = aggregate(dealt.public_package, as_bytes(msg), list, shares).value();
  add_signature(env, group.keyid, bytes(sig.begin(), sig.end()));
  auto targets_text = to_json(env).dump();

  ASSERT_TRUE(c.update_timestamp(timestamp(1, 1), now));
  ASSERT_TRUE(c.update_snapshot(snapshot(1, 1, targets_text), now));
  auto r = c.update_targets(targets_text, now);
  ASSERT_TRUE(r) << r.error().message();
  // The old individual targets keys no longer count.
  auto c_again = tuf_client::create(test_util::signed_text(root_json, root_keys)).value();
  ASSERT_TRUE(c_again.update_timestamp(timestamp(1, 1), now));
  auto old_style = targets(1);
  ASSERT_TRUE(c_again.update_snapshot(snapshot(1, 1), now));
  auto refused = c_again.update_targets(old_style, now);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, trust_errc::threshold_not_met);
}
