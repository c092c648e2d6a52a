// The command hook installer with real /bin/sh hooks: exit codes, pending and
// status, timeouts, captured output, and its state across restarts.
#include <gtest/gtest.h>

#include "agent/command_installer.hpp"
#include "agent/installer_support.hpp"
#include "test_installer_util.hpp"

namespace converge::agent {
namespace {

using namespace test;

struct CommandTest : ::testing::Test {
  temp_dir t;
  fs::path log = t.path / "hook.log";
  fs::path answer = t.path / "answer";         // the exit code the hook returns for install
  fs::path status_answer = t.path / "status";  // ... and for status
  fs::path pkg = t.path / "app.apk";

  void SetUp() override {
    write_text(pkg, "apk bytes");
    write_script(t.path / "hook.sh",
                 "echo \"$1 $2 $3 action=$CONVERGE_ACTION pkg=$CONVERGE_PACKAGE rel=$CONVERGE_RELEASE ch=$CONVERGE_CHANNEL "
                 "ver=$CONVERGE_VERSION seq=$CONVERGE_SEQUENCE sha=$CONVERGE_SHA256 os=$CONVERGE_OS arch=$CONVERGE_ARCH "
                 "flag=$0\" >> " + log.string() + "\n"
                 "if [ \"$2\" = status ]; then f=" + status_answer.string() + "; else f=" + answer.string() + "; fi\n"
                 "code=0; [ -e \"$f\" ] && code=$(cat \"$f\")\necho \"hook says $code\"\nexit $code");
  }
  command_options options() {
    command_options o;
    o.command = {(t.path / "hook.sh").string(), "--flag"};
    o.timeout = std::chrono::seconds(20);
    o.state_file = t.path / "state" / "installer.json";
    return o;
  }
  std::unique_ptr<command_installer> open(command_options o) {
    auto r = command_installer::open(std::move(o));
    EXPECT_TRUE(r) << r.error().message();
    return r ? std::move(*r) : nullptr;
  }
  std::unique_ptr<command_installer> open() { return open(options()); }
  install_request req(const std::string& hash, std::uint64_t seq = 1) {
    auto r = request(hash, pkg, seq);
    r.sha256_hex = "abc123";
    r.os = "android";
    r.arch = "arm64";
    return r;
  }
  std::vector<std::string> lines() {
    std::vector<std::string> out;
    std::string cur;
    for (char c : read_text(log)) {
      if (c == '\n') {
        out.push_back(cur);
        cur.clear();
      } else {
        cur += c;
      }
    }
    return out;
  }
};

TEST_F(CommandTest, ExitZeroInstallsWithArgumentsAndEnvironment) {
  auto inst = open();
  auto r = inst->install(req("r1"));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->state, install_report::installed);
  EXPECT_NE(r->message.find("hook says 0"), std::string::npos) << r->message;
  ASSERT_EQ(lines().size(), 1u);
  EXPECT_EQ(lines()[0], "--flag install " + pkg.string() + " action=install pkg=" + pkg.string() + " rel=r1 ch=stable ver=1.0.1 seq=1 sha=abc123 os=android arch=arm64 flag=" +
                            (t.path / "hook.sh").string());
  EXPECT_EQ(*inst->current_release(), "r1");

