// release_client beyond the attacks: root rotations, fast-forward recovery,
// verified-bundle cache, revocation of an installed release, crash safety of
// the trusted-state store, FROST-signed releases.
#include <gtest/gtest.h>

#include <filesystem>

#include "release_test_util.hpp"
#include "trust/frost.hpp"
#include "trust/frost_keygen.hpp"
#include "trust/release_client.hpp"

using namespace converge;
using namespace converge::trust;
using namespace converge::trust::test_util;

namespace {

const device_profile device{"stable", "android", "arm64", "12"};
const wall_time now = at("2026-06-01T00:00:00Z");

std::string chain(const release_client& c) { return c.state().channels.at("stable").release_hash; }

TEST(release_client, installs_a_release_and_selects_the_device_artifact) {
  publisher pub;
  memory_fs fs;
  auto c = release_client::open(pub.root_text, fs, device).value();
  auto out = c.verify_bundle(pub.good_bundle(pub.make_release(1, "1.0.0")), now);
  ASSERT_TRUE(out) << out.error().message();
  EXPECT_TRUE(out->new_release);
  ASSERT_EQ(out->for_device.size(), 1u);
  EXPECT_EQ(out->for_device[0].platform.os, "android");
  EXPECT_EQ(out->rel.semver, "1.0.0");
  EXPECT_EQ(c.state().channels.at("stable").sequence, 1u);
  // The next release chains to the first.
  auto r2 = pub.make_release(2, "1.1.0", chain(c));
  auto out2 = c.verify_bundle(pub.good_bundle(r2), now);
  ASSERT_TRUE(out2) << out2.error().message();
  EXPECT_EQ(out2->rel.sequence, 2u);
}

TEST(release_client, repeated_bundle_is_recognised_by_hash) {
  publisher pub;
  memory_fs fs;
  auto c = release_client::open(pub.root_text, fs, device).value();
  auto b = pub.good_bundle(pub.make_release(1, "1.0.0"));
  ASSERT_TRUE(c.verify_bundle(b, now));
  int writes = fs.steps;
  auto again = c.verify_bundle(b, now);  // the same bytes by gossip, IPNS, the DHT
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->already_verified);
  EXPECT_EQ(again->rel.semver, "1.0.0");
  EXPECT_EQ(fs.steps, writes);
}

TEST(release_client, verified_cache_is_bounded) {
  publisher pub;
  memory_fs fs;
  release_client_options o;
  o.verified_cache = 1;
  auto c = release_client::open(pub.root_text, fs, device, o).value();
  auto b1 = pub.good_bundle(pub.make_release(1, "1.0.0"));
  ASSERT_TRUE(c.verify_bundle(b1, now));
  auto r2 = pub.make_release(2, "1.1.0", chain(c));
  ASSERT_TRUE(c.verify_bundle(pub.good_bundle(r2), now));
  auto again = c.verify_bundle(b1, now);  // evicted: verified again, and now a rollback
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, make_error_code(trust_errc::rollback));
}

TEST(release_client, same_release_in_a_new_timestamp_is_not_new) {
  publisher pub;
  memory_fs fs;
  auto c = release_client::open(pub.root_text, fs, device).value();
  auto r1 = pub.make_release(1, "1.0.0");
  auto targets = pub.targets_text(r1, pub.first(3));
  ASSERT_TRUE(c.verify_bundle(encode_bundle(pub.bundle(targets, 1, 1, pub.first(3), pub.first(3))).value(), now));
  auto out = c.verify_bundle(encode_bundle(pub.bundle(targets, 1, 2, pub.first(3), pub.first(3))).value(), now);
  ASSERT_TRUE(out) << out.error().message();
  EXPECT_FALSE(out->new_release);
}

// --- root rotation -----------------------------------------------------------

