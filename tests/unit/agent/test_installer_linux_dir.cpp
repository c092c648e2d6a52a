// The A/B directory installer with real files, real health-check processes and
// real archives: install, switch, health check, rollback, idempotence, and a
// crash after every step (the process "dies" via the step hook, the installer
// is reopened from disk).
#include <gtest/gtest.h>

#include "agent/linux_dir_installer.hpp"
#include "test_installer_util.hpp"

namespace converge::agent {
namespace {

using namespace test;

struct LinuxDirTest : ::testing::Test {
  temp_dir t;
  fs::path dir = t.path / "install";
  fs::path health_log = t.path / "health.log";
  fs::path fail_flag = t.path / "fail-health";

  // The health check appends its environment and cwd to health.log and fails
  // while fail-health exists.
  fs::path health_script() {
    return write_script(t.path / "health.sh",
                        "echo \"$CONVERGE_RELEASE $CONVERGE_VERSION $CONVERGE_SEQUENCE $CONVERGE_SLOT_DIR $(pwd)\" >> " +
                            health_log.string() + "\nif [ -e " + fail_flag.string() +
                            " ]; then echo 'unhealthy: missing file' >&2; exit 3; fi\nexit 0");
  }

  linux_dir_options options() {
    linux_dir_options o;
    o.dir = dir;
    o.health_check = {health_script().string()};
    o.health_timeout = std::chrono::seconds(20);
    return o;
  }

  std::unique_ptr<linux_dir_installer> open(linux_dir_options o) {
    auto r = linux_dir_installer::open(std::move(o));
    EXPECT_TRUE(r) << r.error().message();
    return r ? std::move(*r) : nullptr;
  }
  std::unique_ptr<linux_dir_installer> open() { return open(options()); }

  fs::path package(const std::string& name, const std::string& version) {
    auto p = t.path / "pkgs" / name;
    fs::create_directories(p.parent_path());
    build_archive(p, {dir_entry("bin"), file_entry("bin/app", "#!/bin/sh\necho " + version + "\n", 0755),
                      file_entry("VERSION", version)});
    return p;
  }

  std::string active_version() {
    auto link = dir / "current";
    if (!fs::exists(link)) return "";
    return read_text(link / "VERSION");
  }
  std::string current(installer& i) {
    auto c = i.current_release();
    EXPECT_TRUE(c) << c.error().message();
    return c ? *c : "?";
  }
};

TEST_F(LinuxDirTest, InstallsIntoSlotsAndSwitches) {
  auto inst = open();
  auto r1 = inst->install(request("r1", package("app-1.tar.gz", "v1"), 1));
  ASSERT_TRUE(r1) << r1.error().message();
  EXPECT_EQ(r1->state, install_report::installed) << r1->message;
  EXPECT_EQ(fs::read_symlink(dir / "current"), "slots/a");
  EXPECT_EQ(active_version(), "v1");
  EXPECT_EQ(current(*inst), "r1");
  EXPECT_EQ(read_text(health_log), "r1 1.0.1 1 " + (dir / "slots/a").string() + " " + (dir / "slots/a").string() + "\n");

  auto r2 = inst->install(request("r2", package("app-2.tar.zst", "v2"), 2));
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->state, install_report::installed) << r2->message;
  EXPECT_EQ(fs::read_symlink(dir / "current"), "slots/b");
  EXPECT_EQ(active_version(), "v2");
  EXPECT_EQ(current(*inst), "r2");
  auto s1 = inst->status("r1");
  ASSERT_TRUE(s1);
  EXPECT_EQ(s1->state, install_report::failed);
  EXPECT_FALSE(s1->permanent);
  EXPECT_NE(s1->message.find("previous slot a"), std::string::npos) << s1->message;