  // Idempotent, also after a restart.
  EXPECT_EQ(inst->install(req("r1"))->state, install_report::installed);
  inst.reset();
  inst = open();
  EXPECT_EQ(*inst->current_release(), "r1");
  EXPECT_EQ(inst->install(req("r1"))->state, install_report::installed);
  EXPECT_EQ(inst->status("r1")->state, install_report::installed);
  EXPECT_EQ(lines().size(), 1u);
}

TEST_F(CommandTest, TempfailIsRetryable) {
  auto inst = open();
  write_text(answer, "75");
  auto r = inst->install(req("r1"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->state, install_report::failed);
  EXPECT_FALSE(r->permanent);
  EXPECT_NE(r->message.find("exit 75"), std::string::npos);
  EXPECT_EQ(inst->status("r1")->state, install_report::failed);
  fs::remove(answer);
  EXPECT_EQ(inst->install(req("r1"))->state, install_report::installed);
  EXPECT_EQ(lines().size(), 2u);
}

TEST_F(CommandTest, OtherExitCodesArePermanent) {
  auto inst = open();
  write_text(answer, "3");
  auto r = inst->install(req("r1"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->state, install_report::failed);
  EXPECT_TRUE(r->permanent);
  fs::remove(answer);
  inst.reset();
  inst = open();
  auto again = inst->install(req("r1"));
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->permanent);
  EXPECT_NE(again->message.find("marked bad"), std::string::npos);
  EXPECT_EQ(lines().size(), 1u);   // not run again
  EXPECT_TRUE(inst->status("r1")->permanent);
}

TEST_F(CommandTest, PendingThenStatusAsksTheHook) {
  auto inst = open();
  write_text(answer, "76");
  write_text(status_answer, "76");
  auto r = inst->install(req("r1"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->state, install_report::pending);
  EXPECT_EQ(*inst->current_release(), "");

  auto s = inst->status("r1");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->state, install_report::pending);
  // install() again while pending asks for the status; it never hands the package over twice.
  EXPECT_EQ(inst->install(req("r1"))->state, install_report::pending);
  auto l = lines();
  ASSERT_EQ(l.size(), 3u);
  EXPECT_EQ(l[1].substr(0, 22), "--flag status r1 actio");
  EXPECT_EQ(l[2].substr(0, 16), "--flag status r1");

  // The platform finished; a restart in between changes nothing.
  inst.reset();
  inst = open();
  write_text(status_answer, "0");
  auto done = inst->status("r1");
  ASSERT_TRUE(done);
  EXPECT_EQ(done->state, install_report::installed);
  EXPECT_EQ(*inst->current_release(), "r1");
  EXPECT_EQ(inst->status("r1")->state, install_report::installed);
  EXPECT_EQ(lines().size(), 4u);
}

TEST_F(CommandTest, PendingThatTheUserRefuses) {
  auto inst = open();
  write_text(answer, "76");
  ASSERT_EQ(inst->install(req("r1"))->state, install_report::pending);
  write_text(status_answer, "1");
  auto s = inst->status("r1");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->state, install_report::failed);
  EXPECT_TRUE(s->permanent);
}

TEST_F(CommandTest, PendingThatFailsRetryablyIsInstalledAgain) {
  auto inst = open();
  write_text(answer, "76");
  ASSERT_EQ(inst->install(req("r1"))->state, install_report::pending);
  write_text(status_answer, "75");
  fs::remove(answer);
  auto r = inst->install(req("r1"));   // status says failed-retryable: install runs again
  ASSERT_TRUE(r);
  EXPECT_EQ(r->state, install_report::installed);
  auto l = lines();
  ASSERT_EQ(l.size(), 3u);
  EXPECT_EQ(l[2].substr(0, 14), "--flag install");
}

TEST_F(CommandTest, CrashWhileTheHookRanAsksForStatus) {
  // The state file as a crash during the hook leaves it: the record says installing.
  {
    auto inst = open();
    ASSERT_EQ(inst->install(req("r0"))->state, install_report::installed);
  }
  auto text = read_text(options().state_file);
  auto pos = text.find("\"state\": \"installed\"");
  ASSERT_NE(pos, std::string::npos) << text;
  text.replace(pos, std::string("\"state\": \"installed\"").size(), "\"state\": \"installing\"");
  auto cur = text.find("\"current\": \"r0\"");
  ASSERT_NE(cur, std::string::npos);
  text.replace(cur, std::string("\"current\": \"r0\"").size(), "\"current\": \"\"");
  write_text(options().state_file, text);

  auto inst = open();
  EXPECT_EQ(*inst->current_release(), "");
  write_text(status_answer, "0");
  auto s = inst->status("r0");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->state, install_report::installed);
  EXPECT_EQ(lines().back().substr(0, 16), "--flag status r0");
}

