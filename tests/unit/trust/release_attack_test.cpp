// TUF 1.0 section 1.5.2 attacks against a converge device, plus equivocation,
// clock skew, duplicate key IDs and revoked releases. Each attack must be
// refused with a specific error and leave the persisted trusted state
// byte-for-byte unchanged.
#include <gtest/gtest.h>

#include "release_test_util.hpp"
#include "trust/release_client.hpp"

using namespace converge;
using namespace converge::trust;
using namespace converge::trust::test_util;

namespace {

class release_attack : public ::testing::Test {
 protected:
  void SetUp() override {
    client.emplace(release_client::open(pub.root_text, fs, device).value());
    r1 = pub.make_release(1, "1.0.0");
    auto out = client->verify_bundle(pub.good_bundle(r1), now);
    ASSERT_TRUE(out) << out.error().message();
    ASSERT_TRUE(out->new_release);
    r1_hash = client->state().channels.at("stable").release_hash;
  }

  // Refused with `code`, persisted bytes and in-memory state unchanged.
  void expect_refused(const bytes& bundle, trust_errc code, wall_time when) {
    auto before = fs.files;
    auto state_before = client->state();
    auto r = client->verify_bundle(bundle, when);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, make_error_code(code)) << r.error().message();
    EXPECT_EQ(fs.files, before);
    EXPECT_EQ(client->state(), state_before);
    // A fresh client over the same store sees the same state.
    auto reopened = release_client::open(pub.root_text, fs, device).value();
    EXPECT_EQ(reopened.state(), state_before);
  }
  void expect_refused(const bytes& bundle, trust_errc code) { expect_refused(bundle, code, now); }

  bytes encode(const release_bundle& b) { return encode_bundle(b).value(); }

  publisher pub;
  memory_fs fs;
  device_profile device{"stable", "android", "arm64", "12"};
  wall_time now = at("2026-06-01T00:00:00Z");
  std::optional<release_client> client;
  release r1;
  std::string r1_hash;
};

TEST_F(release_attack, arbitrary_installation_unsigned_targets) {
  auto r2 = pub.make_release(2, "2.0.0", r1_hash);
  auto b = pub.bundle(pub.targets_text(r2, {}), 2, 2, pub.first(3), pub.first(3));
  expect_refused(encode(b), trust_errc::threshold_not_met);
}

TEST_F(release_attack, arbitrary_installation_keys_not_in_root) {
  auto r2 = pub.make_release(2, "2.0.0", r1_hash);
  auto b = pub.bundle(pub.targets_text(r2, pub.first(3, 5)), 2, 2, pub.first(3), pub.first(3));
  expect_refused(encode(b), trust_errc::threshold_not_met);
}

TEST_F(release_attack, endless_data_bundle_over_bound) {
  bytes big(std::size_t{1} << 20, ' ');
  big.push_back(' ');
  expect_refused(big, trust_errc::too_large);
}

TEST_F(release_attack, endless_data_targets_longer_than_snapshot_says) {
  auto r2 = pub.make_release(2, "2.0.0", r1_hash);
  auto b = pub.bundle(pub.targets_text(r2, pub.first(3)), 2, 2, pub.first(3), pub.first(3));
  b.targets += std::string(4096, ' ');
  expect_refused(encode(b), trust_errc::mismatch);
}

TEST_F(release_attack, fast_forward_timestamp_below_threshold) {
  auto r2 = pub.make_release(2, "2.0.0", r1_hash);
  // Two compromised keys (below 3-of-5) sign a timestamp with a huge version.
  auto b = pub.bundle(pub.targets_text(r2, pub.first(3)), 2, 1'000'000, pub.first(3), pub.first(2));
  expect_refused(encode(b), trust_errc::threshold_not_met);
}

TEST_F(release_attack, indefinite_freeze_expired_timestamp) {
  // A mirror keeps serving the old release after its timestamp expired.
  expect_refused(pub.good_bundle(pub.make_release(2, "2.0.0", r1_hash)), trust_errc::expired,
                 at("2027-03-01T00:00:00Z"));
}

TEST_F(release_attack, malicious_mirror_tampered_snapshot) {
  auto r2 = pub.make_release(2, "2.0.0", r1_hash);
  auto b = pub.bundle(pub.targets_text(r2, pub.first(3)), 2, 2, pub.first(3), pub.first(3));
  auto pos = b.snapshot.find("\"version\": 2");
  ASSERT_NE(pos, std::string::npos);
  b.snapshot.replace(pos, 12, "\"version\": 3");
  expect_refused(encode(b), trust_errc::mismatch);  // hash differs from what the timestamp lists
}

TEST_F(release_attack, mix_and_match_targets_from_another_snapshot) {
  auto r2 = pub.make_release(2, "2.0.0", r1_hash);
  auto r3 = pub.make_release(3, "3.0.0", r1_hash);
  auto b = pub.bundle(pub.targets_text(r2, pub.first(3)), 2, 2, pub.first(3), pub.first(3));
  b.targets = pub.targets_text(r3, pub.first(3));  // validly signed, but not what the snapshot pins
  expect_refused(encode(b), trust_errc::mismatch);
}

TEST_F(release_attack, rollback_to_older_timestamp) {
  auto r2 = pub.make_release(2, "2.0.0", r1_hash);
  ASSERT_TRUE(client->verify_bundle(pub.good_bundle(r2), now));
  expect_refused(pub.good_bundle(pub.make_release(1, "1.0.1")), trust_errc::rollback);
}

