#include "trust/tuf_metadata.hpp"

#include <gtest/gtest.h>

#include "tuf_test_util.hpp"

using namespace converge;
using namespace converge::trust;
using namespace converge::trust::tuf;
using nlohmann::json;

namespace {

struct tuf_metadata : ::testing::Test {
  std::unique_ptr<ed25519_signer> a = test_util::signer(1), b = test_util::signer(2), c = test_util::signer(3);
  std::vector<const ed25519_signer*> all{a.get(), b.get(), c.get()};

  json root() { return test_util::root_signed(all, 2); }

  // Expects the document to fail parsing with a detail that starts with `detail`.
  template <class Parse>
  void expect_error(Parse parse, const json& signed_part, std::string_view detail) {
    auto r = parse(test_util::signed_text(signed_part, {}), metadata_limits{});
    ASSERT_FALSE(r) << "accepted: " << signed_part.dump();
    EXPECT_EQ(r.error().detail.substr(0, detail.size()), detail) << r.error().detail;
  }

  json targets() {
    return {{"_type", "targets"},
            {"spec_version", "1.0.31"},
            {"version", 3},
            {"expires", "2030-01-01T00:00:00Z"},
            {"targets",
             {{"app/android.apk",
               {{"length", 1234},
                {"hashes", {{"sha256", std::string(64, 'a')}}},
                {"custom", {{"cid", "bafy..."}}}}}}}};
  }
};

}  // namespace

TEST_F(tuf_metadata, root_round_trip_and_threshold) {
  auto text = test_util::signed_text(root(), {a.get(), c.get()});
  auto r = parse_root(text);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->role.common.version, 1u);
  EXPECT_EQ(r->role.common.expires, 1893456000);
  EXPECT_TRUE(r->role.consistent_snapshot);
  EXPECT_EQ(r->role.keys.size(), 3u);
  EXPECT_EQ(r->role.roles.at("targets").threshold, 2u);
  auto v = verify_role(r->role, "root", r->env);
  ASSERT_TRUE(v) << v.error().message();
  EXPECT_EQ(v->valid_keyids.size(), 2u);
  // One signer listed twice does not reach a threshold of 2.
  auto single = parse_root(test_util::signed_text(root(), {a.get()})).value();
  single.env.signatures.push_back(single.env.signatures[0]);
  auto t = verify_role(single.role, "root", single.env);
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().code, trust_errc::threshold_not_met);
}

TEST_F(tuf_metadata, root_field_errors_name_the_field) {
  auto p = [](std::string_view t, const metadata_limits& l) { return parse_root(t, l); };
  auto r = root();
  r["roles"]["targets"]["threshold"] = 0;
  expect_error(p, r, "root.roles.targets.threshold: must be a positive integer");
  r["roles"]["targets"]["threshold"] = 1.5;
  expect_error(p, r, "root.roles.targets.threshold: must be a positive integer");
  r["roles"]["targets"]["threshold"] = "2";
  expect_error(p, r, "root.roles.targets.threshold: must be a positive integer");
  // Unsatisfiable, but legal metadata (as in python-tuf): nothing it signs verifies.
  r["roles"]["targets"]["threshold"] = 4;
  {
    auto unsat = parse_root(test_util::signed_text(r, {a.get(), b.get(), c.get()}));
    ASSERT_TRUE(unsat) << unsat.error().message();
    auto v = verify_role(unsat->role, "targets", unsat->env);
    ASSERT_FALSE(v);
    EXPECT_EQ(v.error().code, trust_errc::threshold_not_met);
  }
  r = root();
  r["roles"].erase("timestamp");
  expect_error(p, r, "root.roles.timestamp: is missing");
  r = root();
  r["roles"]["snapshot"]["keyids"].push_back(a->key().keyid);
  expect_error(p, r, "root.roles.snapshot.keyids[3]: duplicate key ID");
  r = root();
  r["roles"]["snapshot"]["keyids"][0] = std::string(64, '0');
  expect_error(p, r, "root.roles.snapshot.keyids[0]: key 000");
  r = root();
  r["version"] = 0;
  expect_error(p, r, "root.version: must be a positive integer");
  r = root();
  r["version"] = -3;
  expect_error(p, r, "root.version: must be a positive integer");
  r = root();
  r["expires"] = "2030-02-30T00:00:00Z";
  expect_error(p, r, "root.expires: must be \"YYYY-MM-DDTHH:MM:SSZ\"");
  r = root();
  r["spec_version"] = "2.0.0";
  expect_error(p, r, "root.spec_version: unsupported major version");
  r = root();
  r["_type"] = "targets";
  expect_error(p, r, "root._type: must be \"root\"");
  r = root();
  r["consistent_snapshot"] = 1;
  expect_error(p, r, "root.consistent_snapshot: must be a boolean");
}