  // The third release reuses slot a, cleared first.
  write_text(dir / "slots/a/leftover", "old");
  auto r3 = inst->install(request("r3", package("app-3.zip", "v3"), 3));
  ASSERT_TRUE(r3);
  EXPECT_EQ(r3->state, install_report::installed) << r3->message;
  EXPECT_EQ(fs::read_symlink(dir / "current"), "slots/a");
  EXPECT_FALSE(fs::exists(dir / "slots/a/leftover"));
  EXPECT_EQ(active_version(), "v3");

  // Reopened from disk, it knows the same.
  inst.reset();
  inst = open();
  EXPECT_EQ(current(*inst), "r3");
  auto s3 = inst->status("r3");
  ASSERT_TRUE(s3);
  EXPECT_EQ(s3->state, install_report::installed);
}

TEST_F(LinuxDirTest, SingleFileKeepsTargetName) {
  auto inst = open();
  write_text(t.path / "download.bin", "binary", true);
  auto req = request("r1", t.path / "download.bin", 1, "linux/x86_64/converge-app");
  auto r = inst->install(req);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->state, install_report::installed) << r->message;
  EXPECT_EQ(read_text(dir / "current" / "converge-app"), "binary");

  // unpack "none": an archive is copied as it is.
  linux_dir_options o = options();
  o.dir = t.path / "other";
  auto copy = open(o);
  copy.reset();
  o.unpack = false;
  copy = open(o);
  auto r2 = copy->install(request("r2", package("app.tar.gz", "v"), 2));
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->state, install_report::installed);
  EXPECT_TRUE(fs::is_regular_file(o.dir / "current" / "app.tar.gz"));
}

TEST_F(LinuxDirTest, IdempotentInstall) {
  auto inst = open();
  auto pkg = package("app.tar.gz", "v1");
  ASSERT_EQ(inst->install(request("r1", pkg, 1))->state, install_report::installed);
  auto again = inst->install(request("r1", pkg, 1));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->state, install_report::installed);
  EXPECT_NE(again->message.find("already installed"), std::string::npos);
  EXPECT_EQ(count_lines(health_log), 1u);   // the health check did not run again
  EXPECT_EQ(fs::read_symlink(dir / "current"), "slots/a");
  inst.reset();
  inst = open();
  EXPECT_EQ(inst->install(request("r1", pkg, 1))->state, install_report::installed);
  EXPECT_EQ(count_lines(health_log), 1u);
}

TEST_F(LinuxDirTest, HealthCheckFailureRollsBackAndMarksBad) {
  auto inst = open();
  ASSERT_EQ(inst->install(request("r1", package("app-1.tar.gz", "v1"), 1))->state, install_report::installed);
  write_text(fail_flag, "");
  auto r2 = inst->install(request("r2", package("app-2.tar.gz", "v2"), 2));
  ASSERT_TRUE(r2) << r2.error().message();
  EXPECT_EQ(r2->state, install_report::failed);
  EXPECT_TRUE(r2->permanent);
  EXPECT_TRUE(r2->rolled_back);
  EXPECT_NE(r2->message.find("health check failed: exit 3: unhealthy: missing file"), std::string::npos) << r2->message;
  EXPECT_NE(r2->message.find("rolled back to slot a"), std::string::npos) << r2->message;
  EXPECT_EQ(fs::read_symlink(dir / "current"), "slots/a");
  EXPECT_EQ(active_version(), "v1");
  EXPECT_EQ(current(*inst), "r1");

  // Never retried, even after a restart and with a healthy system.
  fs::remove(fail_flag);
  inst.reset();
  inst = open();
  auto again = inst->install(request("r2", package("app-2.tar.gz", "v2"), 2));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->state, install_report::failed);
  EXPECT_TRUE(again->permanent);
  EXPECT_NE(again->message.find("marked bad"), std::string::npos);
  EXPECT_EQ(count_lines(health_log), 2u);
  auto st = inst->status("r2");
  ASSERT_TRUE(st);
  EXPECT_EQ(st->state, install_report::failed);
  EXPECT_TRUE(st->permanent);
  EXPECT_TRUE(st->rolled_back);

  // A later release installs normally into the slot the bad one used.
  auto r3 = inst->install(request("r3", package("app-3.tar.gz", "v3"), 3));
  ASSERT_TRUE(r3);
  EXPECT_EQ(r3->state, install_report::installed);
  EXPECT_EQ(fs::read_symlink(dir / "current"), "slots/b");
}

