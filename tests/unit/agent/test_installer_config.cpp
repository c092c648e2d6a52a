// The installer section of config.json: defaults, paths, and every bad field named.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "agent/installer_config.hpp"
#include "test_installer_util.hpp"

namespace converge::agent {
namespace {

using nlohmann::json;
using test::temp_dir;

std::string config_error(const json& j) {
  auto r = parse_installer_config(j, "/repo");
  if (r) return "<ok>";
  EXPECT_EQ(r.error().code, make_error_code(installer_errc::bad_config));
  return r.error().detail;
}

TEST(InstallerConfig, LinuxDirDefaultsAndRelativeDir) {
  auto r = parse_installer_config(json{{"type", "linux-dir"}, {"dir", "app"}}, "/repo");
  ASSERT_TRUE(r) << r.error().message();
  auto& o = std::get<linux_dir_options>(*r);
  EXPECT_EQ(o.dir, "/repo/app");
  EXPECT_TRUE(o.health_check.empty());
  EXPECT_EQ(o.health_timeout, std::chrono::seconds(30));
  EXPECT_TRUE(o.unpack);
  EXPECT_EQ(o.limits.max_entries, 100'000u);
}

TEST(InstallerConfig, LinuxDirAllFields) {
  auto r = parse_installer_config(json::parse(R"({"type": "linux-dir", "dir": "/opt/app", "health_check": ["/bin/sh", "-c", "true"],
      "health_timeout_s": 3600, "unpack": "none", "max_unpack_bytes": 1000, "max_unpack_entries": 7})"), "/repo");
  ASSERT_TRUE(r) << r.error().message();
  auto& o = std::get<linux_dir_options>(*r);
  EXPECT_EQ(o.dir, "/opt/app");
  EXPECT_EQ(o.health_check, (std::vector<std::string>{"/bin/sh", "-c", "true"}));
  EXPECT_EQ(o.health_timeout, std::chrono::seconds(3600));
  EXPECT_FALSE(o.unpack);
  EXPECT_EQ(o.limits.max_bytes, 1000u);
  EXPECT_EQ(o.limits.max_entries, 7u);
}

TEST(InstallerConfig, CommandDefaults) {
  auto r = parse_installer_config(json::parse(R"({"type": "command", "command": ["/usr/bin/hook", "--flag"]})"), "/repo");
  ASSERT_TRUE(r) << r.error().message();
  auto& o = std::get<command_options>(*r);
  EXPECT_EQ(o.command, (std::vector<std::string>{"/usr/bin/hook", "--flag"}));
  EXPECT_EQ(o.timeout, std::chrono::seconds(600));
  EXPECT_EQ(o.state_file, "/repo/datastore/installer-command.json");
  auto r2 = parse_installer_config(json::parse(R"({"type": "command", "command": ["/h"], "timeout_s": 5, "state_file": "s/x.json"})"), "/repo");
  ASSERT_TRUE(r2);
  EXPECT_EQ(std::get<command_options>(*r2).state_file, "/repo/s/x.json");
  EXPECT_EQ(std::get<command_options>(*r2).timeout, std::chrono::seconds(5));
}

TEST(InstallerConfig, BadFieldsAreNamed) {
  const json ld{{"type", "linux-dir"}, {"dir", "/d"}};
  auto with = [&](json base, const std::string& k, json v) {
    base[k] = std::move(v);
    return base;
  };
  EXPECT_EQ(config_error(with(ld, "health_timeout_s", 0)), "update.installer.health_timeout_s: must be 1..3600");
  EXPECT_EQ(config_error(with(ld, "health_timeout_s", 3601)), "update.installer.health_timeout_s: must be 1..3600");
  EXPECT_EQ(config_error(with(ld, "health_timeout_s", -5)), "update.installer.health_timeout_s: must be 1..3600");
  EXPECT_EQ(config_error(with(ld, "health_timeout_s", "30")), "update.installer.health_timeout_s: must be 1..3600");
  EXPECT_EQ(config_error(with(ld, "health_timeout_s", 1.5)), "update.installer.health_timeout_s: must be 1..3600");
  EXPECT_EQ(config_error(with(ld, "max_unpack_entries", 0)), "update.installer.max_unpack_entries: must be 1..10000000");
  EXPECT_EQ(config_error(with(ld, "unpack", "zip")), "update.installer.unpack: must be \"auto\" or \"none\"");
  EXPECT_EQ(config_error(with(ld, "health_check", "/bin/true")), "update.installer.health_check: must be an array of strings (argv)");
  EXPECT_EQ(config_error(with(ld, "health_check", json::array({"/bin/sh", 3}))), "update.installer.health_check[1]: must be a string");
  EXPECT_NE(config_error(with(ld, "health_check", json::array({"sh", "-c", "true"}))).find("update.installer.health_check[0]: must be an absolute path"),
            std::string::npos);
  EXPECT_NE(config_error(with(ld, "colour", "blue")).find("update.installer.colour: unknown field"), std::string::npos);
  EXPECT_EQ(config_error(json{{"type", "linux-dir"}}), "update.installer.dir: required for type \"linux-dir\"");
  EXPECT_EQ(config_error(with(ld, "dir", "")), "update.installer.dir: must not be empty");
  EXPECT_EQ(config_error(with(ld, "dir", 5)), "update.installer.dir: must be a string (a path)");

  EXPECT_EQ(config_error(json{{"dir", "/d"}}), "update.installer.type: required (\"linux-dir\" or \"command\")");
  EXPECT_EQ(config_error(json{{"type", "apk"}}), "update.installer.type: must be \"linux-dir\" or \"command\", not \"apk\"");
  EXPECT_EQ(config_error(json{{"type", 1}}), "update.installer.type: must be \"linux-dir\" or \"command\"");
  EXPECT_EQ(config_error(json::array()), "update.installer: must be an object");

  const json cmd{{"type", "command"}, {"command", {"/h"}}};
  EXPECT_EQ(config_error(json{{"type", "command"}}), "update.installer.command: required for type \"command\"");
  EXPECT_EQ(config_error(with(cmd, "command", json::array())), "update.installer.command: must not be empty");
  EXPECT_EQ(config_error(with(cmd, "timeout_s", 0)), "update.installer.timeout_s: must be 1..86400");
  EXPECT_EQ(config_error(with(cmd, "timeout_s", 86401)), "update.installer.timeout_s: must be 1..86400");
  EXPECT_NE(config_error(with(cmd, "health_check", json::array({"/x"}))).find("update.installer.health_check: unknown field"),
            std::string::npos);
  EXPECT_NE(config_error(with(ld, "timeout_s", 5)).find("update.installer.timeout_s: unknown field"), std::string::npos);
}

TEST(InstallerConfig, MakeInstallerOpensEachKind) {
  temp_dir t;
  auto a = make_installer(json{{"type", "linux-dir"}, {"dir", "slots"}}, t.path);
  ASSERT_TRUE(a) << a.error().message();
  EXPECT_EQ((*a)->kind(), "linux-dir");
  EXPECT_TRUE(std::filesystem::is_directory(t.path / "slots" / "slots" / "a"));
  auto cur = (*a)->current_release();
  ASSERT_TRUE(cur);
  EXPECT_EQ(*cur, "");
  auto b = make_installer(json{{"type", "command"}, {"command", {"/bin/true"}}}, t.path);
  ASSERT_TRUE(b) << b.error().message();
  EXPECT_EQ((*b)->kind(), "command");
  auto bad = make_installer(json{{"type", "command"}, {"command", {"/bin/true"}}, {"retries", 3}}, t.path);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, make_error_code(installer_errc::bad_config));
  EXPECT_EQ(to_string(install_report::pending), "pending");
}

}  // namespace
}  // namespace converge::agent