TEST_F(tuf_metadata, root_keyid_must_match_key) {
  auto r = root();
  auto obj = r["keys"][a->key().keyid];
  r["keys"].erase(a->key().keyid);
  r["keys"][std::string(64, 'f')] = obj;
  auto res = parse_root(test_util::signed_text(r, {}));
  ASSERT_FALSE(res);
  EXPECT_NE(res.error().detail.find("key ID is not the SHA-256 of the key"), std::string::npos);
}

TEST_F(tuf_metadata, unrecognised_fields_are_kept_and_signed) {
  auto r = root();
  r["x-converge"] = {{"note", "kept"}};
  auto text = test_util::signed_text(r, {a.get(), b.get()});
  auto parsed = parse_root(text).value();
  EXPECT_EQ(parsed.env.signed_part["x-converge"]["note"], "kept");
  EXPECT_TRUE(verify_role(parsed.role, "root", parsed.env));
}

TEST_F(tuf_metadata, targets_parse_and_errors) {
  auto t = parse_targets(test_util::signed_text(targets(), {})).value();
  const auto& f = t.role.targets.at("app/android.apk");
  EXPECT_EQ(f.length, 1234u);
  EXPECT_EQ(f.hashes.at("sha256").size(), 32u);
  EXPECT_EQ(f.custom["cid"], "bafy...");
  auto p = [](std::string_view s, const metadata_limits& l) { return parse_targets(s, l); };
  auto bad = targets();
  bad["targets"]["app/android.apk"]["hashes"]["sha256"] = "abcd";
  expect_error(p, bad, "targets.targets.app/android.apk.hashes.sha256: has the wrong length");
  bad = targets();
  bad["targets"]["app/android.apk"]["hashes"] = json::object();
  expect_error(p, bad, "targets.targets.app/android.apk.hashes: must name at least one hash");
  bad = targets();
  bad["targets"]["app/android.apk"]["length"] = -1;
  expect_error(p, bad, "targets.targets.app/android.apk.length: must be a non-negative integer");
  bad = targets();
  bad["targets"]["app/android.apk"]["custom"] = "x";
  expect_error(p, bad, "targets.targets.app/android.apk.custom: must be an object");
}

TEST_F(tuf_metadata, targets_delegations) {
  auto t = targets();
  t["delegations"] = {{"keys", {{a->key().keyid, a->key().object}}},
                      {"roles", json::array({{{"name", "android"},
                                              {"keyids", {a->key().keyid}},
                                              {"threshold", 1},
                                              {"terminating", true},
                                              {"paths", {"app/*.apk"}}}})}};
  auto parsed = parse_targets(test_util::signed_text(t, {}));
  ASSERT_TRUE(parsed) << parsed.error().message();
  ASSERT_TRUE(parsed->role.delegations);
  EXPECT_EQ(parsed->role.delegations->roles.at(0).name, "android");
  auto p = [](std::string_view s, const metadata_limits& l) { return parse_targets(s, l); };
  auto both = t;
  both["delegations"]["roles"][0]["path_hash_prefixes"] = {"ab"};
  expect_error(p, both, "targets.delegations.roles[0]: needs exactly one of paths and path_hash_prefixes");
  auto noterm = t;
  noterm["delegations"]["roles"][0].erase("terminating");
  expect_error(p, noterm, "targets.delegations.roles[0].terminating: is missing");
  auto dup = t;
  dup["delegations"]["roles"].push_back(dup["delegations"]["roles"][0]);
  expect_error(p, dup, "targets.delegations.roles[1].name: duplicate role name");
  auto unknown = t;
  unknown["delegations"]["roles"][0]["keyids"] = {b->key().keyid};
  expect_error(p, unknown, "targets.delegations.roles[0].keyids[0]: key");
}

