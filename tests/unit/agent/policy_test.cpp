// The policies as pure functions.
#include <gtest/gtest.h>

#include "agent/policy.hpp"

namespace converge::agent {
namespace {

using namespace std::chrono_literals;

wall_time at(std::int64_t s) { return wall_time{std::chrono::seconds{s}}; }
constexpr std::int64_t midnight = 1'799'971'200;  // a UTC midnight

TEST(AgentPolicy, BucketIsDeterministicInRangeAndSpread) {
  auto salt = to_bytes("device-salt-0001");
  EXPECT_EQ(rollout_bucket(salt, "abc"), rollout_bucket(salt, "abc"));
  EXPECT_NE(rollout_bucket(salt, "abc"), rollout_bucket(salt, "abd"));
  EXPECT_NE(rollout_bucket(to_bytes("other-salt"), "abc"), rollout_bucket(salt, "abc"));
  int below_10 = 0;
  for (int i = 0; i < 2000; ++i) {
    auto b = rollout_bucket(salt, "release-" + std::to_string(i));
    ASSERT_GE(b, 0.0);
    ASSERT_LT(b, 100.0);
    if (b < 10) ++below_10;
  }
  EXPECT_GT(below_10, 140);  // ~200 expected
  EXPECT_LT(below_10, 260);
}

TEST(AgentPolicy, BucketMatchesTheSpecifiedHash) {
  // sha256("" || "") = e3b0c442 98fc1c14...: 0xe3b0c44298fc1c14 / 2^64 * 100.
  EXPECT_NEAR(rollout_bucket({}, ""), static_cast<double>(0xe3b0c44298fc1c14ull) / 18446744073709551616.0 * 100.0, 1e-9);
}

TEST(AgentPolicy, RolloutSchedule) {
  std::vector<trust::rollout_step> steps{{1000, 10}, {2000, 50}, {3000, 100}};
  EXPECT_TRUE(rollout_gate({}, 99.9, at(0)).allowed) << "no steps: everybody";
  auto before = rollout_gate(steps, 5, at(999));
  EXPECT_FALSE(before.allowed);
  EXPECT_EQ(before.reason, "rollout has not started");
  EXPECT_EQ(before.next_look, at(1000));
  EXPECT_TRUE(rollout_gate(steps, 5, at(1000)).allowed);
  auto mid = rollout_gate(steps, 30, at(1500));
  EXPECT_FALSE(mid.allowed);
  EXPECT_EQ(mid.reason, "rollout at 10%, this device's bucket is 30.00");
  EXPECT_EQ(mid.next_look, at(2000));
  auto late = rollout_gate(steps, 75, at(1500));
  EXPECT_EQ(late.next_look, at(3000)) << "the 50% step does not reach bucket 75";
  EXPECT_TRUE(rollout_gate(steps, 75, at(3000)).allowed);
  auto never = rollout_gate({{1000, 10}}, 50, at(5000));
  EXPECT_FALSE(never.allowed);
  EXPECT_FALSE(never.next_look) << "no later step admits it";
}

TEST(AgentPolicy, HaltReadsTheMetadataFlag) {
  trust::release r;
  EXPECT_FALSE(halted(r));
  r.metadata = {{"halt", false}};
  EXPECT_FALSE(halted(r));
  r.metadata = {{"halt", "true"}};
  EXPECT_FALSE(halted(r)) << "only the boolean true halts";
  r.metadata = {{"halt", true}};
  EXPECT_TRUE(halted(r));
  EXPECT_FALSE(halt_gate(true).allowed);
  EXPECT_FALSE(halt_gate(true).next_look);
  EXPECT_TRUE(halt_gate(false).allowed);
}

TEST(AgentPolicy, WindowsPlainAndWrappingMidnight) {
  std::vector<time_window> night{{22 * 60, 5 * 60}};  // 22:00-05:00
  EXPECT_TRUE(window_gate({}, at(midnight + 12 * 3600)).allowed);
  EXPECT_TRUE(window_gate(night, at(midnight + 23 * 3600)).allowed);
  EXPECT_TRUE(window_gate(night, at(midnight + 1 * 3600)).allowed);
  EXPECT_TRUE(window_gate(night, at(midnight + 5 * 3600 - 1)).allowed);
  auto noon = window_gate(night, at(midnight + 5 * 3600));
  EXPECT_FALSE(noon.allowed);
  EXPECT_EQ(noon.next_look, at(midnight + 22 * 3600));
  std::vector<time_window> two{{2 * 60, 3 * 60}, {14 * 60, 15 * 60}};
  EXPECT_EQ(window_gate(two, at(midnight + 4 * 3600)).next_look, at(midnight + 14 * 3600));
  EXPECT_EQ(window_gate(two, at(midnight + 16 * 3600)).next_look, at(midnight + 86400 + 2 * 3600));
  EXPECT_EQ(window_gate(two, at(midnight + 2 * 3600 - 30)).next_look, at(midnight + 2 * 3600));
}

TEST(AgentPolicy, JitterIsDeterministicAndBounded) {
  auto salt = to_bytes("salt-salt");
  EXPECT_EQ(jitter_delay(salt, "r", 0s), 0s);
  EXPECT_EQ(jitter_delay(salt, "r", 3600s), jitter_delay(salt, "r", 3600s));
  bool differs = false;
  for (int i = 0; i < 50; ++i) {
    auto d = jitter_delay(salt, "r" + std::to_string(i), 3600s);
    EXPECT_GE(d, 0s);
    EXPECT_LT(d, 3600s);
    differs |= d != jitter_delay(salt, "r", 3600s);
  }
  EXPECT_TRUE(differs);
  EXPECT_TRUE(jitter_gate(at(100), 50s, at(150)).allowed);
  auto g = jitter_gate(at(100), 50s, at(149));
  EXPECT_FALSE(g.allowed);
  EXPECT_EQ(g.next_look, at(150));
}

TEST(AgentPolicy, Conditions) {
  agent_config cfg;
  EXPECT_TRUE(conditions_gate(cfg, {}).allowed);
  EXPECT_EQ(conditions_gate(cfg, {.online = false}).reason, "offline");
  EXPECT_FALSE(conditions_gate(cfg, {.metered = true}).allowed);
  cfg.allow_metered = true;
  EXPECT_TRUE(conditions_gate(cfg, {.metered = true}).allowed);
  EXPECT_FALSE(conditions_gate(cfg, {.charging = false, .battery_percent = 19}).allowed);
  EXPECT_TRUE(conditions_gate(cfg, {.charging = false, .battery_percent = 20}).allowed);
  EXPECT_TRUE(conditions_gate(cfg, {.charging = true, .battery_percent = 1}).allowed) << "charging: level ignored";
  cfg.require_charging = true;
  EXPECT_FALSE(conditions_gate(cfg, {.charging = false, .battery_percent = 100}).allowed);
  EXPECT_FALSE(conditions_gate(cfg, {.online = false}).next_look);
}

TEST(AgentPolicy, BackoffDoublesToTheCapWithEqualJitter) {
  for (std::uint64_t r : {0ull, 1ull, 7ull, ~0ull}) {
    auto d1 = backoff_delay(30s, 3600s, 1, r);
    EXPECT_GE(d1, 15s);
    EXPECT_LE(d1, 30s);
    auto d3 = backoff_delay(30s, 3600s, 3, r);
    EXPECT_GE(d3, 60s);
    EXPECT_LE(d3, 120s);
    auto big = backoff_delay(30s, 3600s, 4000000000u, r);
    EXPECT_GE(big, 1800s);
    EXPECT_LE(big, 3600s);
  }
  EXPECT_GE(backoff_delay(1s, 1s, 1, 0), 1s) << "never zero";
}

}  // namespace
}  // namespace converge::agent