TEST(release_client_rotation, one_of_one_to_three_of_five) {
  publisher pub;
  for (auto& [name, cfg] : pub.roles) cfg = {pub.first(1), 1};
  pub.root_text = publisher::sign(pub.root_json(1), pub.first(1));
  memory_fs fs;
  auto c = release_client::open(pub.root_text, fs, device).value();
  for (auto& [name, cfg] : pub.roles) cfg = {pub.first(5), 3};
  pub.rotate(pub.first(3));  // the old 1-of-1 (key 0) and the new 3-of-5
  auto out = c.verify_bundle(pub.good_bundle(pub.make_release(1, "1.0.0")), now);
  ASSERT_TRUE(out) << out.error().message();
  EXPECT_NE(c.state().root.find("\"version\": 2"), std::string::npos);
}

TEST(release_client_rotation, threshold_raised_then_lowered) {
  publisher pub;
  memory_fs fs;
  auto c = release_client::open(pub.root_text, fs, device).value();
  pub.roles["root"] = {pub.first(5), 5};
  pub.roles["targets"] = {pub.first(5), 4};
  pub.rotate(pub.first(5));
  auto r1 = pub.make_release(1, "1.0.0");
  // targets signed by 3 no longer suffices.
  auto b = pub.bundle(pub.targets_text(r1, pub.first(3)), 1, 1, pub.first(3), pub.first(3));
  auto refused = c.verify_bundle(encode_bundle(b).value(), now);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, make_error_code(trust_errc::threshold_not_met));
  b = pub.bundle(pub.targets_text(r1, pub.first(4)), 1, 1, pub.first(3), pub.first(3));
  ASSERT_TRUE(c.verify_bundle(encode_bundle(b).value(), now));
  // Lowered to 2-of-5: the rotation needs 5 old root signatures, 2 new.
  pub.roles["root"] = {pub.first(5), 2};
  pub.roles["targets"] = {pub.first(5), 2};
  pub.rotate(pub.first(5));
  auto r2 = pub.make_release(2, "2.0.0", chain(c));
  b = pub.bundle(pub.targets_text(r2, pub.first(2)), 2, 2, pub.first(3), pub.first(3));
  auto out = c.verify_bundle(encode_bundle(b).value(), now);
  ASSERT_TRUE(out) << out.error().message();
}

TEST(release_client_rotation, rotation_not_signed_by_old_threshold_is_refused) {
  publisher pub;
  memory_fs fs;
  auto c = release_client::open(pub.root_text, fs, device).value();
  ASSERT_TRUE(c.verify_bundle(pub.good_bundle(pub.make_release(1, "1.0.0")), now));
  auto before = fs.files;
  // New keys 5..9 sign the new root; only two of the old keys join.
  for (auto& [name, cfg] : pub.roles) cfg = {pub.first(5, 5), 3};
  signers by = pub.first(3, 5);
  by.push_back(pub.keys[0].get());
  by.push_back(pub.keys[1].get());
  pub.rotate(by);
  auto r = c.verify_bundle(pub.good_bundle(pub.make_release(2, "2.0.0", chain(c))), now);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, make_error_code(trust_errc::threshold_not_met));
  EXPECT_NE(r.error().detail.find("old keys"), std::string::npos) << r.error().detail;
  EXPECT_EQ(fs.files, before);
}

TEST(release_client_rotation, fast_forward_recovery_after_timestamp_key_rotation) {
  publisher pub;
  memory_fs fs;
  auto c = release_client::open(pub.root_text, fs, device).value();
  // The timestamp keys were compromised: the attacker pushed timestamp/snapshot version 1000.
  auto r1 = pub.make_release(1, "1.0.0");
  ASSERT_TRUE(c.verify_bundle(encode_bundle(pub.bundle(pub.targets_text(r1, pub.first(3)), 1, 1000, pub.first(3),
                                                       pub.first(3)))
                                  .value(),
                              now));
  // Honest version 2 is refused as a rollback ...
  auto r2 = pub.make_release(2, "2.0.0", chain(c));
  auto stuck = c.verify_bundle(pub.good_bundle(r2), now);
  ASSERT_FALSE(stuck);
  EXPECT_EQ(stuck.error().code, make_error_code(trust_errc::rollback));
  // ... until root rotates the timestamp and snapshot keys.
  pub.roles["timestamp"] = {pub.first(3, 5), 2};
  pub.roles["snapshot"] = {pub.first(3, 5), 2};
  pub.rotate(pub.first(3));
  auto b = pub.bundle(pub.targets_text(r2, pub.first(3)), 2, 2, pub.first(2, 5), pub.first(2, 5));
  auto out = c.verify_bundle(encode_bundle(b).value(), now);
  ASSERT_TRUE(out) << out.error().message();
  EXPECT_EQ(out->rel.sequence, 2u);
}

