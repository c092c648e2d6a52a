#pragma once
// The command hook installer: hands the package to a configured program.
//
// Install:  <command...> install <package path>
// Status:   <command...> status <release hash>
// Both with the environment CONVERGE_ACTION (install|status), CONVERGE_PACKAGE,
// CONVERGE_RELEASE, CONVERGE_CHANNEL, CONVERGE_VERSION, CONVERGE_SEQUENCE,
// CONVERGE_SHA256, CONVERGE_OS, CONVERGE_ARCH (for status: the values of the
// install request it asks about).
//
// Exit codes (of either action):
//   0   installed
//   75  failed, retryable (EX_TEMPFAIL): the agent tries again after its backoff
//   76  pending: the platform finishes later (an OS installer waiting for the
//       user, a reboot); the agent asks again with `status`, whose answer uses
//       these same codes
//   any other code, or death by a signal: failed, permanent (never retried)
// A hook that runs longer than timeout_s is killed with its whole process group
// and the attempt is failed, retryable. The first 8 KiB of stdout+stderr go into
// the report's message.
//
// The state file records, per release, the request and the last outcome, and
// the current release, before and after the hook runs: after a restart install()
// of the current release reports installed without running the hook, install()
// of a pending (or interrupted) release asks the hook for its status instead of
// installing it twice, and a permanent failure is reported without running it.
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "agent/installer.hpp"

namespace converge::agent {

inline constexpr int hook_exit_retry = 75;
inline constexpr int hook_exit_pending = 76;

struct command_options {
  std::vector<std::string> command;          // argv; argv[0] absolute
  std::chrono::milliseconds timeout{600'000};
  std::filesystem::path state_file;          // absolute
  std::size_t max_records = 64;              // releases remembered (the oldest finished ones go first)
};

class command_installer final : public installer {
 public:
  static result<std::unique_ptr<command_installer>> open(command_options opts);
  ~command_installer() override;
  command_installer(const command_installer&) = delete;
  command_installer& operator=(const command_installer&) = delete;

  [[nodiscard]] std::string_view kind() const override { return "command"; }
  result<install_report> install(const install_request& r) override;
  result<install_report> status(const std::string& release_hash) override;
  result<std::string> current_release() override;

  struct state;

 private:
  explicit command_installer(command_options opts);
  result<install_report> run_hook(const install_request& r, bool is_status);
  result<void> save();

  command_options opts_;
  std::unique_ptr<state> st_;
};

}  // namespace converge::agent