TEST_F(CommandTest, TimeoutKillsTheProcessGroup) {
  auto o = options();
  auto pidfile = t.path / "bg.pid";
  o.command = {"/bin/sh", "-c", "sleep 60 & echo $! > " + pidfile.string() + "; echo working; wait", "hook"};
  o.timeout = std::chrono::milliseconds(300);
  auto inst = open(o);
  auto r = inst->install(req("r1"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->state, install_report::failed);
  EXPECT_FALSE(r->permanent);
  EXPECT_NE(r->message.find("timed out after 300 ms"), std::string::npos) << r->message;
  EXPECT_NE(r->message.find("working"), std::string::npos) << r->message;
  EXPECT_TRUE(process_gone(read_text(pidfile)));
}

TEST_F(CommandTest, BackgroundChildrenDoNotOutliveTheHook) {
  auto o = options();
  auto pidfile = t.path / "bg.pid";
  // Exits at once, leaving a child that holds stdout open.
  o.command = {"/bin/sh", "-c", "sleep 60 & echo $! > " + pidfile.string() + "; exit 0", "hook"};
  auto inst = open(o);
  auto r = inst->install(req("r1"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->state, install_report::installed);
  EXPECT_TRUE(process_gone(read_text(pidfile)));
}

TEST_F(CommandTest, OutputIsBounded) {
  auto o = options();
  o.command = {"/bin/sh", "-c", "i=0; while [ $i -lt 2000 ]; do echo 0123456789012345678901234567890123456789; i=$((i+1)); done; exit 75"};
  auto inst = open(o);
  auto r = inst->install(req("r1"));
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->permanent);
  EXPECT_LT(r->message.size(), 9000u);
  EXPECT_NE(r->message.find("more bytes of output dropped"), std::string::npos);
}

TEST_F(CommandTest, HookThatCannotStart) {
  auto o = options();
  o.command = {(t.path / "no-such-hook").string()};
  auto inst = open(o);
  auto r = inst->install(req("r1"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, make_error_code(installer_errc::spawn_failed));
  auto s = inst->status("r1");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->state, install_report::failed);
  EXPECT_FALSE(s->permanent);
}

TEST_F(CommandTest, BadInputsAndState) {
  auto inst = open();
  EXPECT_FALSE(inst->install(req("")));
  auto missing = req("r1");
  missing.package_path = (t.path / "none").string();
  auto r = inst->install(missing);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, make_error_code(installer_errc::bad_request));
  auto unknown = inst->status("nope");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->state, install_report::failed);
  EXPECT_EQ(unknown->message, "unknown release");
  inst.reset();
  write_text(options().state_file, "[1, 2");
  auto torn = command_installer::open(options());
  ASSERT_FALSE(torn);
  EXPECT_EQ(torn.error().code, make_error_code(installer_errc::state_corrupt));
  auto rel = options();
  rel.command = {"hook.sh"};
  EXPECT_FALSE(command_installer::open(rel));
}

TEST_F(CommandTest, RecordsAreBounded) {
  auto o = options();
  o.max_records = 3;
  auto inst = open(o);
  write_text(answer, "9");
  for (int i = 0; i < 6; ++i) EXPECT_TRUE(inst->install(req("r" + std::to_string(i)))->permanent);
  fs::remove(answer);
  // r0 was forgotten (it is tried again), r5 is remembered.
  EXPECT_TRUE(inst->install(req("r5"))->permanent);
  EXPECT_EQ(inst->install(req("r0"))->state, install_report::installed);
  auto text = read_text(o.state_file);
  EXPECT_EQ(text.find("\"r1\""), std::string::npos);
}

TEST(RunProcess, ExitSignalAndEnvironment) {
  process_spec spec;
  spec.argv = {"/bin/sh", "-c", "echo \"$FOO\"; kill -9 $$"};
  spec.env = {{"FOO", "bar"}};
  auto r = run_process(spec);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->signal, 9);
  EXPECT_EQ(r->output, "bar\n");
  EXPECT_EQ(describe(*r, spec), "killed by signal 9: bar");
  spec.argv = {"/bin/sh", "-c", "exit 7"};
  r = run_process(spec);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->exited_with(7));
  spec.argv = {"sh", "-c", "true"};
  EXPECT_FALSE(run_process(spec));
  // stdin is /dev/null and no descriptor beyond 2 is inherited.
  spec.argv = {"/bin/sh", "-c", "cat; ls /proc/self/fd | wc -l"};
  r = run_process(spec);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->output, "4\n");   // 0, 1, 2 and the one ls opens to read the directory
}

}  // namespace
}  // namespace converge::agent