// --- revocation of an installed release ---------------------------------------

TEST(release_client_revocation, installed_release_must_move_on) {
  publisher pub;
  memory_fs fs;
  auto c = release_client::open(pub.root_text, fs, device).value();
  auto r1 = pub.make_release(1, "1.0.0");
  ASSERT_TRUE(c.verify_bundle(pub.good_bundle(r1), now));
  const std::string cid = r1.artifacts[0].cid;
  EXPECT_EQ(c.check_installed(1, "1.0.0", cid), installed_status::current);
  ASSERT_TRUE(c.update_revocation(pub.revocation_text(1, {{"stable", {0, {}, {cid}}}}, pub.first(3)), now));
  EXPECT_EQ(c.check_installed(1, "1.0.0", cid), installed_status::must_move_on);
  EXPECT_NE(c.installed_reason(1, "1.0.0", cid).find("CID"), std::string::npos);
  ASSERT_TRUE(c.update_revocation(pub.revocation_text(2, {{"stable", {2, {}, {}}}}, pub.first(3)), now));
  EXPECT_EQ(c.check_installed(1, "1.0.0", ""), installed_status::must_move_on);
  // An older list is a rollback.
  auto old = c.update_revocation(pub.revocation_text(1, {}, pub.first(3)), now);
  ASSERT_FALSE(old);
  EXPECT_EQ(old.error().code, make_error_code(trust_errc::rollback));
  // The next release is accepted and is current.
  auto r2 = pub.make_release(2, "1.0.1", chain(c));
  ASSERT_TRUE(c.verify_bundle(pub.good_bundle(r2), now));
  EXPECT_EQ(c.check_installed(2, "1.0.1", r2.artifacts[0].cid), installed_status::current);
  // The revocation list survives a restart.
  auto reopened = release_client::open(pub.root_text, fs, device).value();
  EXPECT_EQ(reopened.check_installed(1, "1.0.0", ""), installed_status::must_move_on);
}

// --- crash safety ------------------------------------------------------------

TEST(trust_store, a_crash_at_every_step_leaves_old_or_new_state) {
  publisher pub;
  auto b1 = pub.good_bundle(pub.make_release(1, "1.0.0"));
  // Reference states.
  memory_fs ref;
  auto rc = release_client::open(pub.root_text, ref, device).value();
  ASSERT_TRUE(rc.verify_bundle(b1, now));
  const trusted_state old_state = rc.state();
  auto b2 = pub.good_bundle(pub.make_release(2, "2.0.0", chain(rc)));
  ASSERT_TRUE(rc.verify_bundle(b2, now));
  const trusted_state new_state = rc.state();
  for (int step = 0; step < 8; ++step) {
    memory_fs fs;
    {
      auto c = release_client::open(pub.root_text, fs, device).value();
      ASSERT_TRUE(c.verify_bundle(b1, now));
      fs.steps = 0;
      fs.fail_at = step;
      auto r = c.verify_bundle(b2, now);
      if (!r) {
        EXPECT_EQ(r.error().code, make_error_code(trust_errc::storage));
        EXPECT_EQ(c.state(), old_state) << "in-memory state changed at step " << step;
      }
    }
    fs.fail_at = -1;
    auto after = release_client::open(pub.root_text, fs, device);  // "reboot"
    ASSERT_TRUE(after) << "step " << step << ": " << after.error().message();
    EXPECT_TRUE(after->state() == old_state || after->state() == new_state) << "step " << step;
    if (step >= 3) {
      EXPECT_EQ(after->state(), new_state) << "step " << step;  // crashed after the rename
    }
  }
}

