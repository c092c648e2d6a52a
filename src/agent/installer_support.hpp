#pragma once
// What both installers need from the OS: running a hook with a deadline, and
// durable file operations. Internal to the installers.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string_view>
#include <string>
#include <utility>
#include <vector>

#include "agent/installer.hpp"

namespace converge::agent {

struct process_spec {
  std::vector<std::string> argv;   // argv[0] is an absolute path; no shell, no PATH lookup
  std::vector<std::pair<std::string, std::string>> env;   // added to (or replacing in) the inherited environment
  std::filesystem::path cwd;       // empty: inherit
  std::chrono::milliseconds timeout{30'000};
  std::size_t output_limit = 8192; // bytes of stdout+stderr kept (the first ones)
};

struct process_result {
  bool timed_out = false;   // the deadline passed; the whole process group was killed
  int exit_code = -1;       // when the process exited normally
  int signal = 0;           // when a signal ended it
  std::string output;       // stdout and stderr interleaved as read, at most output_limit bytes
  std::uint64_t output_dropped = 0;
  [[nodiscard]] bool exited_with(int code) const { return !timed_out && signal == 0 && exit_code == code; }
};

// Runs argv in a new process group with stdin from /dev/null, stdout and stderr
// captured, and no other descriptors inherited. When the deadline passes, or once
// the process has exited, every process left in its group gets SIGKILL, so a
// hook cannot leave background children behind (a detached daemon must setsid).
// Fails (spawn_failed) only when the process cannot be started.
result<process_result> run_process(const process_spec& spec);

// "exit 3", "killed by signal 9" or "timed out after 2000 ms", then the captured
// output (trimmed), for report messages.
std::string describe(const process_result& r, const process_spec& spec);

// Reads fd to its end, handing each chunk to sink; stops at the first error (its own or sink's).
result<void> read_all(int fd, const std::filesystem::path& file, const std::function<result<void>(std::string_view)>& sink);

// Lowercase hex SHA-256 of a file's contents.
result<std::string> sha256_file_hex(const std::filesystem::path& file);

// fsync of a directory, so renames and new entries in it survive a crash.
result<void> fsync_dir(const std::filesystem::path& dir);

// Writes a JSON document atomically (temp file, fsync, rename, fsync of the directory).
result<void> write_json_atomic(const std::filesystem::path& file, const std::string& text);

// Reads a small state file; nullopt-like empty string with exists=false when absent.
struct file_text { bool exists = false; std::string text; };
result<file_text> read_small_file(const std::filesystem::path& file, std::size_t limit);

}  // namespace converge::agent
