// The core's policy gates: halt, rollout, windows, conditions and jitter,
// each holding a release back until virtual time or new conditions let it go.
#include <gtest/gtest.h>

#include "agent_harness.hpp"

namespace converge::agent::test {
namespace {

using namespace std::chrono_literals;

verified_release halted_release(std::uint64_t seq) {
  auto v = make_release(seq, {}, "-halted");
  v.rel.metadata = {{"halt", true}, {"reason", "crash on start"}};
  return v;
}

TEST(AgentGates, HaltedReleaseIsNeverFetched) {
  harness h;
  h.hear(halted_release(1));
  EXPECT_TRUE(h.acts().empty());
  EXPECT_EQ(h.c->current_phase(), phase::verified);
  EXPECT_EQ(h.c->status()["waiting"], "release halted by its publisher (metadata.halt)");
  EXPECT_FALSE(h.c->next_wakeup());
  h.advance(48h);
  h.c->tick(h.now);
  EXPECT_TRUE(h.acts().empty());
}

TEST(AgentGates, HaltSupersedesADownloadAndStopsIt) {
  harness h;
  auto v1 = make_release(1);
  h.hear(v1);
  (void)h.one<fetch_action>();
  h.hear(halted_release(2));  // the publisher re-signed the release with halt: true
  auto& acts = h.acts();
  ASSERT_EQ(only<cancel_fetch_action>(acts).size(), 1u);
  EXPECT_TRUE(only<fetch_action>(acts).empty());
  h.c->on_fetched(v1.release_hash, "/f", h.now);  // too late: ignored
  EXPECT_TRUE(h.acts().empty());
  // A fixed release after the halt goes ahead.
  h.hear(make_release(3));
  EXPECT_EQ(h.one<fetch_action>().release_hash, make_release(3).release_hash);
}

TEST(AgentGates, HaltKeepsTheInstalledRelease) {
  harness h;
  h.hear(make_release(1));
  h.complete(make_release(1).release_hash);
  h.hear(halted_release(2));
  EXPECT_TRUE(h.acts().empty());
  EXPECT_EQ(h.c->installed()->sequence, 1u);
}

// A release whose bucket for this device's salt lies in [lo, hi).
verified_release release_in_bucket(bytes_view salt, double lo, double hi) {
  for (int i = 0;; ++i) {
    auto v = make_release(1, {}, "-b" + std::to_string(i));
    auto b = rollout_bucket(salt, v.release_hash);
    if (b >= lo && b < hi) return v;
  }
}

TEST(AgentGates, RolloutAdmitsTheDeviceWhenItsStepComes) {
  harness h;
  auto v = release_in_bucket(h.c->salt(), 30, 70);
  auto t = std::chrono::duration_cast<std::chrono::seconds>(h.now.time_since_epoch()).count();
  v.rel.rollout = {{t - 60, 10}, {t + 3600, 20}, {t + 7200, 80}, {t + 9000, 100}};
  h.hear(v);
  EXPECT_TRUE(h.acts().empty());
  EXPECT_EQ(h.c->current_phase(), phase::verified);
  EXPECT_NE(h.c->status()["waiting"].get<std::string>().find("rollout at 10%"), std::string::npos);
  ASSERT_TRUE(h.c->next_wakeup());
  EXPECT_EQ(*h.c->next_wakeup(), at_unix(t + 7200)) << "the 20% step does not reach this bucket";
  h.now = at_unix(t + 7199);
  h.c->tick(h.now);
  EXPECT_TRUE(h.acts().empty());
  h.now = at_unix(t + 7200);
  h.c->tick(h.now);
  EXPECT_EQ(h.one<fetch_action>().release_hash, v.release_hash);
}

TEST(AgentGates, RolloutBeforeItsFirstStepAdmitsNobody) {
  harness h;
  auto v = release_in_bucket(h.c->salt(), 0, 50);
  auto t = std::chrono::duration_cast<std::chrono::seconds>(h.now.time_since_epoch()).count();
  v.rel.rollout = {{t + 600, 100}};
  h.hear(v);
  EXPECT_TRUE(h.acts().empty());
  EXPECT_EQ(h.c->status()["waiting"], "rollout has not started");
  EXPECT_EQ(*h.c->next_wakeup(), at_unix(t + 600));
}

TEST(AgentGates, WindowHoldsTheDownloadUntilItOpens) {
  harness h;
  h.cfg.windows = {{4 * 60, 5 * 60}};  // 04:00-05:00 UTC; now is 03:00
  h.crash();
  h.hear(make_release(1));
  EXPECT_TRUE(h.acts().empty());
  EXPECT_EQ(*h.c->next_wakeup(), at_unix(t0 + 4 * 3600));
  h.now = at_unix(t0 + 4 * 3600);
  h.c->tick(h.now);
  EXPECT_EQ(h.one<fetch_action>().release_hash, make_release(1).release_hash);
}

TEST(AgentGates, WindowHoldsTheInstallUntilTheNextDay) {
  harness h;
  h.cfg.windows = {{22 * 60, 3 * 60 + 30}};  // wraps midnight; now is 03:00, inside
  h.crash();
  auto v = make_release(1);
  h.hear(v);
  (void)h.one<fetch_action>();
  h.now = at_unix(t0 + 4 * 3600);  // the download took an hour: the window closed at 03:30
  h.c->on_fetched(v.release_hash, "/f", h.now);
  h.c->on_staged(v.release_hash, "/p", h.now);
  EXPECT_EQ(h.c->current_phase(), phase::staged);
  EXPECT_TRUE(only<install_action>(h.acts()).empty());
  EXPECT_EQ(*h.c->next_wakeup(), at_unix(t0 + 22 * 3600));
  h.now = at_unix(t0 + 22 * 3600);
  h.c->tick(h.now);
  EXPECT_EQ(h.one<install_action>().release_hash, v.release_hash);
}

TEST(AgentGates, MeteredNetworkHoldsTheDownloadUntilConditionsChange) {
  harness h;
  h.c->on_conditions({.metered = true}, h.now);
  h.hear(make_release(1));
  EXPECT_TRUE(h.acts().empty());
  EXPECT_FALSE(h.c->next_wakeup()) << "only new conditions can change this";
  h.c->on_conditions({.metered = false}, h.now);
  EXPECT_EQ(h.one<fetch_action>().release_hash, make_release(1).release_hash);
}

TEST(AgentGates, MeteredAllowedByConfig) {
  harness h;
  h.cfg.allow_metered = true;
  h.crash();
  h.c->on_conditions({.metered = true}, h.now);
  h.hear(make_release(1));
  EXPECT_EQ(only<fetch_action>(h.acts()).size(), 1u);
}

TEST(AgentGates, LowBatteryHoldsTheInstallUntilCharging) {
  harness h;
  auto v = make_release(1);
  h.hear(v);
  (void)h.one<fetch_action>();
  h.c->on_conditions({.charging = false, .battery_percent = 10}, h.now);
  h.c->on_fetched(v.release_hash, "/f", h.now);
  h.c->on_staged(v.release_hash, "/p", h.now);
  EXPECT_TRUE(only<install_action>(h.acts()).empty());
  EXPECT_EQ(h.c->status()["waiting"], "battery at 10% (battery.min_percent is 20)");
  h.c->on_conditions({.charging = true, .battery_percent = 10}, h.now);
  EXPECT_EQ(h.one<install_action>().release_hash, v.release_hash);
}

TEST(AgentGates, RequireChargingAndOffline) {
  harness h;
  h.cfg.require_charging = true;
  h.crash();
  h.c->on_conditions({.charging = false}, h.now);
  h.hear(make_release(1));
  EXPECT_EQ(h.c->status()["waiting"], "not charging (battery.require_charging)");
  h.c->on_conditions({.online = false}, h.now);
  EXPECT_EQ(h.c->status()["waiting"], "offline");
  h.c->on_conditions({}, h.now);
  EXPECT_EQ(only<fetch_action>(h.acts()).size(), 1u);
}

TEST(AgentGates, JitterDelaysTheDownloadDeterministically) {
  harness h;
  h.cfg.jitter = 600s;
  h.crash();
  auto v = make_release(1);
  auto delay = jitter_delay(h.c->salt(), v.release_hash, 600s);
  h.hear(v);
  if (delay.count() == 0) {
    EXPECT_EQ(only<fetch_action>(h.acts()).size(), 1u);
    return;
  }
  EXPECT_TRUE(h.acts().empty());
  ASSERT_TRUE(h.c->next_wakeup());
  EXPECT_EQ(*h.c->next_wakeup(), h.now + delay);
  EXPECT_LT(delay, 600s);
  h.now += delay;
  h.c->tick(h.now);
  EXPECT_EQ(h.one<fetch_action>().release_hash, v.release_hash);
}

}  // namespace
}  // namespace converge::agent::test