TEST(trust_store, corrupted_file_is_reported_not_trusted) {
  publisher pub;
  memory_fs fs;
  auto c = release_client::open(pub.root_text, fs, device).value();
  ASSERT_TRUE(c.verify_bundle(pub.good_bundle(pub.make_release(1, "1.0.0")), now));
  auto& data = fs.files.at(state_store::file_name);
  data[data.size() / 2] ^= 1;
  auto r = release_client::open(pub.root_text, fs, device);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, make_error_code(trust_errc::storage));
}

TEST(trust_store, directory_store_round_trip_ignores_torn_temp_file) {
  auto dir = std::filesystem::temp_directory_path() / ("converge-trust-store-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  publisher pub;
  directory_fs fs(dir.string());
  trusted_state saved;
  {
    auto c = release_client::open(pub.root_text, fs, device).value();
    ASSERT_TRUE(c.verify_bundle(pub.good_bundle(pub.make_release(1, "1.0.0")), now));
    saved = c.state();
  }
  ASSERT_TRUE(write_file_atomic((dir / "trusted_state.json.tmp").string(), to_bytes("{\"torn")));
  auto c = release_client::open(pub.root_text, fs, device).value();
  EXPECT_EQ(c.state(), saved);
  std::filesystem::remove_all(dir);
}

// --- FROST -------------------------------------------------------------------

TEST(release_client_frost, frost_signed_targets_verify_through_the_tuf_path) {
  deterministic_rng rng(7);
  auto dealt = frost::trusted_dealer_keygen(3, 5, rng).value();
  std::vector<frost::key_package> shares;
  for (const auto& s : dealt.shares) shares.push_back(frost::key_package_from_share(s).value());
  auto group = tuf::ed25519_public_key(dealt.public_package.group_public_key.bytes);

  publisher pub;
  auto root = pub.root_json(1);
  root["keys"][group.keyid] = group.object;
  root["roles"]["targets"] = {{"keyids", {group.keyid}}, {"threshold", 1}};
  pub.root_text = publisher::sign(root, pub.first(3));

  auto r1 = pub.make_release(1, "1.0.0");
  tuf::envelope env{tuf::to_json(release_to_targets(r1).value()), {}};
  const std::string msg = tuf::signing_bytes(env.signed_part).value();
  // Participants 1, 3 and 5 sign (round one, round two, aggregate).
  std::vector<frost::signing_nonces> nonces;
  std::vector<frost::signing_commitment> list;
  for (frost::identifier id : {1, 3, 5}) {
    auto c = frost::commit(id, shares[id - 1].secret_share, rng);
    nonces.push_back(c.nonces);
    list.push_back(c.commitment);
  }
  std::vector<frost::signature_share> sig_shares;
  for (std::size_t i = 0; i < list.size(); ++i)
    sig_shares.push_back(frost::sign(shares[list[i].id - 1], nonces[i], as_bytes(msg), list).value());
  auto sig = frost::aggregate(dealt.public_package, as_bytes(msg), list, sig_shares).value();
  tuf::add_signature(env, group.keyid, bytes(sig.begin(), sig.end()));
  std::string targets = tuf::to_json(env).dump(2);

  memory_fs fs;
  auto c = release_client::open(pub.root_text, fs, device).value();
  auto out = c.verify_bundle(encode_bundle(pub.bundle(targets, 1, 1, pub.first(3), pub.first(3))).value(), now);
  ASSERT_TRUE(out) << out.error().message();
  EXPECT_EQ(out->rel.semver, "1.0.0");

  // Ordinary keys that are not the group key do not count for targets any more.
  memory_fs fs2;
  auto c2 = release_client::open(pub.root_text, fs2, device).value();
  auto refused = c2.verify_bundle(pub.good_bundle(r1), now);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, make_error_code(trust_errc::threshold_not_met));
}

}  // namespace