TEST_F(release_attack, rollback_of_release_sequence_with_fresh_timestamp) {
  auto r2 = pub.make_release(2, "2.0.0", r1_hash);
  ASSERT_TRUE(client->verify_bundle(pub.good_bundle(r2), now));
  // New timestamp and snapshot (version 3), but targets (release) version 1.
  auto old = pub.make_release(1, "1.0.0");
  auto b = pub.bundle(pub.targets_text(old, pub.first(3)), 1, 3, pub.first(3), pub.first(3));
  expect_refused(encode(b), trust_errc::rollback);  // snapshot lists targets.json going backwards
}

TEST_F(release_attack, key_compromise_below_threshold) {
  auto r2 = pub.make_release(2, "2.0.0", r1_hash);
  auto b = pub.bundle(pub.targets_text(r2, pub.first(2)), 2, 2, pub.first(2), pub.first(2));
  expect_refused(encode(b), trust_errc::threshold_not_met);
}

TEST_F(release_attack, duplicate_key_ids_count_once) {
  auto r2 = pub.make_release(2, "2.0.0", r1_hash);
  auto b = pub.bundle(pub.targets_text(r2, pub.first(3)), 2, 2, pub.first(3), pub.first(3));
  // Targets carrying one key's signature three times.
  auto doc = nlohmann::json::parse(b.targets);
  auto sig = doc["signatures"][0];
  doc["signatures"] = nlohmann::json::array({sig, sig, sig});
  std::string forged = doc.dump(2);
  b = pub.bundle(forged, 2, 2, pub.first(3), pub.first(3));
  expect_refused(encode(b), trust_errc::threshold_not_met);
}

TEST_F(release_attack, wrong_software_other_platform) {
  auto r2 = pub.make_release(2, "2.0.0", r1_hash);
  r2.artifacts.erase(r2.artifacts.begin());  // linux only
  expect_refused(pub.good_bundle(r2), trust_errc::not_for_device);
}

TEST_F(release_attack, wrong_software_os_too_old) {
  auto r2 = pub.make_release(2, "2.0.0", r1_hash);
  r2.artifacts[0].platform.min_os = "13";
  expect_refused(pub.good_bundle(r2), trust_errc::not_for_device);
}

TEST_F(release_attack, wrong_software_other_channel) {
  auto beta = pub.make_release(2, "2.0.0-beta.1", "", "beta");
  expect_refused(pub.good_bundle(beta), trust_errc::not_for_device);
  // A beta release smuggled in a bundle labelled "stable".
  auto b = pub.bundle(pub.targets_text(beta, pub.first(3)), 2, 2, pub.first(3), pub.first(3), "stable");
  expect_refused(encode(b), trust_errc::not_for_device);
}

TEST_F(release_attack, equivocation_refused_and_reported) {
  // The same sequence (1) signed twice with different contents, both valid.
  auto other = pub.make_release(1, "1.0.0-evil");
  auto b = pub.bundle(pub.targets_text(other, pub.first(3)), 1, 2, pub.first(3), pub.first(3));
  expect_refused(encode(b), trust_errc::equivocation);
  auto reports = client->take_equivocations();
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].channel, "stable");
  EXPECT_EQ(reports[0].sequence, 1u);
  EXPECT_EQ(reports[0].trusted_hash, r1_hash);
  EXPECT_NE(reports[0].conflicting_hash, r1_hash);
  EXPECT_FALSE(reports[0].conflicting_targets.empty());
}

TEST_F(release_attack, clock_skew_beyond_slack) {
  // Slack is 600 s: 500 s after the timestamp expired is accepted ...
  publisher& p = pub;
  auto r2 = p.make_release(2, "2.0.0", r1_hash);
  auto b2 = p.good_bundle(r2);
  // ... 601 s after is not.
  expect_refused(b2, trust_errc::expired, at("2027-01-01T00:10:01Z"));
  auto ok = client->verify_bundle(b2, at("2027-01-01T00:08:20Z"));
  ASSERT_TRUE(ok) << ok.error().message();
}

TEST_F(release_attack, clock_set_back_does_not_revive_expired_metadata) {
  auto r2 = pub.make_release(2, "2.0.0", r1_hash);
  ASSERT_TRUE(client->verify_bundle(pub.good_bundle(r2), at("2026-12-31T23:00:00Z")));
  // The floor is now 2026-12-31T23:00; a bundle whose timestamp expired before that is refused
  // even though the device's clock claims it is 2026-06-01 again.
  pub.timestamp_expires = "2026-12-01T00:00:00Z";
  auto r3 = pub.make_release(3, "3.0.0", client->state().channels.at("stable").release_hash);
  expect_refused(pub.good_bundle(r3), trust_errc::expired, now);
}

TEST_F(release_attack, revoked_release) {
  auto r2 = pub.make_release(2, "2.0.0", r1_hash);
  auto b = pub.bundle(pub.targets_text(r2, pub.first(3)), 2, 2, pub.first(3), pub.first(3));
  b.revocation = pub.revocation_text(1, {{"stable", {0, {"2.0.0"}, {}}}}, pub.first(3));
  expect_refused(encode(b), trust_errc::revoked);
}

TEST_F(release_attack, revocation_below_threshold_refused) {
  auto r2 = pub.make_release(2, "2.0.0", r1_hash);
  auto b = pub.bundle(pub.targets_text(r2, pub.first(3)), 2, 2, pub.first(3), pub.first(3));
  b.revocation = pub.revocation_text(1, {{"stable", {5, {}, {}}}}, pub.first(2));
  expect_refused(encode(b), trust_errc::threshold_not_met);
}

TEST_F(release_attack, broken_hash_chain) {
  auto r2 = pub.make_release(2, "2.0.0", std::string(64, 'a'));
  expect_refused(pub.good_bundle(r2), trust_errc::mismatch);
}

}  // namespace
