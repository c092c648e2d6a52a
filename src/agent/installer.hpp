#pragma once
// The installer interface: what the update agent's driver calls once a package
// is staged (downloaded, delta applied, length and sha256 checked).
//
// Outcomes and errors:
// - install()/status() return an install_report for every outcome of the
//   install itself: installed, pending (the platform finishes later) or failed
//   (permanent: never retry this release; rolled_back: the previous version is
//   active again). The message says what happened, for people and logs.
// - An error (result without a value) means the installer itself could not
//   work (its state file is unreadable, a directory cannot be created, the hook
//   cannot be started). Nothing is marked bad; the driver retries later.
//
// Threading: one installer instance is used from one thread at a time (the
// driver's worker thread); calls block while a hook or health check runs.
//
// Crash safety: every installer records what it is doing in a state file
// before doing it, so after a crash status(release_hash) reports the truth
// (finishing or undoing the interrupted step first when needed), and install()
// of the release that is current reports installed without repeating it.
//
// Platforms whose OS installs asynchronously (Android PackageInstaller,
// HarmonyOS bundle manager, iOS/MDM) fit this interface as follows, and the
// command installer already behaves this way (exit code 76):
// - install() hands the package to the OS and returns `pending` at once
//   (the OS may ask the user; that can take days).
// - The driver keeps the attempt in its installing phase and later calls
//   status(release_hash) (at its poll interval, at start-up, or when the
//   platform layer wakes it because the OS delivered a result). status()
//   answers pending until the OS reports, then installed or failed.
// - A repeated install() of a release that is pending must not hand it to the
//   OS a second time: it reports the pending state (asking the OS again).
// - Adapters that receive the OS result through a callback store it in their
//   state file; status() then reads it. current_release() is what the OS says
//   is installed, as far as the adapter knows.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>

#include "base/error.hpp"

namespace converge::agent {

enum class installer_errc {
  bad_config = 1,   // the installer section is invalid; detail names the field
  bad_request,      // the install request is unusable (empty hash, no package file)
  io,               // a file system operation failed; detail names the path
  state_corrupt,    // the installer's state file is not what it wrote
  spawn_failed,     // a hook or health check could not be started
  bad_package,      // the package cannot be installed as it is: an unsafe or corrupt archive
};
const std::error_category& installer_category() noexcept;
inline std::error_code make_error_code(installer_errc e) noexcept {
  return {static_cast<int>(e), installer_category()};
}

struct install_request {
  std::string release_hash;   // identifies the release (hex of the release's hash); required
  std::string channel, semver;
  std::uint64_t sequence = 0;
  std::string package_path;   // the staged, verified package (a local file); required
  std::string sha256_hex;     // of the package; when set, the installer checks it again
  std::string target_path;    // the artifact's target path in the release (its file name is kept)
  std::string os, arch;
};

struct install_report {
  enum state_t { installed, pending, failed } state = failed;
  bool permanent = false;     // failed: this release must never be tried again
  bool rolled_back = false;   // failed after the switch: the previous version is active again
  std::string message;
};

std::string_view to_string(install_report::state_t s) noexcept;

class installer {
 public:
  virtual ~installer() = default;
  // "linux-dir" or "command".
  [[nodiscard]] virtual std::string_view kind() const = 0;
  // Blocking (runs on the driver's worker thread; may run a health check). Idempotent:
  // installing the release that is already current reports installed without doing it
  // again; a release marked bad reports failed + permanent without trying.
  virtual result<install_report> install(const install_request& r) = 0;
  // What became of release_hash: after a crash mid-install (the installer completes or
  // undoes the interrupted step first), or for a pending install. A release the
  // installer knows nothing about reports failed, not permanent.
  virtual result<install_report> status(const std::string& release_hash) = 0;
  // The release hash that is active, "" when nothing is installed.
  virtual result<std::string> current_release() = 0;
};

}  // namespace converge::agent

template <>
struct std::is_error_code_enum<converge::agent::installer_errc> : std::true_type {};