TEST_F(LinuxDirTest, FirstInstallFailingLeavesNothingActive) {
  auto inst = open();
  write_text(fail_flag, "");
  auto r = inst->install(request("r1", package("app.tar.gz", "v1"), 1));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->state, install_report::failed);
  EXPECT_TRUE(r->rolled_back);
  EXPECT_NE(r->message.find("no active slot"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir / "current"));
  EXPECT_FALSE(fs::is_symlink(dir / "current"));
  EXPECT_EQ(current(*inst), "");
}

TEST_F(LinuxDirTest, HealthCheckTimeoutKillsItsProcessGroup) {
  auto o = options();
  auto pidfile = t.path / "bg.pid";
  o.health_check = {"/bin/sh", "-c", "sleep 60 & echo $! > " + pidfile.string() + "; echo started; wait"};
  o.health_timeout = std::chrono::milliseconds(300);
  auto inst = open(o);
  auto r = inst->install(request("r1", package("app.tar.gz", "v1"), 1));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->state, install_report::failed);
  EXPECT_TRUE(r->permanent);
  EXPECT_TRUE(r->rolled_back);
  EXPECT_NE(r->message.find("timed out after 300 ms"), std::string::npos) << r->message;
  EXPECT_NE(r->message.find("started"), std::string::npos) << r->message;
  EXPECT_TRUE(process_gone(read_text(pidfile)));
}

TEST_F(LinuxDirTest, HealthCheckThatCannotStartRollsBackWithoutMarkingBad) {
  auto o = options();
  o.health_check = {(t.path / "missing-check").string()};
  auto inst = open(o);
  auto r = inst->install(request("r1", package("app.tar.gz", "v1"), 1));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->state, install_report::failed);
  EXPECT_FALSE(r->permanent);
  EXPECT_TRUE(r->rolled_back);
  EXPECT_NE(r->message.find("health check could not start"), std::string::npos) << r->message;
  inst.reset();
  inst = open();   // fixed configuration: the release installs
  auto again = inst->install(request("r1", package("app.tar.gz", "v1"), 1));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->state, install_report::installed) << again->message;
}

TEST_F(LinuxDirTest, HostileArchiveIsRefusedAndMarkedBad) {
  auto inst = open();
  ASSERT_EQ(inst->install(request("r1", package("app-1.tar.gz", "v1"), 1))->state, install_report::installed);
  auto evil = t.path / "evil.tar.gz";
  build_archive(evil, {file_entry("ok", "x"), file_entry("../../escaped", "x")});
  auto r = inst->install(request("r2", evil, 2));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->state, install_report::failed);
  EXPECT_TRUE(r->permanent);
  EXPECT_FALSE(r->rolled_back);
  EXPECT_NE(r->message.find("\"..\" in the path"), std::string::npos) << r->message;
  EXPECT_FALSE(fs::exists(dir / "escaped"));
  EXPECT_FALSE(fs::exists(t.path / "escaped"));
  EXPECT_EQ(fs::read_symlink(dir / "current"), "slots/a");
  EXPECT_EQ(count_lines(health_log), 1u);
  auto again = inst->install(request("r2", evil, 2));
  EXPECT_TRUE(again && again->permanent);
}

