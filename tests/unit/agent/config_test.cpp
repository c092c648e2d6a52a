// The "update" section parser: defaults, every field, and errors that name the field.
#include <gtest/gtest.h>

#include "agent/config.hpp"

namespace converge::agent {
namespace {

using json = nlohmann::json;

json minimal() {
  return {{"channel", "stable"}, {"root", "/etc/converge/root.json"}, {"device", {{"os", "linux"}, {"arch", "x86_64"}}}};
}

TEST(AgentConfig, MinimalSectionTakesTheDefaults) {
  auto c = parse_agent_config(minimal(), "/repo");
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->channel, "stable");
  EXPECT_EQ(c->root, "/etc/converge/root.json");
  EXPECT_EQ(c->topic, "unimaker/mobile/version");
  EXPECT_TRUE(c->ipns.empty());
  EXPECT_EQ(c->poll_interval.count(), 300);
  EXPECT_EQ(c->retry_initial.count(), 30);
  EXPECT_EQ(c->retry_max.count(), 3600);
  EXPECT_EQ(c->jitter.count(), 0);
  EXPECT_TRUE(c->windows.empty());
  EXPECT_FALSE(c->allow_metered);
  EXPECT_FALSE(c->require_charging);
  EXPECT_EQ(c->min_battery_percent, 20);
  EXPECT_FALSE(c->salt);
  EXPECT_TRUE(c->installer.is_object());
  EXPECT_EQ(c->device().channel, "stable");
  EXPECT_EQ(c->device().os, "linux");
}

TEST(AgentConfig, EveryFieldIsRead) {
  json s = minimal();
  s["root"] = "trust/root.json";
  s["device"] = {{"os", "android"}, {"arch", "arm64"}, {"os_version", "14.1"}, {"salt", "00112233445566778899"}};
  s["topic"] = "t/x";
  s["ipns"] = {"k51abc", "updates.example.org"};
  s["poll_interval_s"] = 60;
  s["retry"] = {{"initial_s", 5}, {"max_s", 50}};
  s["jitter_s"] = 120;
  s["windows"] = {{{"start", "22:30"}, {"end", "05:00"}}};
  s["network"] = {{"allow_metered", true}};
  s["battery"] = {{"require_charging", true}, {"min_percent", 50}};
  s["download_bytes_per_second"] = 1000000;
  s["upload_bytes_per_day"] = 5000000;
  s["installer"] = {{"type", "command"}, {"command", {"/bin/true"}}};
  auto c = parse_agent_config(s, "/repo");
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->root, "/repo/trust/root.json");
  EXPECT_EQ(c->os, "android");
  EXPECT_EQ(c->os_version, "14.1");
  EXPECT_EQ(to_hex(*c->salt), "00112233445566778899");
  EXPECT_EQ(c->ipns.size(), 2u);
  EXPECT_EQ(c->poll_interval.count(), 60);
  EXPECT_EQ(c->retry_max.count(), 50);
  ASSERT_EQ(c->windows.size(), 1u);
  EXPECT_EQ(c->windows[0].start_min, 22 * 60 + 30);
  EXPECT_EQ(c->windows[0].end_min, 5 * 60);
  EXPECT_TRUE(c->allow_metered);
  EXPECT_TRUE(c->require_charging);
  EXPECT_EQ(c->min_battery_percent, 50);
  EXPECT_EQ(c->download_bytes_per_second, 1000000u);
  EXPECT_EQ(c->upload_bytes_per_day, 5000000u);
  EXPECT_EQ(c->installer["type"], "command");
  // The JSON form parses back to the same config.
  auto again = parse_agent_config(to_json(*c), "/elsewhere");
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_EQ(to_json(*again), to_json(*c));
}

struct bad_case {
  const char* name;
  json patch;         // merged into minimal() (null values remove the field)
  const char* error;  // expected detail
};

class AgentConfigErrors : public ::testing::TestWithParam<bad_case> {};

