// Cross-implementation check: noise_session against js-libp2p's Noise
// (@libp2p/noise 17 or @chainsafe/libp2p-noise 17) running in node, over
// pipes (no sockets). Skipped unless node is present and CONVERGE_JS_DIR
// (default: <source>/interop) holds the npm packages noise_peer.mjs loads.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>

#include "p2p/security/noise_session.hpp"
#include "test_support.hpp"

using namespace converge;
using namespace converge::p2p::security;
using namespace converge::p2p::security::testing;

namespace {

std::string env_or(const char* name, std::string fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

// A child process with its stdin, stdout and stderr on pipes; killed on scope exit.
class js_peer {
 public:
  js_peer(const std::vector<std::string>& args, const std::string& js_dir) {
    int in[2], out[2], err[2];
    if (pipe(in) != 0 || pipe(out) != 0 || pipe(err) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(in[0], 0);
      dup2(out[1], 1);
      dup2(err[1], 2);
      for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]}) close(fd);
      setenv("CONVERGE_JS_DIR", js_dir.c_str(), 1);
      std::vector<char*> argv;
      for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      execvp(argv[0], argv.data());
      _exit(127);
    }
    close(in[0]);
    close(out[1]);
    close(err[1]);
    to_ = in[1];
    from_ = out[0];
    err_ = err[0];
    fcntl(err_, F_SETFL, O_NONBLOCK);
  }
  ~js_peer() {
    for (int fd : {to_, from_, err_})
      if (fd >= 0) close(fd);
    if (pid_ > 0 && !reaped_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  js_peer(const js_peer&) = delete;
  js_peer& operator=(const js_peer&) = delete;

  void write_all(bytes_view b) {
    while (!b.empty()) {
      ssize_t n = ::write(to_, b.data(), b.size());
      if (n <= 0) return;
      b = b.subspan(static_cast<std::size_t>(n));
    }
  }
  // Reads what is available within `wait`; empty on end of stream or timeout.
  bytes read_some(std::chrono::milliseconds wait) {
    pollfd p{from_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(wait.count())) <= 0) return {};
    bytes buf(65536);
    ssize_t n = ::read(from_, buf.data(), buf.size());
    buf.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    return buf;
  }
  std::string stderr_text() {
    std::string s;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(err_, buf, sizeof buf)) > 0) s.append(buf, static_cast<std::size_t>(n));
    return s;
  }
  int wait_exit() {
    close(to_);
    to_ = -1;
    int status = 0;
    waitpid(pid_, &status, 0);
    reaped_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  int to_ = -1, from_ = -1, err_ = -1;
};

struct run_result {
  int js_exit = -1;
  std::string js_stderr;
  std::optional<handshake_complete> ours;
  int echoes = 0;
  std::optional<error> failure;
};

