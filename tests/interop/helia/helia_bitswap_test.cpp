// converge <-> Helia over /ipfs/bitswap/1.2.0 on loopback: a converge host
// fetches a file Helia imported, and Helia fetches a file converge imported.
// Both sides use the same deterministic content and the UnixFS defaults, so
// the root CIDs are also compared.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <filesystem>
#include <istream>
#include <nlohmann/json.hpp>

#include "../../unit/p2p_io/harness.hpp"
#include "bitswap/errors.hpp"
#include "bitswap/io/service.hpp"
#include "unixfs/exporter.hpp"
#include "unixfs/importer.hpp"

namespace converge::bitswap {
namespace {
using namespace p2p::io;
using namespace p2p::io::testing;
namespace fs = std::filesystem;

std::string source_dir() {
  const char* d = std::getenv("CONVERGE_SOURCE_DIR");
  return d ? d : ".";
}
std::string node_binary() { return source_dir() + "/interop/node_modules/node/bin/node"; }
bool helia_available() {
  return fs::exists(node_binary()) && fs::exists(source_dir() + "/interop/node_modules/helia/package.json");
}

bytes content(std::size_t n) {
  bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(((i * 7) ^ (i >> 9)) & 0xff);
  return b;
}

// interop/helia/helia-peer.mjs as a child process; stdout read line by line on the io_context.
class helia_process {
 public:
  helia_process(asio::io_context& io, std::vector<std::string> args) : out_(io) {
    int out_pipe[2], in_pipe[2];
    if (pipe(out_pipe) != 0 || pipe(in_pipe) != 0) throw std::runtime_error("pipe");
    std::vector<std::string> argv_s{node_binary(), source_dir() + "/interop/helia/helia-peer.mjs"};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out_pipe[1], 1);
      dup2(in_pipe[0], 0);
      close(out_pipe[0]);
      close(in_pipe[1]);
      std::vector<char*> argv;
      for (auto& s : argv_s) argv.push_back(s.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(out_pipe[1]);
    close(in_pipe[0]);
    stdin_ = in_pipe[1];
    out_.assign(out_pipe[0]);
  }
  ~helia_process() {
    if (stdin_ >= 0) close(stdin_);
    int status = 0;
    for (int i = 0; i < 50 && waitpid(pid_, &status, WNOHANG) == 0; ++i) usleep(100'000);
    if (waitpid(pid_, &status, WNOHANG) == 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
    }
  }
  task<std::string> read_line() {
    auto [ec, n] = co_await asio::async_read_until(out_, buf_, '\n', use_tuple);
    if (ec && n == 0) co_return std::string{};
    std::istream is(&buf_);
    std::string line;
    std::getline(is, line);
    co_return line;
  }

 private:
  pid_t pid_ = -1;
  int stdin_ = -1;
  asio::posix::stream_descriptor out_;
  asio::streambuf buf_;
};

struct converge_peer {
  fs::path dir;
  std::unique_ptr<blocks::blockstore> store;
  std::shared_ptr<host> h;
  std::shared_ptr<service> bs;
  converge_peer(asio::io_context& io, std::uint64_t seed) {
    dir = fs::temp_directory_path() / ("converge-helia-" + std::to_string(::getpid()) + "-" + std::to_string(seed));
    fs::remove_all(dir);
    store = blocks::blockstore::open(dir, {.fsync = false}).value();
    h = make_host(io, test_config(seed));
    bs = service::create(h, *store);
    bs->start();
  }
  ~converge_peer() {
    bs->stop();
    h->close();
    fs::remove_all(dir);
  }
};

task<result<session_stats>> fetch_from(std::shared_ptr<host> h, std::shared_ptr<service> bs, helia_process& js,
                                       std::string& cid_out) {
  auto line = co_await js.read_line();
  auto j = nlohmann::json::parse(line, nullptr, false);
  if (j.is_discarded()) co_return fail(bitswap_errc::invalid_argument, "helia said: " + line);
  cid_out = j["cid"].get<std::string>();
  auto addr = mf::multiaddr::parse(j["addr"].get<std::string>());
  if (!addr) co_return fail(addr.error());
  auto conn = co_await h->connect(*addr);
  if (!conn) co_return fail(conn.error());
  auto added = co_await bs->add_peer((*conn)->remote_peer());
  if (!added) co_return fail(added.error());
  co_return co_await bs->fetch(*mf::cid::parse(cid_out));
}

class HeliaBitswap : public ::testing::TestWithParam<std::size_t> {};

TEST_P(HeliaBitswap, ConvergeFetchesFromHelia) {
  if (!helia_available()) GTEST_SKIP() << "interop/node_modules not installed";
  asio::io_context io;
  converge_peer me(io, 201);
  auto size = GetParam();
  helia_process js(io, {"serve", std::to_string(size)});
  std::string cid_text;
  auto r = run(io, fetch_from(me.h, me.bs, js, cid_text));
  ASSERT_TRUE(r) << r.error().message();
  auto root = mf::cid::parse(cid_text).value();
  auto got = unixfs::read_file(root, [&](const mf::cid& c) { return me.store->get(c); }, std::uint64_t{1} << 32);
  ASSERT_TRUE(got) << got.error().message();
  EXPECT_EQ(*got, content(size));
  // Same bytes, same defaults: the same root CID as converge's importer.
  auto ours = unixfs::import_bytes(content(size), {}, [](const mf::cid&, bytes_view) -> result<void> { return ok(); });
  EXPECT_EQ(ours->cid, root);
}

task<std::string> read_result(helia_process& js) {
  auto line = co_await js.read_line();
  co_return line;
}

TEST_P(HeliaBitswap, HeliaFetchesFromConverge) {
  if (!helia_available()) GTEST_SKIP() << "interop/node_modules not installed";
  asio::io_context io;
  converge_peer me(io, 202);
  auto size = GetParam();
  auto data = content(size);
  auto root = unixfs::import_bytes(data, {}, [&](const mf::cid& c, bytes_view b) -> result<void> {
                auto p = me.store->put(c, b);
                if (!p) return fail(p.error());
                me.bs->block_added(c);
                return ok();
              })->cid;
  auto addr = dial_addr(*me.h).to_string();
  helia_process js(io, {"fetch", addr, root.to_string(), std::to_string(size)});
  auto line = run(io, read_result(js));
  EXPECT_EQ(line.rfind("PASS", 0), 0u) << line;
  std::cout << "helia fetched " << size << " bytes from converge: " << line << "\n";
}

INSTANTIATE_TEST_SUITE_P(Sizes, HeliaBitswap, ::testing::Values(1000, 262145, 5 * 1024 * 1024 + 17));

}  // namespace
}  // namespace converge::bitswap