TEST_P(AgentConfigErrors, NameTheField) {
  json s = minimal();
  s.merge_patch(GetParam().patch);
  auto c = parse_agent_config(s, "/repo");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, agent_errc::bad_config);
  EXPECT_EQ(c.error().detail, GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    Table, AgentConfigErrors,
    ::testing::Values(
        bad_case{"no_channel", {{"channel", nullptr}}, "update.channel: required"},
        bad_case{"bad_channel", {{"channel", "Stable"}}, "update.channel: must match [a-z0-9._-]{1,64}"},
        bad_case{"channel_type", {{"channel", 7}}, "update.channel: must be a string"},
        bad_case{"no_root", {{"root", nullptr}}, "update.root: required (the trusted root.json shipped with the device)"},
        bad_case{"no_device", {{"device", nullptr}}, "update.device: required"},
        bad_case{"device_os", {{"device", {{"os", "windows"}}}}, "update.device.os: must be one of android, harmonyos, ios, linux"},
        bad_case{"device_arch", {{"device", {{"arch", nullptr}}}}, "update.device.arch: required"},
        bad_case{"device_unknown", {{"device", {{"cpu", "x"}}}}, "update.device: unknown field \"cpu\""},
        bad_case{"os_version", {{"device", {{"os_version", "12a"}}}}, "update.device.os_version: must be dotted decimal, e.g. \"12\" or \"12.4\""},
        bad_case{"salt_hex", {{"device", {{"salt", "zz"}}}}, "update.device.salt: must be 8 to 64 bytes in hex"},
        bad_case{"salt_short", {{"device", {{"salt", "0011"}}}}, "update.device.salt: must be 8 to 64 bytes in hex"},
        bad_case{"unknown", {{"chanel", "x"}}, "update: unknown field \"chanel\""},
        bad_case{"poll_zero", {{"poll_interval_s", 0}}, "update.poll_interval_s: must be an integer from 1 to 604800"},
        bad_case{"poll_float", {{"poll_interval_s", 1.5}}, "update.poll_interval_s: must be an integer from 1 to 604800"},
        bad_case{"poll_negative", {{"poll_interval_s", -3}}, "update.poll_interval_s: must be an integer from 1 to 604800"},
        bad_case{"retry_order", {{"retry", {{"initial_s", 60}, {"max_s", 10}}}}, "update.retry.max_s: must be >= update.retry.initial_s (60)"},
        bad_case{"retry_unknown", {{"retry", {{"factor", 2}}}}, "update.retry: unknown field \"factor\""},
        bad_case{"retry_type", {{"retry", 5}}, "update.retry: must be an object"},
        bad_case{"jitter_big", {{"jitter_s", 604801}}, "update.jitter_s: must be an integer from 0 to 604800"},
        bad_case{"ipns_type", {{"ipns", "k51"}}, "update.ipns: must be an array of IPNS names or DNSLink domains"},
        bad_case{"ipns_entry", {{"ipns", {"ok", ""}}}, "update.ipns[1]: must be a name of 1 to 255 characters"},
        bad_case{"window_format", {{"windows", {{{"start", "2:00"}, {"end", "05:00"}}}}}, "update.windows[0].start: must be a UTC time \"HH:MM\" (00:00 to 23:59)"},
        bad_case{"window_hour", {{"windows", {{{"start", "02:00"}, {"end", "24:00"}}}}}, "update.windows[0].end: must be a UTC time \"HH:MM\" (00:00 to 23:59)"},
        bad_case{"window_missing", {{"windows", {{{"start", "02:00"}}}}}, "update.windows[0].end: required"},
        bad_case{"window_equal", {{"windows", {{{"start", "02:00"}, {"end", "02:00"}}}}}, "update.windows[0]: start and end are equal (omit \"windows\" to allow any time)"},
        bad_case{"window_type", {{"windows", {1}}}, "update.windows[0]: must be an object {\"start\": \"HH:MM\", \"end\": \"HH:MM\"}"},
        bad_case{"metered_type", {{"network", {{"allow_metered", "yes"}}}}, "update.network.allow_metered: must be true or false"},
        bad_case{"battery_pct", {{"battery", {{"min_percent", 101}}}}, "update.battery.min_percent: must be an integer from 0 to 100"},
        bad_case{"battery_unknown", {{"battery", {{"max_percent", 1}}}}, "update.battery: unknown field \"max_percent\""},
        bad_case{"installer_type", {{"installer", "command"}}, "update.installer: must be an object"},
        bad_case{"topic_empty", {{"topic", ""}}, "update.topic: must be 1 to 256 characters"}),
    [](const ::testing::TestParamInfo<bad_case>& p) { return std::string(p.param.name); });

TEST(AgentConfig, TooManyWindowsAndNamesAreRefused) {
  json s = minimal();
  s["windows"] = json::array();
  for (std::size_t i = 0; i <= max_windows; ++i) s["windows"].push_back({{"start", "01:00"}, {"end", "02:00"}});
  EXPECT_EQ(parse_agent_config(s, "/r").error().detail, "update.windows: at most 24 windows");
  s = minimal();
  s["ipns"] = json::array();
  for (std::size_t i = 0; i <= max_ipns_names; ++i) s["ipns"].push_back("k51x");
  EXPECT_EQ(parse_agent_config(s, "/r").error().detail, "update.ipns: at most 16 names");
}

TEST(AgentConfig, NotAnObject) {
  EXPECT_EQ(parse_agent_config(json::array(), "/r").error().detail, "update: must be an object");
  EXPECT_EQ(parse_agent_config(json(nullptr), "/r").error().detail, "update: must be an object");
}

}  // namespace
}  // namespace converge::agent
