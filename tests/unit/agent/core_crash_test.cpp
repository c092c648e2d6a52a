// Crash recovery: the core is destroyed without warning at each phase and a
// new one opens the same agent.db. It must resume where it was and never
// repeat a finished install (a crash while installing asks the installer,
// it does not install again).
#include <gtest/gtest.h>

#include "agent_harness.hpp"

namespace converge::agent::test {
namespace {

using namespace std::chrono_literals;

TEST(AgentCrash, InAnnouncedVerifiesTheSameBundleAgain) {
  harness h;
  h.c->on_announce(to_bytes("bundle-1"), heard_via::dht, h.now);
  (void)h.one<verify_action>();
  h.crash();
  EXPECT_EQ(h.c->current_phase(), phase::announced);
  auto va = h.one<verify_action>();
  EXPECT_EQ(va.bundle, to_bytes("bundle-1"));
  EXPECT_EQ(va.via, heard_via::dht);
  h.c->on_verified(make_release(1), heard_via::dht, h.now);
  EXPECT_EQ(h.one<fetch_action>().release_hash, make_release(1).release_hash);
}

TEST(AgentCrash, InVerifiedWaitsForItsGateAgain) {
  harness h;
  h.cfg.windows = {{4 * 60, 5 * 60}};
  h.crash();
  h.hear(make_release(1));
  EXPECT_EQ(h.c->current_phase(), phase::verified);
  h.crash();
  EXPECT_EQ(h.c->current_phase(), phase::verified);
  EXPECT_TRUE(h.acts().empty());
  EXPECT_EQ(*h.c->next_wakeup(), at_unix(t0 + 4 * 3600));
  h.now = at_unix(t0 + 4 * 3600);
  h.c->tick(h.now);
  EXPECT_EQ(only<fetch_action>(h.acts()).size(), 1u);
}

TEST(AgentCrash, InDownloadingFetchesAgainWithTheSameChoice) {
  harness h;
  h.hear(make_release(1));
  h.complete(make_release(1).release_hash);
  auto v2 = make_release(2, {"1.1.0"});
  h.hear(v2);
  EXPECT_TRUE(h.one<fetch_action>().delta);
  h.c->on_fetch_progress(v2.release_hash, 50, 100);
  h.crash();
  EXPECT_EQ(h.c->current_phase(), phase::downloading);
  auto f = h.one<fetch_action>();
  EXPECT_EQ(f.release_hash, v2.release_hash);
  EXPECT_TRUE(f.delta) << "the driver resumes the same fetch; its blockstore has what it already got";
  h.c->on_fetched(v2.release_hash, "/d", h.now);
  EXPECT_TRUE(h.one<stage_action>().is_delta);
}

TEST(AgentCrash, InDownloadedStagesAgain) {
  harness h;
  auto v = make_release(1);
  h.hear(v);
  (void)h.one<fetch_action>();
  h.c->on_fetched(v.release_hash, "/fetched/1", h.now);
  (void)h.one<stage_action>();
  h.crash();
  EXPECT_EQ(h.c->current_phase(), phase::downloaded);
  auto s = h.one<stage_action>();
  EXPECT_EQ(s.fetched_path, "/fetched/1");
  EXPECT_EQ(s.target.length, v.for_device[0].length);
}

TEST(AgentCrash, InStagedInstallsWhenTheGateOpens) {
  harness h;
  h.cfg.windows = {{2 * 60, 3 * 60 + 30}};  // now 03:00
  h.crash();
  auto v = make_release(1);
  h.hear(v);
  (void)h.one<fetch_action>();
  h.now = at_unix(t0 + 4 * 3600);
  h.c->on_fetched(v.release_hash, "/f", h.now);
  h.c->on_staged(v.release_hash, "/p", h.now);
  (void)h.acts();
  h.crash();
  EXPECT_EQ(h.c->current_phase(), phase::staged);
  EXPECT_TRUE(h.acts().empty());
  h.now = *h.c->next_wakeup();
  EXPECT_EQ(h.now, at_unix(t0 + 86400 + 2 * 3600));
  h.c->tick(h.now);
  EXPECT_EQ(h.one<install_action>().package_path, "/p");
}

TEST(AgentCrash, InInstallingRecoversInsteadOfInstalling) {
  harness h;
  auto v = make_release(1);
  h.hear(v);
  (void)h.one<fetch_action>();
  h.c->on_fetched(v.release_hash, "/f", h.now);
  h.c->on_staged(v.release_hash, "/p", h.now);
  (void)h.one<install_action>();
  h.crash();
  EXPECT_EQ(h.c->current_phase(), phase::installing);
  auto& acts = h.acts();
  EXPECT_TRUE(only<install_action>(acts).empty());
  ASSERT_EQ(only<recover_action>(acts).size(), 1u);
  EXPECT_EQ(only<recover_action>(acts)[0].release_hash, v.release_hash);
  h.c->on_install_result(v.release_hash, {install_result::installed, false, false, "already current"}, h.now);
  EXPECT_EQ(h.c->current_phase(), phase::installed);
  h.crash();
  EXPECT_TRUE(h.acts().empty());
}

TEST(AgentCrash, InInstallingBeforeTheInstallerStartedInstallsAfterBackoff) {
  harness h;
  auto v = make_release(1);
  h.hear(v);
  (void)h.one<fetch_action>();
  h.c->on_fetched(v.release_hash, "/f", h.now);
  h.c->on_staged(v.release_hash, "/p", h.now);
  h.crash();
  (void)h.one<recover_action>();
  // The installer never saw it: it says so, and the core retries (installs are idempotent).
  h.c->on_install_result(v.release_hash, {install_result::failed, false, false, "unknown release"}, h.now);
  EXPECT_EQ(h.c->current_phase(), phase::failed);
  h.now = *h.c->next_wakeup();
  h.c->tick(h.now);
  EXPECT_EQ(h.one<install_action>().release_hash, v.release_hash);
}

TEST(AgentCrash, InFailedKeepsTheBackoff) {
  harness h;
  auto v = make_release(1);
  h.hear(v);
  (void)h.one<fetch_action>();
  h.c->on_fetch_failed(v.release_hash, "no providers", true, h.now);
  auto wake = *h.c->next_wakeup();
  h.crash();
  EXPECT_EQ(h.c->current_phase(), phase::failed);
  EXPECT_TRUE(h.acts().empty());
  EXPECT_EQ(h.c->next_wakeup(), wake);
  EXPECT_EQ(h.c->pending()->attempts, 1u);
  h.now = wake;
  h.c->tick(h.now);
  EXPECT_EQ(only<fetch_action>(h.acts()).size(), 1u);
}

TEST(AgentCrash, InPendingInstallKeepsPolling) {
  harness h;
  auto v = make_release(1);
  h.hear(v);
  (void)h.one<fetch_action>();
  h.c->on_fetched(v.release_hash, "/f", h.now);
  h.c->on_staged(v.release_hash, "/p", h.now);
  h.c->on_install_result(v.release_hash, {install_result::pending, false, false, "user asked"}, h.now);
  (void)h.acts();
  h.crash();
  EXPECT_EQ(h.one<recover_action>().release_hash, v.release_hash);
}

TEST(AgentCrash, AfterInstalledNothingRepeats) {
  harness h;
  auto v = make_release(1);
  h.hear(v);
  h.complete(v.release_hash);
  h.crash();
  EXPECT_EQ(h.c->current_phase(), phase::installed);
  EXPECT_TRUE(h.acts().empty());
  h.hear(v);
  EXPECT_TRUE(h.acts().empty());
  EXPECT_EQ(h.c->installed()->release_hash, v.release_hash);
}

TEST(AgentCrash, SaltAndBadMarksPersist) {
  harness h;
  bytes salt(h.c->salt().begin(), h.c->salt().end());
  auto v = make_release(1);
  h.hear(v);
  (void)h.one<fetch_action>();
  h.c->on_fetch_failed(v.release_hash, "artifact is not what the release says", false, h.now);
  h.crash();
  EXPECT_TRUE(equal(h.c->salt(), salt));
  h.hear(v);
  EXPECT_TRUE(h.acts().empty());
}

// A scripted driver that answers whatever the core asks, with an installer
// that remembers what it installed (as a real one does on disk).
struct scripted_driver {
  verified_release v;
  int installs = 0;        // install actions carried out
  bool installer_has = false;

