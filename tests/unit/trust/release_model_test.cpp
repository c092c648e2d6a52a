// The release model, the revocation list and the bundle format: round trips
// and strict parsing whose errors name the field.
#include <gtest/gtest.h>

#include "release_test_util.hpp"

using namespace converge;
using namespace converge::trust;
using namespace converge::trust::test_util;

namespace {

nlohmann::json release_json() {
  publisher pub;
  return tuf::to_json(release_to_targets(pub.make_release(3, "1.2.3", std::string(64, 'a'))).value());
}

// Parses `signed` as a release, expecting an error whose detail contains `field`.
void expect_field_error(const nlohmann::json& signed_part, std::string_view field) {
  auto text = tuf::test_util::signed_text(signed_part, {});
  auto r = parse_release(text);
  ASSERT_FALSE(r) << "accepted; expected error at " << field;
  EXPECT_NE(r.error().detail.find(field), std::string::npos) << r.error().detail;
}

std::string first_target(const nlohmann::json& j) { return j["targets"].begin().key(); }

TEST(release_model, round_trip) {
  publisher pub;
  auto r = pub.make_release(3, "1.2.3", std::string(64, 'a'));
  r.artifacts[1].kind = artifact_kind::delta;
  r.artifacts[1].deltas.push_back({"1.2.2", content_cid("base"), "converge-zip-v1", content_cid("delta"), 1234, bytes(32, 7)});
  auto t = release_to_targets(r).value();
  auto text = tuf::test_util::signed_text(tuf::to_json(t), {});
  auto back = parse_release(text).value();
  EXPECT_EQ(back.channel, "stable");
  EXPECT_EQ(back.semver, "1.2.3");
  EXPECT_EQ(back.sequence, 3u);
  EXPECT_EQ(back.previous, std::string(64, 'a'));
  ASSERT_EQ(back.rollout.size(), 2u);
  EXPECT_EQ(back.rollout[1].percent, 100u);
  ASSERT_EQ(back.artifacts.size(), 2u);
  const auto& lin = back.artifacts[1].platform.os == "linux" ? back.artifacts[1] : back.artifacts[0];
  EXPECT_EQ(lin.kind, artifact_kind::delta);
  ASSERT_EQ(lin.deltas.size(), 1u);
  EXPECT_EQ(lin.deltas[0].size, 1234u);
  EXPECT_EQ(back.metadata["notes"], "release 1.2.3");
}

TEST(release_model, errors_name_the_field) {
  auto j = release_json();
  std::string t = first_target(j);
  std::string p = "targets.targets[\"" + t + "\"].custom";
  {
    auto k = j;
    k["targets"][t]["custom"]["platform"]["os"] = "windows";
    expect_field_error(k, p + ".platform.os");
  }
  {
    auto k = j;
    k["targets"][t]["custom"]["semver"] = "1.2";
    expect_field_error(k, p + ".semver");
  }
  {
    auto k = j;
    k["targets"][t]["custom"]["sequence"] = 4;
    expect_field_error(k, p + ".sequence");
  }
  {
    auto k = j;
    k["targets"][t]["custom"]["kind"] = "patch";
    expect_field_error(k, p + ".kind");
  }
  {
    auto k = j;
    k["targets"][t]["custom"]["previous"] = "abc";
    expect_field_error(k, p + ".previous");
  }
  {
    auto k = j;
    k["targets"][t]["custom"]["kind"] = "delta";
    expect_field_error(k, p + ".deltas");
  }
  {
    auto k = j;
    k["targets"][t]["custom"]["rollout"][1]["percent"] = 5;
    expect_field_error(k, p + ".rollout[1]");
  }
  {
    auto k = j;
    k["targets"][t]["custom"]["surprise"] = 1;
    expect_field_error(k, p + ".surprise");
  }
  {
    auto k = j;
    k["targets"][t]["custom"].erase("cid");
    expect_field_error(k, p + ".cid");
  }
  // CIDs go through the multiformats parser: alphanumerics are not enough.
  for (const char* bad : {"bafyandroid1", "Qm", "bafkreiabc", "zzz", "b"}) {
    auto k = j;
    k["targets"][t]["custom"]["cid"] = bad;
    expect_field_error(k, p + ".cid");
  }
  {
    auto k = j;
    // v0 and v1 in another multibase are CIDs too.
    k["targets"][t]["custom"]["cid"] = "QmdfTbBqBPQ7VNxZEYEj14VmRuZBkqFbiwReogJgS1zR1n";
    auto v0 = parse_release(tuf::test_util::signed_text(k, {}));
    EXPECT_TRUE(v0) << v0.error().message();
    k["targets"][t]["custom"]["cid"] = mf::cid::parse(content_cid("a")).value().to_string(mf::multibase::base58btc);
    auto b58 = parse_release(tuf::test_util::signed_text(k, {}));
    EXPECT_TRUE(b58) << b58.error().message();
  }
  {
    auto k = j;
    k["targets"][t]["custom"]["deltas"] = {{{"base_version", "1.0.0"}}};
    expect_field_error(k, p + ".deltas[0]");
  }
  {
    auto k = j;
    k["targets"][t]["hashes"].erase("sha256");
    expect_field_error(k, "hashes");
  }
  {
    // Artifacts disagreeing on a release-wide field.
    auto k = j;
    k["targets"][t]["custom"]["semver"] = "9.9.9";
    auto r = parse_release(tuf::test_util::signed_text(k, {}));
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().detail.find("differs from the release's other artifacts"), std::string::npos);
  }
  {
    // A target outside the channel namespace.
    auto k = j;
    k["targets"]["beta/x"] = k["targets"][t];
    auto r = parse_release(tuf::test_util::signed_text(k, {}));
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().detail.find("channel namespace"), std::string::npos) << r.error().detail;
  }
}