TEST_F(LinuxDirTest, Sha256MismatchFailsRetryably) {
  auto inst = open();
  auto pkg = package("app.tar.gz", "v1");
  auto req = request("r1", pkg, 1);
  req.sha256_hex = std::string(64, '0');
  auto r = inst->install(req);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->state, install_report::failed);
  EXPECT_FALSE(r->permanent);
  EXPECT_NE(r->message.find("expected 0000"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir / "current"));
  auto sum = std::string(r->message.substr(r->message.find("sha256 is ") + 10, 64));
  req.sha256_hex = sum;
  auto ok = inst->install(req);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->state, install_report::installed) << ok->message;
}

TEST_F(LinuxDirTest, BadRequestsAndStates) {
  auto inst = open();
  auto pkg = package("app.tar.gz", "v1");
  auto no_hash = inst->install(request("", pkg));
  ASSERT_FALSE(no_hash);
  EXPECT_EQ(no_hash.error().code, make_error_code(installer_errc::bad_request));
  EXPECT_FALSE(inst->install(request("r/../x", pkg)));
  auto no_file = inst->install(request("r1", t.path / "nope.tar.gz"));
  ASSERT_FALSE(no_file);
  EXPECT_EQ(no_file.error().code, make_error_code(installer_errc::bad_request));
  auto unknown = inst->status("zzz");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->state, install_report::failed);
  EXPECT_FALSE(unknown->permanent);

  // One installer per directory.
  auto second = linux_dir_installer::open(options());
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().detail.find("lock held"), std::string::npos);
  inst.reset();

  write_text(dir / "state.json", "{\"version\": 1, \"slots\": ");
  auto torn = linux_dir_installer::open(options());
  ASSERT_FALSE(torn);
  EXPECT_EQ(torn.error().code, make_error_code(installer_errc::state_corrupt));
  fs::remove(dir / "state.json");

  fs::create_directory_symlink("/etc", dir / "current");
  inst = open();
  auto cur = inst->current_release();
  ASSERT_FALSE(cur);
  EXPECT_EQ(cur.error().code, make_error_code(installer_errc::state_corrupt));
}

TEST_F(LinuxDirTest, BadListIsBounded) {
  auto o = options();
  o.max_bad = 1;
  auto inst = open(o);
  write_text(fail_flag, "");
  EXPECT_TRUE(inst->install(request("r1", package("a.tar.gz", "v1"), 1))->permanent);
  EXPECT_TRUE(inst->install(request("r2", package("b.tar.gz", "v2"), 2))->permanent);
  // r1 was forgotten: it is tried (and fails) again; r2 is still refused without a check.
  EXPECT_EQ(count_lines(health_log), 2u);
  inst->install(request("r2", package("b.tar.gz", "v2"), 2));
  EXPECT_EQ(count_lines(health_log), 2u);
  inst->install(request("r1", package("a.tar.gz", "v1"), 1));
  EXPECT_EQ(count_lines(health_log), 3u);
}