  // Answers one round of actions; returns how many it answered.
  int answer(harness& h) {
    auto acts = h.c->take_actions();
    for (auto& a : acts) {
      if (std::holds_alternative<verify_action>(a)) {
        h.c->on_verified(v, heard_via::gossip, h.now);
      } else if (auto* f = std::get_if<fetch_action>(&a)) {
        h.c->on_fetched(f->release_hash, "/f", h.now);
      } else if (auto* s = std::get_if<stage_action>(&a)) {
        h.c->on_staged(s->release_hash, "/p", h.now);
      } else if (auto* i = std::get_if<install_action>(&a)) {
        ++installs;
        installer_has = true;
        h.c->on_install_result(i->release_hash, {install_result::installed, false, false, ""}, h.now);
      } else if (auto* r = std::get_if<recover_action>(&a)) {
        install_result res{installer_has ? install_result::installed : install_result::failed, false, false, ""};
        h.c->on_install_result(r->release_hash, res, h.now);
      }
    }
    return static_cast<int>(acts.size());
  }
};

// Crash after each single answered action of a full run (and, for the
// install, after the installer finished but before the core heard of it).
TEST(AgentCrash, AtEveryStepOfARunTheReleaseInstallsExactlyOnce) {
  for (int crash_at = 0; crash_at < 4; ++crash_at) {  // in announced, downloading, downloaded, installing
    SCOPED_TRACE("crash after step " + std::to_string(crash_at));
    harness h;
    scripted_driver d{make_release(1)};
    h.c->on_announce(to_bytes("bundle"), heard_via::gossip, h.now);
    int step = 0;
    bool crashed = false;
    for (int round = 0; round < 20 && h.c->current_phase() != phase::installed; ++round) {
      if (!crashed && step == crash_at) {
        h.crash();
        crashed = true;
      }
      if (d.answer(h) > 0) ++step;
      if (h.c->next_wakeup()) {
        h.now = *h.c->next_wakeup();
        h.c->tick(h.now);
      }
    }
    EXPECT_TRUE(crashed);
    EXPECT_EQ(h.c->current_phase(), phase::installed);
    EXPECT_EQ(d.installs, 1);
    h.crash();
    EXPECT_TRUE(h.c->take_actions().empty());
  }
}

TEST(AgentCrash, InstalledButUnrecordedIsRecoveredNotReinstalled) {
  harness h;
  scripted_driver d{make_release(1)};
  h.hear(d.v);
  (void)h.one<fetch_action>();
  h.c->on_fetched(d.v.release_hash, "/f", h.now);
  h.c->on_staged(d.v.release_hash, "/p", h.now);
  (void)h.one<install_action>();
  ++d.installs;  // the installer switched, then the process died before on_install_result
  d.installer_has = true;
  h.crash();
  while (d.answer(h) > 0) {}
  EXPECT_EQ(h.c->current_phase(), phase::installed);
  EXPECT_EQ(d.installs, 1);
}

}  // namespace
}  // namespace converge::agent::test