TEST(release_model, bounds) {
  publisher pub;
  auto r = pub.make_release(1, "1.0.0");
  r.metadata = {{"blob", std::string(20000, 'x')}};
  auto t = release_to_targets(r);
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().code, make_error_code(trust_errc::too_large));
  r = pub.make_release(1, "1.0.0");
  release_limits lim;
  lim.max_artifacts = 1;
  EXPECT_FALSE(release_to_targets(r, lim));
}

TEST(release_model, helpers) {
  EXPECT_TRUE(valid_semver("1.2.3"));
  EXPECT_TRUE(valid_semver("1.2.3-rc.1+build.5"));
  EXPECT_FALSE(valid_semver("01.2.3"));
  EXPECT_FALSE(valid_semver("1.2"));
  EXPECT_FALSE(valid_semver("1.2.3-"));
  EXPECT_TRUE(os_version_at_least("12", "10"));
  EXPECT_TRUE(os_version_at_least("10.0", "10"));
  EXPECT_FALSE(os_version_at_least("9.9", "10"));
  EXPECT_FALSE(os_version_at_least("x", "10"));
  device_profile d{"stable", "linux", "x86_64", "6.1"};
  publisher pub;
  auto r = pub.make_release(1, "1.0.0");
  auto mine = artifacts_for(r, d).value();
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0]->platform.os, "linux");
  // A device that does not know its OS version gets only artifacts without a minimum ("0").
  device_profile unknown{"stable", "linux", "x86_64", ""};
  EXPECT_FALSE(artifacts_for(r, unknown));
  for (auto& a : r.artifacts) a.platform.min_os = "0";
  ASSERT_TRUE(artifacts_for(r, unknown));
  EXPECT_EQ(artifacts_for(r, unknown)->size(), 1u);
}

