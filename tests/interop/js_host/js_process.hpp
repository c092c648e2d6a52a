#pragma once
// A js-libp2p peer (interop/peers/js_peer.mjs) run by node 22 as a child
// process; its stdout is read line by line on the test's io_context.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <cstdlib>
#include <filesystem>
#include <istream>
#include <string>
#include <vector>

#include "p2p/io/asio.hpp"

namespace converge::p2p::io::testing {

inline std::string source_dir() {
  const char* d = std::getenv("CONVERGE_SOURCE_DIR");
  return d ? d : ".";
}
inline std::string node_binary() { return source_dir() + "/interop/node_modules/node/bin/node"; }
inline bool js_available() {
  return std::filesystem::exists(node_binary()) &&
         std::filesystem::exists(source_dir() + "/interop/node_modules/libp2p/package.json");
}

class js_process {
 public:
  js_process(asio::io_context& io, const std::vector<std::string>& args) : out_(io) {
    int out_pipe[2];
    int in_pipe[2];
    if (pipe(out_pipe) != 0 || pipe(in_pipe) != 0) throw std::runtime_error("pipe failed");
    std::vector<std::string> argv_s{node_binary(), source_dir() + "/interop/peers/js_peer.mjs"};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out_pipe[1], 1);
      dup2(in_pipe[0], 0);
      close(out_pipe[0]);
      close(in_pipe[1]);
      std::vector<char*> argv;
      for (auto& a : argv_s) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(out_pipe[1]);
    close(in_pipe[0]);
    stdin_ = in_pipe[1];
    out_.assign(out_pipe[0]);
  }
  js_process(const js_process&) = delete;
  js_process& operator=(const js_process&) = delete;
  ~js_process() {
    close_stdin();
    if (pid_ > 0) {
      int status = 0;
      // The peer exits when its stdin closes; a stuck one is killed.
      for (int i = 0; i < 50 && waitpid(pid_, &status, WNOHANG) == 0; ++i) usleep(100'000);
      if (waitpid(pid_, &status, WNOHANG) == 0) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
      }
    }
  }

  // The next stdout line, or "" at the end of output.
  task<std::string> read_line() {
    auto [ec, n] = co_await asio::async_read_until(out_, buf_, '\n', use_tuple);
    if (ec && n == 0) co_return std::string{};
    std::istream is(&buf_);
    std::string line;
    std::getline(is, line);
    co_return line;
  }
  void close_stdin() {
    if (stdin_ >= 0) close(stdin_);
    stdin_ = -1;
  }

 private:
  pid_t pid_ = -1;
  int stdin_ = -1;
  asio::posix::stream_descriptor out_;
  asio::streambuf buf_;
};

}  // namespace converge::p2p::io::testing
