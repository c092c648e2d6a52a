// The agent core's transitions, with virtual time and a scripted driver.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "agent_harness.hpp"

namespace converge::agent::test {
namespace {

using namespace std::chrono_literals;

std::vector<std::string> history_kinds(const core& c) {
  std::vector<std::string> out;
  auto s = c.status();  // kept alive: a range-for over a temporary's member dangles before C++23's P2718
  for (const auto& e : s["history"]) out.push_back(e["kind"]);
  return out;
}

TEST(AgentCore, StartsIdleWithNoActions) {
  harness h;
  EXPECT_EQ(h.c->current_phase(), phase::idle);
  EXPECT_TRUE(h.acts().empty());
  EXPECT_FALSE(h.c->next_wakeup());
  EXPECT_EQ(h.c->salt().size(), 16u);
}

TEST(AgentCore, WalksEveryPhaseToInstalled) {
  harness h;
  auto v = make_release(1);
  h.c->on_announce(to_bytes("the bundle"), heard_via::ipns, h.now);
  EXPECT_EQ(h.c->current_phase(), phase::announced);
  auto va = h.one<verify_action>();
  EXPECT_EQ(va.bundle, to_bytes("the bundle"));
  EXPECT_EQ(va.via, heard_via::ipns);
  h.c->on_verified(v, heard_via::ipns, h.now);
  EXPECT_EQ(h.c->current_phase(), phase::downloading);
  auto f = h.one<fetch_action>();
  EXPECT_EQ(f.release_hash, v.release_hash);
  EXPECT_EQ(f.target.path, "stable/app-linux-x86_64.tar");
  EXPECT_FALSE(f.delta);
  h.c->on_fetch_progress(v.release_hash, 400, 1001);
  EXPECT_EQ(h.c->status()["progress"]["done"], 400);
  EXPECT_EQ(h.c->status()["progress"]["total"], 1001);
  h.c->on_fetched(v.release_hash, "/tmp/fetched", h.now);
  EXPECT_EQ(h.c->current_phase(), phase::downloaded);
  auto s = h.one<stage_action>();
  EXPECT_EQ(s.fetched_path, "/tmp/fetched");
  EXPECT_FALSE(s.is_delta);
  h.c->on_staged(v.release_hash, "/tmp/pkg", h.now);
  EXPECT_EQ(h.c->current_phase(), phase::installing);  // staged, gates open, installing
  auto i = h.one<install_action>();
  EXPECT_EQ(i.package_path, "/tmp/pkg");
  EXPECT_EQ(i.sequence, 1u);
  EXPECT_EQ(i.semver, "1.1.0");
  EXPECT_EQ(i.channel, "stable");
  h.c->on_install_result(v.release_hash, {install_result::installed, false, false, ""}, h.now);
  EXPECT_EQ(h.c->current_phase(), phase::installed);
  ASSERT_TRUE(h.c->installed());
  EXPECT_EQ(h.c->installed()->semver, "1.1.0");
  EXPECT_EQ(h.c->installed()->fetched_as, "full");
  EXPECT_EQ(h.c->installed()->bytes_fetched, 400u);
  EXPECT_EQ(h.c->installed()->via, heard_via::ipns);
  EXPECT_THAT(history_kinds(*h.c), ::testing::ElementsAre("announced", "verified", "downloading", "downloaded",
                                                          "staged", "installing", "installed"));
  EXPECT_TRUE(h.acts().empty());
  EXPECT_FALSE(h.c->next_wakeup());
}

TEST(AgentCore, RejectedBundleReturnsToIdle) {
  harness h;
  h.c->on_announce(to_bytes("forged"), heard_via::gossip, h.now);
  (void)h.one<verify_action>();
  h.c->on_rejected("invalid signature", heard_via::gossip, h.now);
  EXPECT_EQ(h.c->current_phase(), phase::idle);
  EXPECT_EQ(h.c->status()["history"].back()["kind"], "rejected");
  EXPECT_EQ(h.c->status()["history"].back()["detail"], "gossip: invalid signature");
}

TEST(AgentCore, SameBundleTwiceWhileVerifyingIsVerifiedOnce) {
  harness h;
  h.c->on_announce(to_bytes("b"), heard_via::gossip, h.now);
  h.c->on_announce(to_bytes("b"), heard_via::ipns, h.now);
  EXPECT_EQ(only<verify_action>(h.acts()).size(), 1u);
}

TEST(AgentCore, PendingVerificationsAreBounded) {
  harness h;
  for (int i = 0; i < 20; ++i) h.c->on_announce(to_bytes("b" + std::to_string(i)), heard_via::gossip, h.now);
  EXPECT_EQ(only<verify_action>(h.acts()).size(), core_limits{}.max_pending_verifications);
}

TEST(AgentCore, LowerOrEqualSequenceThanInstalledIsIgnored) {
  harness h;
  h.hear(make_release(2));
  h.complete(make_release(2).release_hash);
  h.hear(make_release(1));
  EXPECT_TRUE(only<fetch_action>(h.acts()).empty());
  h.hear(make_release(2));
  EXPECT_TRUE(only<fetch_action>(h.acts()).empty());
  EXPECT_EQ(h.c->current_phase(), phase::installed);
  EXPECT_EQ(h.c->installed()->sequence, 2u);
}

TEST(AgentCore, TheInstalledReleaseHeardAgainIsNotVerifiedOrRecordedUntilTheTtl) {
  harness h;
  auto v = make_release(2);
  h.hear(v);
  h.complete(v.release_hash);
  h.hear(v);  // verified once more after the install: nothing to do, settled
  auto history = h.c->status()["history"].size();
  for (int i = 0; i < 5; ++i) {  // every poll hears it again
    h.c->on_announce(to_bytes("bundle of " + v.release_hash), heard_via::dht, h.now);
    EXPECT_TRUE(only<verify_action>(h.acts()).empty());
  }
  EXPECT_EQ(h.c->status()["history"].size(), history);
  EXPECT_EQ(h.c->current_phase(), phase::installed);
  // After the TTL it is verified again (a revocation or an expiry may have come since).
  h.now += core_limits{}.settle_ttl;
  h.c->on_announce(to_bytes("bundle of " + v.release_hash), heard_via::dht, h.now);
  EXPECT_EQ(only<verify_action>(h.acts()).size(), 1u);
}

TEST(AgentCore, SameSequenceDifferentHashIsRefusedAndRecorded) {
  harness h;
  h.hear(make_release(3));
  h.complete(make_release(3).release_hash);
  auto twin = make_release(3, {}, "-forked");
  h.hear(twin);
  EXPECT_TRUE(only<fetch_action>(h.acts()).empty());
  EXPECT_EQ(h.c->status()["history"].back()["kind"], "equivocation");
  EXPECT_EQ(h.c->status()["history"].back()["hash"], twin.release_hash);
}

TEST(AgentCore, SameSequenceDifferentHashThanPendingIsRefused) {
  harness h;
  auto v = make_release(4);
  h.hear(v);
  (void)h.one<fetch_action>();
  h.hear(make_release(4, {}, "-other"));
  EXPECT_TRUE(h.acts().empty());
  EXPECT_EQ(h.c->pending()->release_hash, v.release_hash);
  EXPECT_EQ(h.c->status()["history"].back()["kind"], "equivocation");
}

TEST(AgentCore, NewerReleaseSupersedesADownload) {
  harness h;
  auto v1 = make_release(1), v2 = make_release(2);
  h.hear(v1);
  (void)h.one<fetch_action>();
  h.hear(v2);
  auto& acts = h.acts();
  auto cancels = only<cancel_fetch_action>(acts);
  ASSERT_EQ(cancels.size(), 1u);
  EXPECT_EQ(cancels[0].release_hash, v1.release_hash);
  auto fetches = only<fetch_action>(acts);
  ASSERT_EQ(fetches.size(), 1u);
  EXPECT_EQ(fetches[0].release_hash, v2.release_hash);
  // A late answer for the superseded release changes nothing.
  h.c->on_fetched(v1.release_hash, "/tmp/old", h.now);
  EXPECT_TRUE(h.acts().empty());
  EXPECT_EQ(h.c->current_phase(), phase::downloading);
  EXPECT_EQ(h.c->pending()->release_hash, v2.release_hash);
}

TEST(AgentCore, NewerReleaseSupersedesAStagedOneWithoutCancel) {
  harness h;
  auto v1 = make_release(1), v2 = make_release(2);
  h.hear(v1);
  (void)h.one<fetch_action>();
  h.c->on_conditions({.online = false}, h.now);
  h.c->on_fetched(v1.release_hash, "/f", h.now);
  (void)h.one<stage_action>();
  h.c->on_staged(v1.release_hash, "/p", h.now);
  EXPECT_EQ(h.c->current_phase(), phase::staged);
  EXPECT_EQ(h.c->status()["waiting"], "offline");
  EXPECT_TRUE(h.acts().empty());
  h.hear(v2);
  EXPECT_TRUE(h.acts().empty());  // nothing to cancel; v2 waits for the network too
  EXPECT_EQ(h.c->pending()->release_hash, v2.release_hash);
  EXPECT_EQ(h.c->current_phase(), phase::verified);
  h.c->on_conditions({}, h.now);
  EXPECT_EQ(h.one<fetch_action>().release_hash, v2.release_hash);
}

TEST(AgentCore, NewerReleaseWhileInstallingIsTakenUpAfterwards) {
  harness h;
  auto v1 = make_release(1), v2 = make_release(2);
  h.hear(v1);
  (void)h.one<fetch_action>();
  h.c->on_fetched(v1.release_hash, "/f", h.now);
  h.c->on_staged(v1.release_hash, "/p1", h.now);
  (void)h.one<install_action>();
  h.hear(v2);
  EXPECT_TRUE(h.acts().empty());  // no cancel, no fetch: the install runs on
  EXPECT_EQ(h.c->pending()->release_hash, v1.release_hash);
  h.c->on_install_result(v1.release_hash, {install_result::installed, false, false, ""}, h.now);
  EXPECT_EQ(h.c->installed()->release_hash, v1.release_hash);
  auto f = h.one<fetch_action>();
  EXPECT_EQ(f.release_hash, v2.release_hash);
}

TEST(AgentCore, TakesTheDeltaWhenTheInstalledBaseMatches) {
  harness h;
  h.hear(make_release(1));
  h.complete(make_release(1).release_hash);
  auto v2 = make_release(2, {"1.0.0", "1.1.0"});
  h.hear(v2);
  auto f = h.one<fetch_action>();
  ASSERT_TRUE(f.delta);
  EXPECT_EQ(f.delta->base_version, "1.1.0");
  EXPECT_EQ(f.base_package, h.c->installed()->package_path);
  h.c->on_fetched(v2.release_hash, "/d", h.now);
  auto s = h.one<stage_action>();
  EXPECT_TRUE(s.is_delta);
  EXPECT_EQ(s.base_package, h.c->installed()->package_path);
  h.c->on_staged(v2.release_hash, "/p2", h.now);
  (void)h.one<install_action>();
  h.c->on_install_result(v2.release_hash, {install_result::installed, false, false, ""}, h.now);
  EXPECT_EQ(h.c->installed()->fetched_as, "delta");
  EXPECT_EQ(h.c->installed()->bytes_fetched, 100u);  // the delta's size (no progress reported)
}

TEST(AgentCore, AFailedDeltaIsRetriedAsTheFullArtifact) {
  harness h;
  h.hear(make_release(1));
  h.complete(make_release(1).release_hash);
  auto v2 = make_release(2, {"1.1.0"});
  h.hear(v2);
  EXPECT_TRUE(h.one<fetch_action>().delta);
  h.c->on_fetched(v2.release_hash, "/d", h.now);
  (void)h.one<stage_action>();
  h.c->on_stage_failed(v2.release_hash, "base package sha256 mismatch", h.now);
  EXPECT_EQ(h.c->current_phase(), phase::failed);
  h.now = *h.c->next_wakeup();
  h.c->tick(h.now);
  auto f = h.one<fetch_action>();
  EXPECT_FALSE(f.delta);
  EXPECT_TRUE(f.base_package.empty());
}

TEST(AgentCore, RetryBackoffDoublesWithJitterAndIsCapped) {
  harness h;
  h.cfg.retry_initial = 30s;
  h.cfg.retry_max = 100s;
  h.crash();
  auto v = make_release(1);
  h.hear(v);
  (void)h.one<fetch_action>();
  // Equal jitter: delay in [base/2, base], base = 30, 60, 100 (capped), 100.
  std::vector<std::pair<int, int>> bounds{{15, 30}, {30, 60}, {50, 100}, {50, 100}};
  for (std::size_t n = 0; n < bounds.size(); ++n) {
    h.c->on_fetch_failed(v.release_hash, "disk full", true, h.now);
    EXPECT_EQ(h.c->current_phase(), phase::failed);
    EXPECT_EQ(h.c->pending()->attempts, n + 1);
    ASSERT_TRUE(h.c->next_wakeup());
    auto delay = std::chrono::duration_cast<std::chrono::seconds>(*h.c->next_wakeup() - h.now).count();
    EXPECT_GE(delay, bounds[n].first) << "failure " << n + 1;
    EXPECT_LE(delay, bounds[n].second) << "failure " << n + 1;
    EXPECT_EQ(h.c->status()["last_error"], "fetch: disk full");
    h.c->tick(*h.c->next_wakeup() - 1s);
    EXPECT_TRUE(h.acts().empty()) << "no retry before the backoff ends";
    h.now = *h.c->next_wakeup();
    h.c->tick(h.now);
    EXPECT_EQ(h.one<fetch_action>().release_hash, v.release_hash);
  }
  h.c->on_fetched(v.release_hash, "/f", h.now);
  h.c->on_staged(v.release_hash, "/p", h.now);
  h.c->on_install_result(v.release_hash, {install_result::installed, false, false, ""}, h.now);
  EXPECT_EQ(h.c->current_phase(), phase::installed);
}

TEST(AgentCore, NonRetryableFetchFailureMarksTheReleaseBad) {
  harness h;
  auto v = make_release(1);
  h.hear(v);
  (void)h.one<fetch_action>();
  h.c->on_fetch_failed(v.release_hash, "artifact length differs from the release", false, h.now);
  EXPECT_EQ(h.c->current_phase(), phase::idle);
  EXPECT_EQ(h.c->status()["history"].back()["kind"], "bad");
  h.hear(v);
  EXPECT_TRUE(h.acts().empty()) << "a bad release is never retried";
  EXPECT_EQ(h.c->current_phase(), phase::idle);
  h.hear(make_release(2));
  EXPECT_EQ(h.one<fetch_action>().release_hash, make_release(2).release_hash);
}

TEST(AgentCore, RolledBackInstallIsMarkedBadAndNeverRetried) {
  harness h;
  h.hear(make_release(1));
  h.complete(make_release(1).release_hash);
  auto v2 = make_release(2);
  h.hear(v2);
  (void)h.one<fetch_action>();
  h.c->on_fetched(v2.release_hash, "/f", h.now);
  h.c->on_staged(v2.release_hash, "/p", h.now);
  (void)h.one<install_action>();
  h.c->on_install_result(v2.release_hash, {install_result::failed, false, true, "health check exited 1"}, h.now);
  EXPECT_EQ(h.c->current_phase(), phase::installed);
  EXPECT_EQ(h.c->installed()->sequence, 1u);
  EXPECT_FALSE(h.c->next_wakeup());
  h.advance(10h);
  h.c->tick(h.now);
  h.hear(v2);
  EXPECT_TRUE(h.acts().empty());
}

TEST(AgentCore, TransientInstallFailureRetriesTheInstallOnly) {
  harness h;
  auto v = make_release(1);
  h.hear(v);
  (void)h.one<fetch_action>();
  h.c->on_fetched(v.release_hash, "/f", h.now);
  h.c->on_staged(v.release_hash, "/p", h.now);
  (void)h.one<install_action>();
  h.c->on_install_result(v.release_hash, {install_result::failed, false, false, "slot busy"}, h.now);
  EXPECT_EQ(h.c->current_phase(), phase::failed);
  h.now = *h.c->next_wakeup();
  h.c->tick(h.now);
  auto& acts = h.acts();
  EXPECT_TRUE(only<fetch_action>(acts).empty());
  ASSERT_EQ(only<install_action>(acts).size(), 1u);
  EXPECT_EQ(only<install_action>(acts)[0].package_path, "/p");
}

TEST(AgentCore, PendingInstallIsPolledWithRecoverActions) {
  harness h;
  auto v = make_release(1);
  h.hear(v);
  (void)h.one<fetch_action>();
  h.c->on_fetched(v.release_hash, "/f", h.now);
  h.c->on_staged(v.release_hash, "/p", h.now);
  (void)h.one<install_action>();
  h.c->on_install_result(v.release_hash, {install_result::pending, false, false, "waiting for the user"}, h.now);
  EXPECT_EQ(h.c->current_phase(), phase::installing);
  ASSERT_EQ(h.c->next_wakeup(), h.now + h.cfg.poll_interval);
  h.now += h.cfg.poll_interval;
  h.c->tick(h.now);
  EXPECT_EQ(h.one<recover_action>().release_hash, v.release_hash);
  h.c->on_install_result(v.release_hash, {install_result::installed, false, false, ""}, h.now);
  EXPECT_EQ(h.c->current_phase(), phase::installed);
}

TEST(AgentCore, RevokedInstalledReleaseIsMarkedAndShown) {
  harness h;
  auto v = make_release(1);
  h.hear(v);
  h.complete(v.release_hash);
  h.c->on_installed_revoked("sequence 1 revoked: CVE-2027-1", h.now);
  EXPECT_EQ(h.c->status()["installed"]["revoked"], "sequence 1 revoked: CVE-2027-1");
  h.crash();
  EXPECT_EQ(h.c->status()["installed"]["revoked"], "marked bad");
  h.hear(make_release(2));
  EXPECT_EQ(h.one<fetch_action>().release_hash, make_release(2).release_hash);
}

TEST(AgentCore, ReleaseWithoutAFullArtifactForTheDeviceIsIgnored) {
  harness h;
  auto v = make_release(1);
  v.for_device.clear();
  h.hear(v);
  EXPECT_TRUE(h.acts().empty());
  EXPECT_EQ(h.c->current_phase(), phase::idle);
}

TEST(AgentCore, OtherChannelIsIgnored) {
  harness h;
  auto v = make_release(1);
  v.rel.channel = "beta";
  h.hear(v);
  EXPECT_TRUE(h.acts().empty());
}

TEST(AgentCore, StatusNamesInstalledPendingAndProgress) {
  harness h;
  h.hear(make_release(1), heard_via::dht);
  h.complete(make_release(1).release_hash);
  auto v2 = make_release(2);
  h.hear(v2, heard_via::gossip);
  (void)h.acts();
  h.c->on_fetch_progress(v2.release_hash, 10, 1002);
  auto s = h.c->status();
  EXPECT_EQ(s["channel"], "stable");
  EXPECT_EQ(s["phase"], "downloading");
  EXPECT_EQ(s["installed"]["semver"], "1.1.0");
  EXPECT_EQ(s["installed"]["heard_via"], "dht");
  EXPECT_EQ(s["pending"]["semver"], "1.2.0");
  EXPECT_EQ(s["pending"]["sequence"], 2);
  EXPECT_EQ(s["pending"]["hash"], v2.release_hash);
  EXPECT_EQ(s["heard_via"], "gossip");
  EXPECT_EQ(s["attempts"], 0);
  EXPECT_EQ(s["progress"]["done"], 10);
  EXPECT_EQ(s["progress"]["total"], 1002);
  EXPECT_TRUE(s["next_attempt_at"].is_null());
  EXPECT_TRUE(s["history"].is_array());
}

}  // namespace
}  // namespace converge::agent::test