TEST(revocation_list, round_trip_and_errors) {
  publisher pub;
  auto text = pub.revocation_text(2, {{"stable", {4, {"1.0.0"}, {content_cid("x")}}}}, pub.first(3));
  auto doc = parse_revocation(text).value();
  EXPECT_EQ(doc.role.common.version, 2u);
  EXPECT_EQ(doc.role.channels.at("stable").min_sequence, 4u);
  auto root = tuf::parse_root(pub.root_text).value();
  EXPECT_TRUE(verify_revocation(root.role, doc));
  EXPECT_EQ(revocation_reason(doc.role, "stable", 3, "2.0.0", ""), "sequence 3 is below the channel's minimum 4");
  EXPECT_FALSE(revocation_reason(doc.role, "stable", 5, "1.0.0", "").empty());
  EXPECT_FALSE(revocation_reason(doc.role, "stable", 5, "2.0.0", content_cid("x")).empty());
  EXPECT_TRUE(revocation_reason(doc.role, "beta", 1, "1.0.0", content_cid("x")).empty());

  // The same content under another CID form is revoked too.
  const auto v1_b58 = mf::cid::parse(content_cid("x")).value().to_string(mf::multibase::base58btc);
  EXPECT_NE(revocation_reason(doc.role, "stable", 5, "2.0.0", v1_b58).find("listed as"), std::string::npos);
  EXPECT_TRUE(revocation_reason(doc.role, "stable", 5, "2.0.0", content_cid("y")).empty());

  auto j = nlohmann::json::parse(text);
  {
    auto not_cid = j;
    not_cid["signed"]["channels"]["stable"]["cids"] = {"bafyx"};
    auto r = parse_revocation(not_cid.dump());
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().detail.find("revocation.channels.stable.cids"), std::string::npos) << r.error().detail;
  }
  auto bad = j;
  bad["signed"]["channels"]["stable"]["versions"] = {"1.0"};
  auto r = parse_revocation(bad.dump());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().detail.find("revocation.channels.stable.versions"), std::string::npos) << r.error().detail;
  bad = j;
  bad["signed"]["channels"]["stable"]["cids"] = {"a", "a"};
  EXPECT_FALSE(parse_revocation(bad.dump()));
  bad = j;
  bad["signed"]["_type"] = "targets";
  EXPECT_FALSE(parse_revocation(bad.dump()));
  bad = j;
  bad["signed"]["extra"] = 1;
  EXPECT_FALSE(parse_revocation(bad.dump()));

  // A root without a revocation role cannot vouch for a list.
  pub.roles.erase("revocation");
  auto bare = tuf::parse_root(publisher::sign(pub.root_json(1), pub.first(3))).value();
  auto v = verify_revocation(bare.role, doc);
  ASSERT_FALSE(v);
  EXPECT_NE(v.error().detail.find("root.roles.revocation"), std::string::npos);
}

TEST(revocation_list, root_revocation_role_is_checked_like_the_others) {
  publisher pub;
  const std::string field = tuf::revocation_role_field;
  auto root = pub.root_json(1);
  root[field]["keyids"] = {std::string(64, 'c')};
  root[field]["threshold"] = 1;
  auto r = tuf::parse_root(publisher::sign(root, pub.first(3)));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().detail.find("root." + field), std::string::npos) << r.error().detail;
  root = pub.root_json(1);
  root[field]["threshold"] = 0;
  r = tuf::parse_root(publisher::sign(root, pub.first(3)));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().detail.find("root." + field + ".threshold"), std::string::npos) << r.error().detail;
  // Inside "roles" it is refused: TUF tooling accepts only the four top-level roles there.
  root = pub.root_json(1);
  root["roles"]["revocation"] = root[field];
  root.erase(field);
  r = tuf::parse_root(publisher::sign(root, pub.first(3)));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().detail.find("root.roles.revocation"), std::string::npos) << r.error().detail;
  // Round trip through the builder keeps the role, outside "roles".
  auto ok_root = tuf::parse_root(pub.root_text).value();
  auto rebuilt = tuf::to_json(ok_root.role);
  EXPECT_TRUE(rebuilt.contains(field));
  EXPECT_FALSE(rebuilt["roles"].contains("revocation"));
  EXPECT_EQ(rebuilt["roles"].size(), 4u);
}

TEST(release_bundle_format, round_trip_and_bounds) {
  release_bundle b{"stable", {"r2", "r3"}, "ts", "snap", "targets", std::string("rev")};
  auto enc = encode_bundle(b).value();
  auto back = parse_bundle(enc).value();
  EXPECT_EQ(back.roots, b.roots);
  EXPECT_EQ(back.targets, "targets");
  EXPECT_EQ(back.revocation, std::optional<std::string>("rev"));
  EXPECT_EQ(encode_bundle(back).value(), enc);

  bundle_limits lim;
  lim.max_bytes = 64;
  EXPECT_EQ(parse_bundle(enc, lim).error().code, make_error_code(trust_errc::too_large));
  EXPECT_EQ(encode_bundle(b, lim).error().code, make_error_code(trust_errc::too_large));
  lim = {};
  lim.max_roots = 1;
  EXPECT_EQ(parse_bundle(enc, lim).error().code, make_error_code(trust_errc::too_large));

  auto j = nlohmann::json::parse(as_chars(enc));
  j["format"] = "v0";
  auto r = parse_bundle(to_bytes(j.dump()));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().detail.find("bundle.format"), std::string::npos);
  j = nlohmann::json::parse(as_chars(enc));
  j["roots"] = {1};
  EXPECT_FALSE(parse_bundle(to_bytes(j.dump())));
  j = nlohmann::json::parse(as_chars(enc));
  j["x"] = 1;
  EXPECT_FALSE(parse_bundle(to_bytes(j.dump())));
  EXPECT_FALSE(parse_bundle(to_bytes(std::string("{\"format\":1,\"format\":2}"))));
}

}  // namespace
