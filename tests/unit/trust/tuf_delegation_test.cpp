// TUF 5.6.7: finding a target through delegated targets roles.
#include <gtest/gtest.h>

#include "trust/tuf_client.hpp"
#include "tuf_test_util.hpp"

using namespace converge;
using namespace converge::trust;
using namespace converge::trust::tuf;
using nlohmann::json;

namespace {

const wall_time now{std::chrono::seconds{1'800'000'000}};

struct tuf_delegation : ::testing::Test {
  std::unique_ptr<ed25519_signer> top = test_util::signer(1), dev_a = test_util::signer(21), dev_b = test_util::signer(22);

  static json common(int version) {
    return {{"_type", "targets"}, {"spec_version", "1.0.31"}, {"version", version}, {"expires", "2030-01-01T00:00:00Z"}};
  }
  static json file() { return {{"length", 1}, {"hashes", {{"sha256", std::string(64, 'c')}}}}; }
  json delegation(const std::string& name, const ed25519_signer& key, json paths, bool terminating) {
    return {{"name", name}, {"keyids", {key.key().keyid}}, {"threshold", 1}, {"terminating", terminating},
            {"paths", std::move(paths)}};
  }
  // Top-level targets delegating to `roles` (in order), keys dev_a and dev_b.
  std::string top_targets(json roles) {
    auto t = common(1);
    t["targets"] = {{"app/top.bin", file()}};
    t["delegations"] = {{"keys", {{dev_a->key().keyid, dev_a->key().object}, {dev_b->key().keyid, dev_b->key().object}}},
                        {"roles", std::move(roles)}};
    return test_util::signed_text(t, {top.get()});
  }
  static std::string role_doc(json targets, const ed25519_signer& by, int version = 1) {
    auto t = common(version);
    t["targets"] = targets.is_null() ? json::object() : std::move(targets);
    return test_util::signed_text(t, {&by});
  }
  // A client that trusts the given top-level targets; the snapshot lists `roles` at version 1.
  tuf_client client(const std::string& targets_text, std::vector<std::string> roles) {
    std::vector<const ed25519_signer*> k{top.get()};
    auto c = tuf_client::create(test_util::signed_text(test_util::root_signed(k, 1), k)).value();
    json ts = {{"_type", "timestamp"}, {"spec_version", "1.0.31"}, {"version", 1}, {"expires", "2030-01-01T00:00:00Z"},
               {"meta", {{"snapshot.json", {{"version", 1}}}}}};
    json meta = {{"targets.json", {{"version", 1}}}};
    for (const auto& r : roles) meta[r + ".json"] = {{"version", 1}};
    json sn = {{"_type", "snapshot"}, {"spec_version", "1.0.31"}, {"version", 1}, {"expires", "2030-01-01T00:00:00Z"},
               {"meta", meta}};
    EXPECT_TRUE(c.update_timestamp(test_util::signed_text(ts, k), now));
    EXPECT_TRUE(c.update_snapshot(test_util::signed_text(sn, k), now));
    auto t = c.update_targets(targets_text, now);
    EXPECT_TRUE(t) << t.error().message();
    return c;
  }
};

}  // namespace

TEST(tuf_paths, pattern_matching_is_per_path_part) {
  EXPECT_TRUE(path_matches("app/*.apk", "app/x.apk"));
  EXPECT_FALSE(path_matches("app/*", "app/a/b"));
  EXPECT_FALSE(path_matches("*", "a/b"));
  EXPECT_TRUE(path_matches("*/*", "a/b"));
  EXPECT_TRUE(path_matches("a?c", "abc"));
  EXPECT_FALSE(path_matches("a?c", "ac"));
  EXPECT_TRUE(path_matches("*.tar.*", "x.tar.gz"));
  EXPECT_TRUE(path_matches("**", "x"));
  EXPECT_FALSE(path_matches("a*", "b"));
  EXPECT_TRUE(path_matches("release-*-arm64", "release-1.2.3-arm64"));
}

TEST_F(tuf_delegation, finds_top_level_then_delegated_targets) {
  auto c = client(top_targets(json::array({delegation("android", *dev_a, {"app/*.apk"}, false)})), {"android"});
  auto top_hit = c.find_target("app/top.bin").value();
  ASSERT_TRUE(top_hit.target);
  EXPECT_EQ(top_hit.role, "targets");
  auto need = c.find_target("app/x.apk").value();
  EXPECT_TRUE(need.need_metadata);
  EXPECT_EQ(need.role, "android");
  EXPECT_EQ(need.delegator, "targets");
  ASSERT_TRUE(c.update_delegated_targets("android", "targets", role_doc({{"app/x.apk", file()}}, *dev_a), now));
  auto hit = c.find_target("app/x.apk").value();
  ASSERT_TRUE(hit.target);
  EXPECT_EQ(hit.role, "android");
  auto none = c.find_target("lib/other.so").value();
  EXPECT_FALSE(none.target);
  EXPECT_FALSE(none.need_metadata);
}

TEST_F(tuf_delegation, delegated_metadata_is_checked) {
  auto c = client(top_targets(json::array({delegation("android", *dev_a, {"app/*.apk"}, false)})), {"android"});
  auto wrong_key = c.update_delegated_targets("android", "targets", role_doc({{"app/x.apk", file()}}, *dev_b), now);
  ASSERT_FALSE(wrong_key);
  EXPECT_EQ(wrong_key.error().code, trust_errc::threshold_not_met);
  auto wrong_version = c.update_delegated_targets("android", "targets", role_doc({}, *dev_a, 2), now);
  ASSERT_FALSE(wrong_version);
  EXPECT_EQ(wrong_version.error().code, trust_errc::mismatch);
  auto not_delegated = c.update_delegated_targets("ios", "targets", role_doc({}, *dev_a), now);
  ASSERT_FALSE(not_delegated);
  auto unknown_delegator = c.update_delegated_targets("android", "ios", role_doc({}, *dev_a), now);
  ASSERT_FALSE(unknown_delegator);
  EXPECT_EQ(unknown_delegator.error().code, trust_errc::out_of_order);
}

TEST_F(tuf_delegation, terminating_role_hides_later_siblings) {
  auto c = client(top_targets(json::array({delegation("first", *dev_a, {"app/*"}, true), delegation("second", *dev_b, {"app/*"}, false)})),
                  {"first", "second"});
  ASSERT_TRUE(c.update_delegated_targets("first", "targets", role_doc({}, *dev_a), now));
  ASSERT_TRUE(c.update_delegated_targets("second", "targets", role_doc({{"app/y", file()}}, *dev_b), now));
  auto r = c.find_target("app/y").value();
  EXPECT_FALSE(r.target);
  EXPECT_FALSE(r.need_metadata);
  // Without termination the search goes on to the second role.
  auto c2 = client(top_targets(json::array({delegation("first", *dev_a, {"app/*"}, false), delegation("second", *dev_b, {"app/*"}, false)})),
                   {"first", "second"});
  ASSERT_TRUE(c2.update_delegated_targets("first", "targets", role_doc({}, *dev_a), now));
  auto need = c2.find_target("app/y").value();
  EXPECT_TRUE(need.need_metadata);
  EXPECT_EQ(need.role, "second");
  ASSERT_TRUE(c2.update_delegated_targets("second", "targets", role_doc({{"app/y", file()}}, *dev_b), now));
  EXPECT_EQ(c2.find_target("app/y").value().role, "second");
}

TEST_F(tuf_delegation, hash_prefix_delegation) {
  auto d = delegation("bins", *dev_a, {}, false);
  d.erase("paths");
  d["path_hash_prefixes"] = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "a", "b", "c", "d", "e", "f"};
  auto c = client(top_targets(json::array({d})), {"bins"});
  EXPECT_TRUE(c.find_target("anything/at/all").value().need_metadata);
  delegated_role none{"x", {}, false, {}, {"zz"}, true};
  EXPECT_FALSE(role_covers(none, "anything"));
}
