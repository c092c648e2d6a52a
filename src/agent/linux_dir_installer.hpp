#pragma once
// The Linux directory installer: A/B slots under one directory.
//
//   <dir>/slots/a, <dir>/slots/b   the two slots (an unpacked archive or one file)
//   <dir>/current                  symlink "slots/a" or "slots/b": the active slot,
//                                  replaced atomically (temp symlink, rename(2), fsync of <dir>)
//   <dir>/state.json               which release is in which slot, the previous slot,
//                                  the install in progress and the releases marked bad
//                                  (written atomically: temp file, fsync, rename, fsync)
//   <dir>/lock                     flock: one installer per directory
//
// install(): record the intent, clear the inactive slot, unpack or copy the package
// into it, fsync, record "prepared", switch `current`, run the health check, then
// record the release as installed. When the health check fails: record "rolling
// back", switch back to the previous slot (or remove `current` when there was
// none), mark the release bad; the report is failed + permanent + rolled_back and
// later installs of that release are refused without trying.
//
// Crash safety: the symlink is the truth about what is active, the state file the
// truth about what was being done. After a crash, the next call (install, status or
// current_release) first finishes the interrupted install: before the switch it is
// dropped (the old slot stayed active; status says failed, not permanent, and a new
// install() redoes it); after the switch the health check runs again and the install
// is committed or rolled back; during a rollback the rollback is completed.
//
// The health check runs as argv (no shell unless argv is /bin/sh -c ...), in the new
// slot's directory, with CONVERGE_SLOT_DIR, CONVERGE_RELEASE, CONVERGE_VERSION and
// CONVERGE_SEQUENCE set; exit 0 is healthy; on timeout its process group is killed.
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "agent/installer.hpp"
#include "agent/installer_archive.hpp"

namespace converge::agent {

struct linux_dir_options {
  std::filesystem::path dir;                 // absolute
  std::vector<std::string> health_check;     // empty: no health check
  std::chrono::milliseconds health_timeout{30'000};
  bool unpack = true;                        // "auto": unpack archives (by the target's file name); false: copy
  unpack_limits limits;
  std::size_t max_bad = 1000;                // releases remembered as bad (the oldest are forgotten)
};

// The points install() passes; the test hook may stop it after any of them.
enum class install_step {
  intent_recorded,     // state.json names the release and the slot being prepared
  slot_cleared,
  package_written,     // unpacked or copied, fsynced
  prepared_recorded,
  switched,            // `current` points at the new slot
  health_checked,      // the check ran (pass or fail), nothing recorded yet
  rollback_recorded,   // failed check: state.json says rolling back
  switched_back,
};
std::string_view to_string(install_step s);

class linux_dir_installer final : public installer {
 public:
  // Creates <dir>, <dir>/slots/{a,b} as needed, takes the lock, reads state.json.
  static result<std::unique_ptr<linux_dir_installer>> open(linux_dir_options opts);
  ~linux_dir_installer() override;
  linux_dir_installer(const linux_dir_installer&) = delete;
  linux_dir_installer& operator=(const linux_dir_installer&) = delete;

  [[nodiscard]] std::string_view kind() const override { return "linux-dir"; }
  result<install_report> install(const install_request& r) override;
  result<install_report> status(const std::string& release_hash) override;
  result<std::string> current_release() override;

  // Test hook: called after each step of install() (and of recovery); when it returns
  // false, install() stops right there as if the process had died: it returns an
  // error and neither finishes nor undoes anything.
  void set_step_hook(std::function<bool(install_step)> hook) { hook_ = std::move(hook); }

  // The active slot's directory ("" when none), e.g. for the driver's status output.
  [[nodiscard]] result<std::filesystem::path> active_dir() const;

  struct state;   // state.json, defined in the .cpp

 private:
  linux_dir_installer(linux_dir_options opts, int lock_fd);
  result<void> recover();
  result<install_report> finish_after_switch(const std::string& reason_prefix);
  result<install_report> roll_back(std::string reason);
  result<void> save();
  result<void> switch_to(const std::string& slot);
  bool step(install_step s) { return !hook_ || hook_(s); }

  linux_dir_options opts_;
  int lock_fd_ = -1;
  std::unique_ptr<state> st_;
  std::function<bool(install_step)> hook_;
};

}  // namespace converge::agent