run_result run_against_js(role ours, const std::string& js_key_type, const std::string& js_muxers,
                          std::vector<std::string> our_muxers) {
  const std::string source = env_or("CONVERGE_SOURCE_DIR", ".");
  const std::string js_dir = env_or("CONVERGE_JS_DIR", source + "/interop");
  const std::string script = source + "/tests/unit/p2p_security/js/noise_peer.mjs";
  auto key = make_key(4242);
  std::vector<std::string> args = {"node", script, ours == role::initiator ? "responder" : "initiator", js_key_type,
                                   js_muxers};
  if (ours == role::responder) args.push_back(peer_of(key).to_string());  // the js dialer checks us
  js_peer js(args, js_dir);

  deterministic_rng r(4243);
  noise_config cfg(key);
  cfg.stream_muxers = std::move(our_muxers);
  noise_session s(ours, std::move(cfg), r, t0());
  const std::vector<std::string> messages = {"hello from converge", std::string(60'000, 'x'), "bye"};
  run_result out;
  bytes wire;
  bool sent = false;
  for (int rounds = 0; rounds < 1000 && out.echoes < 3; ++rounds) {
    while (s.poll_transmit(wire)) js.write_all(wire);
    while (auto e = s.poll_event()) {
      if (auto* f = std::get_if<session_failed>(&*e)) out.failure = f->reason;
    }
    if (s.state() == channel_state::established && !sent) {
      for (const auto& m : messages) EXPECT_TRUE(s.send(as_bytes(m)));
      sent = true;
      continue;
    }
    while (auto v = s.poll_read()) {
      EXPECT_EQ(as_chars(*v), "echo:" + messages[static_cast<std::size_t>(out.echoes)]);
      ++out.echoes;
    }
    if (out.echoes == 3 || s.state() == channel_state::failed) break;
    auto got = js.read_some(std::chrono::seconds{20});
    if (got.empty()) {
      s.handle_eof();
      if (s.failure()) out.failure = s.failure();
      break;
    }
    s.handle_input(got, t0());
  }
  out.ours = s.remote();
  out.js_exit = js.wait_exit();
  out.js_stderr = js.stderr_text();
  return out;
}

bool js_available() {
  const std::string source = env_or("CONVERGE_SOURCE_DIR", ".");
  const std::string js_dir = env_or("CONVERGE_JS_DIR", source + "/interop");
  return (std::filesystem::exists(js_dir + "/node_modules/@libp2p/noise/package.json") ||
          std::filesystem::exists(js_dir + "/node_modules/@chainsafe/libp2p-noise/package.json")) &&
         std::system("node --version > /dev/null 2>&1") == 0;
}

std::string js_peer_id(const std::string& err) {
  auto at = err.find("js-peer-id ");
  if (at == std::string::npos) return {};
  auto end = err.find('\n', at);
  return err.substr(at + 11, end - at - 11);
}

}  // namespace

TEST(js_interop, noise_both_roles_and_key_types) {
  if (!js_available()) {
    // make test installs the js peers and sets CONVERGE_REQUIRE_INTEROP: a missing peer is then a failure, not a skip.
    if (std::getenv("CONVERGE_REQUIRE_INTEROP")) FAIL() << "node or @libp2p/noise not installed (set CONVERGE_JS_DIR)";
    GTEST_SKIP() << "node or @libp2p/noise not installed (set CONVERGE_JS_DIR)";
  }
  for (role ours : {role::initiator, role::responder}) {
    for (std::string type : {"Ed25519", "secp256k1", "RSA"}) {
      SCOPED_TRACE((ours == role::initiator ? "we dial, js key " : "js dials, js key ") + type);
      auto r = run_against_js(ours, type, "/yamux/1.0.0", {"/yamux/1.0.0"});
      ASSERT_FALSE(r.failure) << r.failure->message() << "\njs: " << r.js_stderr;
      ASSERT_EQ(r.js_exit, 0) << r.js_stderr;
      EXPECT_EQ(r.echoes, 3);
      ASSERT_TRUE(r.ours);
      EXPECT_EQ(r.ours->remote_peer.to_string(), js_peer_id(r.js_stderr));
      EXPECT_EQ(r.ours->muxer, "/yamux/1.0.0");
      EXPECT_NE(r.js_stderr.find("js-remote " + peer_of(make_key(4242)).to_string()), std::string::npos);
    }
  }
}

TEST(js_interop, noise_without_early_muxer_negotiation) {
  if (!js_available()) {
    // make test installs the js peers and sets CONVERGE_REQUIRE_INTEROP: a missing peer is then a failure, not a skip.
    if (std::getenv("CONVERGE_REQUIRE_INTEROP")) FAIL() << "node or @libp2p/noise not installed (set CONVERGE_JS_DIR)";
    GTEST_SKIP() << "node or @libp2p/noise not installed (set CONVERGE_JS_DIR)";
  }
  auto r = run_against_js(role::initiator, "Ed25519", "-", {"/yamux/1.0.0"});
  ASSERT_FALSE(r.failure) << r.failure->message();
  ASSERT_TRUE(r.ours);
  EXPECT_FALSE(r.ours->muxer);
  EXPECT_EQ(r.echoes, 3);
}
