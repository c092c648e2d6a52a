#include "agent/installer_support.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sodium.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <functional>
#include <map>

#include "base/bytes.hpp"

extern char** environ;

namespace converge::agent {
namespace {

std::string errno_text(int e) { return std::strerror(e); }

struct fd_guard {
  int fd = -1;
  fd_guard() = default;
  explicit fd_guard(int f) : fd(f) {}
  fd_guard(const fd_guard&) = delete;
  fd_guard& operator=(const fd_guard&) = delete;
  ~fd_guard() { reset(); }
  void reset() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

// The child's environment: the parent's, with spec.env replacing or adding entries.
std::vector<std::string> build_env(const process_spec& spec) {
  std::map<std::string, std::string> vars;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view kv(*e);
    auto eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    vars[std::string(kv.substr(0, eq))] = std::string(kv.substr(eq + 1));
  }
  for (const auto& [k, v] : spec.env) vars[k] = v;
  std::vector<std::string> out;
  out.reserve(vars.size());
  for (const auto& [k, v] : vars) out.push_back(k + "=" + v);
  return out;
}

std::vector<char*> c_strings(std::vector<std::string>& v) {
  std::vector<char*> out;
  out.reserve(v.size() + 1);
  for (auto& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

class spawn_setup {
 public:
  spawn_setup() {
    ::posix_spawn_file_actions_init(&actions_);
    ::posix_spawnattr_init(&attr_);
  }
  spawn_setup(const spawn_setup&) = delete;
  spawn_setup& operator=(const spawn_setup&) = delete;
  ~spawn_setup() {
    ::posix_spawn_file_actions_destroy(&actions_);
    ::posix_spawnattr_destroy(&attr_);
  }
  posix_spawn_file_actions_t* actions() { return &actions_; }
  posix_spawnattr_t* attr() { return &attr_; }

 private:
  posix_spawn_file_actions_t actions_{};
  posix_spawnattr_t attr_{};
};

void kill_group(pid_t pgid) { ::kill(-pgid, SIGKILL); }

}  // namespace

result<process_result> run_process(const process_spec& spec) {
  if (spec.argv.empty() || spec.argv[0].empty() || spec.argv[0][0] != '/')
    return fail(installer_errc::spawn_failed, "command must start with an absolute path");
  std::array<int, 2> out_pipe{-1, -1};
  // O_CLOEXEC: a process spawned concurrently by another thread must not inherit them.
  if (::pipe2(out_pipe.data(), O_CLOEXEC) != 0)
    return fail(installer_errc::spawn_failed, "pipe: " + errno_text(errno));
  fd_guard rd(out_pipe[0]), wr(out_pipe[1]);

  spawn_setup s;
  ::posix_spawn_file_actions_addopen(s.actions(), 0, "/dev/null", O_RDONLY, 0);
  ::posix_spawn_file_actions_adddup2(s.actions(), wr.fd, 1);
  ::posix_spawn_file_actions_adddup2(s.actions(), wr.fd, 2);
  ::posix_spawn_file_actions_addclosefrom_np(s.actions(), 3);
  if (!spec.cwd.empty()) ::posix_spawn_file_actions_addchdir_np(s.actions(), spec.cwd.c_str());
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGCHLD, SIGQUIT, SIGUSR1, SIGUSR2}) sigaddset(&defaults, sig);
  ::posix_spawnattr_setsigmask(s.attr(), &none);
  ::posix_spawnattr_setsigdefault(s.attr(), &defaults);
  ::posix_spawnattr_setpgroup(s.attr(), 0);
  ::posix_spawnattr_setflags(s.attr(), POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<std::string> argv_s = spec.argv;
  std::vector<std::string> env_s = build_env(spec);
  auto argv = c_strings(argv_s);
  auto envp = c_strings(env_s);
  pid_t pid = -1;
  int rc = ::posix_spawn(&pid, argv[0], s.actions(), s.attr(), argv.data(), envp.data());
  if (rc != 0) return fail(installer_errc::spawn_failed, spec.argv[0] + ": " + errno_text(rc));
  wr.reset();

  process_result res;
  const auto deadline = std::chrono::steady_clock::now() + spec.timeout;
  bool reaped = false, eof = false;
  int status = 0;
  std::array<char, 4096> buf{};
  // Poll in short slices so the exit of the process is seen even while a
  // background child it left behind keeps the pipe open.
  while (!reaped || !eof) {
    if (!reaped) {
      // WNOWAIT: the exited leader stays a zombie, so its pid (the group id)
      // cannot be reused before the group is killed.
      siginfo_t info{};
      if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid) {
        // Whatever is still running in the group would hold the pipe open: end it.
        kill_group(pid);
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        reaped = true;
      }
    }
    auto now = std::chrono::steady_clock::now();
    if (!reaped && now >= deadline) {
      res.timed_out = true;
      kill_group(pid);
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      reaped = true;
      break;
    }
    if (eof) {
      // Output is complete but the process has not exited yet.
      ::usleep(10'000);
      continue;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
    pollfd p{rd.fd, POLLIN, 0};
    int n = ::poll(&p, 1, static_cast<int>(std::min<long long>(reaped ? 50 : 20, std::max<long long>(left, 0))));
    if (n < 0 && errno != EINTR) break;
    if (n <= 0) {
      if (reaped) eof = true;   // exited and nothing more arrives: stop reading
      continue;
    }
    ssize_t got = ::read(rd.fd, buf.data(), buf.size());
    if (got < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      eof = true;
      continue;
    }
    if (got == 0) {
      eof = true;
      continue;
    }
    std::size_t keep = std::min<std::size_t>(static_cast<std::size_t>(got), spec.output_limit - std::min(spec.output_limit, res.output.size()));
    res.output.append(buf.data(), keep);
    res.output_dropped += static_cast<std::uint64_t>(got) - keep;
  }
  if (!reaped) {
    kill_group(pid);
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  if (WIFEXITED(status)) res.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) res.signal = WTERMSIG(status);
  return res;
}

std::string describe(const process_result& r, const process_spec& spec) {
  std::string out;
  if (r.timed_out)
    out = "timed out after " + std::to_string(spec.timeout.count()) + " ms (process group killed)";
  else if (r.signal != 0)
    out = "killed by signal " + std::to_string(r.signal);
  else
    out = "exit " + std::to_string(r.exit_code);
  std::string text = r.output;
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\r')) text.pop_back();
  if (!text.empty()) out += ": " + text;
  if (r.output_dropped > 0) out += " [" + std::to_string(r.output_dropped) + " more bytes of output dropped]";
  return out;
}

result<void> read_all(int fd, const std::filesystem::path& file, const std::function<result<void>(std::string_view)>& sink) {
  std::vector<char> buf(65536);
  for (;;) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(installer_errc::io, file.string() + ": read: " + errno_text(errno));
    }
    if (n == 0) return ok();
    if (auto r = sink(std::string_view(buf.data(), static_cast<std::size_t>(n))); !r) return r;
  }
}

result<std::string> sha256_file_hex(const std::filesystem::path& file) {
  fd_guard fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.fd < 0) return fail(installer_errc::io, file.string() + ": " + errno_text(errno));
  crypto_hash_sha256_state st;
  crypto_hash_sha256_init(&st);
  auto r = read_all(fd.fd, file, [&](std::string_view chunk) -> result<void> {
    crypto_hash_sha256_update(&st, reinterpret_cast<const unsigned char*>(chunk.data()), chunk.size());
    return ok();
  });
  if (!r) return std::unexpected(r.error());
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256_final(&st, digest.data());
  return to_hex(bytes_view(digest.data(), digest.size()));
}

result<void> fsync_dir(const std::filesystem::path& dir) {
  fd_guard fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.fd < 0) return fail(installer_errc::io, dir.string() + ": " + errno_text(errno));
  if (::fsync(fd.fd) != 0) return fail(installer_errc::io, dir.string() + ": fsync: " + errno_text(errno));
  return ok();
}

result<void> write_json_atomic(const std::filesystem::path& file, const std::string& text) {
  auto r = write_file_atomic(file.string(), as_bytes(text), 0644);
  if (!r) return fail(installer_errc::io, r.error().detail);
  return ok();
}

result<file_text> read_small_file(const std::filesystem::path& file, std::size_t limit) {
  fd_guard fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.fd < 0) {
    if (errno == ENOENT) return file_text{};
    return fail(installer_errc::io, file.string() + ": " + errno_text(errno));
  }
  file_text out;
  out.exists = true;
  auto r = read_all(fd.fd, file, [&](std::string_view chunk) -> result<void> {
    out.text.append(chunk);
    if (out.text.size() > limit)
      return fail(installer_errc::state_corrupt, file.string() + ": larger than " + std::to_string(limit) + " bytes");
    return ok();
  });
  if (!r) return std::unexpected(r.error());
  return out;
}

}  // namespace converge::agent