TEST_F(tuf_metadata, snapshot_and_timestamp) {
  json snap = {{"_type", "snapshot"},
               {"spec_version", "1.0"},
               {"version", 5},
               {"expires", "2030-01-01T00:00:00Z"},
               {"meta", {{"targets.json", {{"version", 3}}}, {"root.json", {{"version", 1}, {"length", 10}}}}}};
  auto s = parse_snapshot(test_util::signed_text(snap, {}));
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_EQ(s->role.meta.at("targets.json").version, 3u);
  EXPECT_EQ(s->role.meta.at("root.json").length, 10u);
  snap["meta"]["targets.json"]["version"] = 0;
  auto bad = parse_snapshot(test_util::signed_text(snap, {}));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().detail, "snapshot.meta.targets.json.version: must be a positive integer");

  json ts = {{"_type", "timestamp"},
             {"spec_version", "1.0.31"},
             {"version", 9},
             {"expires", "2030-01-01T00:00:00Z"},
             {"meta", {{"snapshot.json", {{"version", 5}, {"hashes", {{"sha256", std::string(64, 'b')}}}}}}}};
  auto t = parse_timestamp(test_util::signed_text(ts, {}));
  ASSERT_TRUE(t) << t.error().message();
  EXPECT_EQ(t->role.snapshot.version, 5u);
  ts["meta"]["targets.json"] = {{"version", 1}};
  auto extra = parse_timestamp(test_util::signed_text(ts, {}));
  ASSERT_FALSE(extra);
  EXPECT_EQ(extra.error().detail.substr(0, 15), "timestamp.meta:");
}

TEST_F(tuf_metadata, parse_metadata_dispatches_on_type) {
  auto any = parse_metadata(test_util::signed_text(targets(), {}));
  ASSERT_TRUE(any);
  EXPECT_TRUE(std::holds_alternative<signed_metadata<targets_metadata>>(*any));
  auto r = parse_metadata(test_util::signed_text(root(), {}));
  ASSERT_TRUE(r);
  EXPECT_TRUE(std::holds_alternative<signed_metadata<root_metadata>>(*r));
  auto t = targets();
  t["_type"] = "mirrors";
  EXPECT_FALSE(parse_metadata(test_util::signed_text(t, {})));
  EXPECT_FALSE(parse_metadata("[]"));
  EXPECT_FALSE(parse_metadata(R"({"signed":{"_type":"root","_type":"targets"},"signatures":[]})"));
}

TEST_F(tuf_metadata, bounds_are_enforced) {
  metadata_limits lim;
  lim.max_targets = 1;
  auto t = targets();
  t["targets"]["second"] = t["targets"]["app/android.apk"];
  auto r = parse_targets(test_util::signed_text(t, {}), lim);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, trust_errc::too_large);
  lim = {};
  lim.max_keys = 2;
  auto rr = parse_root(test_util::signed_text(root(), {}), lim);
  ASSERT_FALSE(rr);
  EXPECT_EQ(rr.error().code, trust_errc::too_large);
}

TEST(tuf_expires, parse_and_format) {
  EXPECT_EQ(parse_expires("1970-01-01T00:00:00Z").value(), 0);
  EXPECT_EQ(parse_expires("2000-02-29T12:34:56Z").value(), 951827696);
  EXPECT_EQ(format_expires(951827696), "2000-02-29T12:34:56Z");
  EXPECT_EQ(format_expires(parse_expires("9999-12-31T23:59:59Z").value()), "9999-12-31T23:59:59Z");
  for (const char* bad : {"2001-02-29T00:00:00Z", "2030-01-01 00:00:00Z", "2030-01-01T00:00:00", "2030-01-01T24:00:00Z",
                          "2030-13-01T00:00:00Z", "1969-12-31T23:59:59Z", "2030-01-01T00:00:60Z", "+030-01-01T00:00:00Z",
                          "2030-01-01T00:00:00.5Z"})
    EXPECT_FALSE(parse_expires(bad)) << bad;
}
