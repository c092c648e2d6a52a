// converge's DHT against js-libp2p's @libp2p/kad-dht (interop/kad/js-kad.mjs)
// on 127.0.0.1, both directions:
//   js -> converge: js gets converge's IPNS record, puts its own record onto
//   converge (stored after converge validates it), and announces a provider;
//   converge -> js: a second, empty converge node that knows only js finds
//   js's record, the provider, and converge's first node through js.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <csignal>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "../../unit/p2p_io/harness.hpp"
#include "ipns/record.hpp"
#include "ipns/validator.hpp"
#include "kad/io/driver.hpp"

namespace converge::kad::io {
namespace {

using namespace converge::p2p::io::testing;
namespace asio = p2p::io::asio;
using json = nlohmann::json;

std::string source_dir() {
  const char* d = std::getenv("CONVERGE_SOURCE_DIR");
  return d ? d : ".";
}

class node_script {
 public:
  node_script(asio::io_context& io, std::vector<std::string> args) : out_(io) {
    int out_pipe[2], in_pipe[2];
    if (pipe(out_pipe) != 0 || pipe(in_pipe) != 0) throw std::runtime_error("pipe failed");
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out_pipe[1], 1);
      dup2(in_pipe[0], 0);
      close(out_pipe[0]);
      close(in_pipe[1]);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(out_pipe[1]);
    close(in_pipe[0]);
    stdin_ = in_pipe[1];
    out_.assign(out_pipe[0]);
  }
  ~node_script() {
    if (stdin_ >= 0) close(stdin_);
    int status = 0;
    for (int i = 0; i < 50 && waitpid(pid_, &status, WNOHANG) == 0; ++i) usleep(100'000);
    if (waitpid(pid_, &status, WNOHANG) == 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
    }
  }
  p2p::io::task<json> next() {
    auto [ec, n] = co_await asio::async_read_until(out_, buf_, '\n', p2p::io::use_tuple);
    if (ec && n == 0) co_return json{{"event", "eof"}};
    std::istream is(&buf_);
    std::string line;
    std::getline(is, line);
    co_return json::parse(line, nullptr, false);
  }

 private:
  pid_t pid_ = -1;
  int stdin_ = -1;
  asio::posix::stream_descriptor out_;
  asio::streambuf buf_;
};

p2p::io::task<void> forward_events(std::shared_ptr<p2p::io::host> h, std::weak_ptr<driver> d) {
  for (;;) {
    auto e = co_await h->next_event();
    auto live = d.lock();
    if (!live) co_return;
    live->on_host_event(e);
  }
}

p2p::io::task<void> pause(asio::io_context& io, duration d) {
  asio::steady_timer t(io, d);
  (void)co_await t.async_wait(p2p::io::use_tuple);
}

TEST(KadJs, ValuesProvidersAndPeersBothWays) {
  auto node_bin = source_dir() + "/interop/node_modules/node/bin/node";
  if (!std::filesystem::exists(source_dir() + "/interop/node_modules/@libp2p/kad-dht/package.json")) {
    if (std::getenv("CONVERGE_REQUIRE_INTEROP")) FAIL() << "interop/node_modules lacks @libp2p/kad-dht";
    GTEST_SKIP() << "js peers not installed";
  }
  asio::io_context io;
  auto reg = std::make_shared<validator_registry>();
  reg->add("ipns", std::make_shared<ipns::ipns_validator>());
  auto make = [&](std::uint64_t seed, std::shared_ptr<memory_record_store>& store) {
    auto h = make_host(io, test_config(seed));
    store = std::make_shared<memory_record_store>(reg);
    driver_config c;
    c.dht.request_timeout = 10s;
    auto d = driver::create(h, reg, store, c);
    d->start();
    asio::co_spawn(io, forward_events(h, d), asio::detached);
    return std::pair{h, d};
  };
  std::shared_ptr<memory_record_store> store_a, store_b;
  auto [host_a, dht_a] = make(300, store_a);

  // Converge's IPNS record, held by node A only.
  deterministic_rng r(9);
  auto key = *crypto::private_key::generate(crypto::key_type::ed25519, r);
  auto name = crypto::peer_id::from_public_key(key.public_key());
  auto rec = *ipns::create(key, as_bytes("/ipfs/bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi"), 3,
                           std::chrono::system_clock::now() + 24h);
  ASSERT_TRUE(store_a->put(ipns::routing_key(name), rec, std::chrono::system_clock::now()));

  auto target = host_a->listen_addrs().front().to_string() + "/p2p/" + host_a->id().to_string();
  node_script js(io, {node_bin, source_dir() + "/interop/kad/js-kad.mjs", target, to_hex(ipns::routing_key(name))});
  auto ready = run(io, js.next());
  ASSERT_EQ(ready["event"], "ready") << ready.dump();
  auto js_id = *crypto::peer_id::parse(ready["id"].get<std::string>());
  std::vector<mf::multiaddr> js_addrs;
  for (const auto& a : ready["addrs"]) js_addrs.push_back(*mf::multiaddr::parse(a.get<std::string>()));

  // js -> converge
  auto got = run(io, js.next());
  ASSERT_EQ(got["event"], "got") << got.dump();
  EXPECT_EQ(got["value"], to_hex(rec));
  auto put = run(io, js.next());
  ASSERT_EQ(put["event"], "put") << put.dump();
  auto js_key = *from_hex(put["key"].get<std::string>());
  auto stored = store_a->get(js_key, std::chrono::system_clock::now());
  ASSERT_TRUE(stored && *stored) << "js's record was not stored by converge";
  EXPECT_EQ(to_hex(**stored), put["record"].get<std::string>());
  auto provided = run(io, js.next());
  ASSERT_EQ(provided["event"], "provided") << provided.dump();
  auto mh = *from_hex(provided["multihash"].get<std::string>());
  // ADD_PROVIDER has no answer: js may report before converge has read the frame.
  auto provs = dht_a->core().providers().get(mh, std::chrono::steady_clock::now());
  for (int i = 0; i < 100 && provs.empty(); ++i) {
    run_void(io, pause(io, 20ms));
    provs = dht_a->core().providers().get(mh, std::chrono::steady_clock::now());
  }
  ASSERT_EQ(provs.size(), 1u);
  EXPECT_EQ(provs[0].id, js_id);

  // converge -> js: node B knows only js.
  auto [host_b, dht_b] = make(301, store_b);
  dht_b->add_peer(js_id, js_addrs);
  auto value = run(io, dht_b->get_value(js_key, 1));
  ASSERT_TRUE(value) << value.error().message();
  ASSERT_FALSE(value->failure) << value->failure->message();
  EXPECT_EQ(to_hex(*value->value), put["record"].get<std::string>());
  auto found = run(io, dht_b->get_providers(mh, 1));
  ASSERT_TRUE(found);
  ASSERT_FALSE(found->failure) << found->failure->message();
  EXPECT_EQ(found->providers.at(0).id, js_id);
  auto peer = run(io, dht_b->find_node(host_a->id().to_bytes()));
  ASSERT_TRUE(peer);
  ASSERT_TRUE(peer->found);
  EXPECT_EQ(peer->found->id, host_a->id());

  dht_a->stop();
  dht_b->stop();
  host_a->close();
  host_b->close();
}

}  // namespace
}  // namespace converge::kad::io