// A crash after each step of an install whose health check passes: afterwards
// exactly the old or the new slot is active, status() says which, and install()
// completes the job without repeating a finished one.
TEST_F(LinuxDirTest, CrashAfterEachStepOfAHealthyInstall) {
  for (auto stop : {install_step::intent_recorded, install_step::slot_cleared, install_step::package_written,
                    install_step::prepared_recorded, install_step::switched, install_step::health_checked}) {
    SCOPED_TRACE(std::string(to_string(stop)));
    fs::remove_all(dir);
    fs::remove(health_log);
    auto inst = open();
    ASSERT_EQ(inst->install(request("r1", package("app-1.tar.gz", "v1"), 1))->state, install_report::installed);
    inst->set_step_hook([&](install_step s) { return s != stop; });
    auto crashed = inst->install(request("r2", package("app-2.tar.gz", "v2"), 2));
    ASSERT_FALSE(crashed);
    EXPECT_NE(crashed.error().detail.find(to_string(stop)), std::string::npos);
    inst.reset();

    const bool after_switch = stop == install_step::switched || stop == install_step::health_checked;
    EXPECT_EQ(active_version(), after_switch ? "v2" : "v1");
    inst = open();
    auto st = inst->status("r2");
    ASSERT_TRUE(st) << st.error().message();
    if (after_switch) {
      // The health check runs again on recovery; it passes, so the new slot stays.
      EXPECT_EQ(st->state, install_report::installed) << st->message;
      EXPECT_EQ(current(*inst), "r2");
      EXPECT_EQ(active_version(), "v2");
    } else {
      EXPECT_EQ(st->state, install_report::failed);
      EXPECT_FALSE(st->permanent);
      EXPECT_NE(st->message.find("interrupted before the switch"), std::string::npos) << st->message;
      EXPECT_EQ(current(*inst), "r1");
      EXPECT_EQ(active_version(), "v1");
      auto redo = inst->install(request("r2", package("app-2.tar.gz", "v2"), 2));
      ASSERT_TRUE(redo);
      EXPECT_EQ(redo->state, install_report::installed) << redo->message;
    }
    auto checks = count_lines(health_log);
    auto again = inst->install(request("r2", package("app-2.tar.gz", "v2"), 2));
    ASSERT_TRUE(again);
    EXPECT_EQ(again->state, install_report::installed);
    EXPECT_EQ(count_lines(health_log), checks);   // not repeated
    EXPECT_EQ(fs::read_symlink(dir / "current"), "slots/b");
    EXPECT_FALSE(fs::exists(dir / "current.tmp"));
  }
}

// A crash after each step of an install whose health check fails: the old slot
// ends up active and the release marked bad, whichever step the crash hit.
TEST_F(LinuxDirTest, CrashAfterEachStepOfAFailingInstall) {
  for (auto stop : {install_step::switched, install_step::health_checked, install_step::rollback_recorded,
                    install_step::switched_back}) {
    SCOPED_TRACE(std::string(to_string(stop)));
    fs::remove_all(dir);
    fs::remove(fail_flag);
    auto inst = open();
    ASSERT_EQ(inst->install(request("r1", package("app-1.tar.gz", "v1"), 1))->state, install_report::installed);
    write_text(fail_flag, "");
    inst->set_step_hook([&](install_step s) { return s != stop; });
    ASSERT_FALSE(inst->install(request("r2", package("app-2.tar.gz", "v2"), 2)));
    inst.reset();

    inst = open();
    EXPECT_EQ(current(*inst), "r1");
    EXPECT_EQ(active_version(), "v1");
    auto st = inst->status("r2");
    ASSERT_TRUE(st) << st.error().message();
    EXPECT_EQ(st->state, install_report::failed);
    EXPECT_TRUE(st->permanent);
    EXPECT_TRUE(st->rolled_back);
    auto again = inst->install(request("r2", package("app-2.tar.gz", "v2"), 2));
    ASSERT_TRUE(again);
    EXPECT_TRUE(again->permanent);
    EXPECT_EQ(fs::read_symlink(dir / "current"), "slots/a");
  }
}

// A crash after the switch when the health check now fails on recovery: rolled back.
TEST_F(LinuxDirTest, RecoveryRunsTheHealthCheckAgain) {
  auto inst = open();
  ASSERT_EQ(inst->install(request("r1", package("app-1.tar.gz", "v1"), 1))->state, install_report::installed);
  inst->set_step_hook([](install_step s) { return s != install_step::switched; });
  ASSERT_FALSE(inst->install(request("r2", package("app-2.tar.gz", "v2"), 2)));
  inst.reset();
  write_text(fail_flag, "");
  inst = open();
  auto cur = inst->current_release();   // any call recovers first
  ASSERT_TRUE(cur);
  EXPECT_EQ(*cur, "r1");
  auto st = inst->status("r2");
  ASSERT_TRUE(st);
  EXPECT_TRUE(st->permanent);
  EXPECT_TRUE(st->rolled_back);
  EXPECT_NE(st->message.find("after an interrupted install"), std::string::npos) << st->message;
}

}  // namespace
}  // namespace converge::agent
