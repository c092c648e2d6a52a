// workspace.json and record.json: what they hold, and errors that name the field.
#include <gtest/gtest.h>

#include "publish/workspace.hpp"

namespace converge::publish {
namespace {

TEST(WorkspaceDocs, WorkspaceMetaGivesTheChannel) {
  auto ch = parse_workspace_meta(R"({"format": "converge-publisher-workspace-v1", "channel": "stable"})");
  ASSERT_TRUE(ch) << ch.error().message();
  EXPECT_EQ(*ch, "stable");
  for (const char* bad : {R"({"format": "other", "channel": "stable"})", R"({"channel": "stable"})",
                          R"({"format": "converge-publisher-workspace-v1", "channel": 7})", "[]", "{", ""}) {
    auto r = parse_workspace_meta(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.error().detail.find("not a publisher workspace"), std::string::npos) << r.error().detail;
  }
  auto r = parse_workspace_meta(R"({"format": "converge-publisher-workspace-v1", "channel": "Not/A Channel"})");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().detail.find("bad channel"), std::string::npos);
}

TEST(WorkspaceDocs, RecordFieldsAndFiles) {
  auto r = parse_release_record(
      R"({"sequence": 3, "semver": "2.1.0", "origin": "local", "content_key": "k", "files": {"bafy1": "artifacts/a.bin"}})");
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->sequence, 3u);
  EXPECT_EQ(r->semver, "2.1.0");
  EXPECT_EQ(r->origin, "local");
  EXPECT_EQ(r->content_key, "k");
  EXPECT_EQ(r->files.at("bafy1"), "artifacts/a.bin");
  auto no_key = parse_release_record(R"({"sequence": 1, "semver": "1.0.0", "origin": "network", "files": {}})");
  ASSERT_TRUE(no_key);
  EXPECT_EQ(no_key->content_key, "");
}

TEST(WorkspaceDocs, RecordErrorsNameTheField) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"semver": "1", "origin": "local", "files": {}})", "sequence"},
      {R"({"sequence": -1, "semver": "1", "origin": "local", "files": {}})", "sequence"},
      {R"({"sequence": 1, "semver": 1, "origin": "local", "files": {}})", "semver"},
      {R"({"sequence": 1, "semver": "1", "files": {}})", "origin"},
      {R"({"sequence": 1, "semver": "1", "origin": "local", "content_key": 5, "files": {}})", "content_key"},
      {R"({"sequence": 1, "semver": "1", "origin": "local"})", "files"},
      {R"({"sequence": 1, "semver": "1", "origin": "local", "files": {"c": 5}})", "files.c"},
      {R"({"sequence": 1, "semver": "1", "origin": "local", "files": {"c": "../../etc/passwd"}})", "unsafe file"},
      {R"({"sequence": 1, "semver": "1", "origin": "local", "files": {"c": "/etc/passwd"}})", "unsafe file"},
      {"[1]", "not a JSON object"},
  };
  for (const auto& [text, field] : cases) {
    auto r = parse_release_record(text);
    ASSERT_FALSE(r) << text;
    EXPECT_NE(r.error().detail.find(field), std::string::npos) << text << " -> " << r.error().detail;
  }
}

}  // namespace
}  // namespace converge::publish
