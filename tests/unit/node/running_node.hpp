#pragma once
// A node in a fresh repository (loopback swarm and API) run on its own
// thread, for tests that drive it through the RPC API like the CLI does.
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "base/rng.hpp"
#include "node/node.hpp"
#include "temp_dir.hpp"

namespace converge::node::test {

class running_node {
 public:
  // configure edits config.json before the node opens it; add_services adds
  // the services under test (the node starts with nothing else).
  running_node(std::uint64_t seed, const std::function<void(node_config&)>& configure,
               const std::function<result<void>(node&)>& add_services) {
    deterministic_rng rng(seed);
    init_options o;
    o.swarm = std::vector<mf::multiaddr>{*mf::multiaddr::parse("/ip4/127.0.0.1/tcp/0")};
    o.api = *mf::multiaddr::parse("/ip4/127.0.0.1/tcp/0");
    auto r = repo::init(dir_.path(), o, rng);
    EXPECT_TRUE(r) << r.error().message();
    if (configure) {
      auto cfg = r->config();
      configure(cfg);
      EXPECT_TRUE(r->save_config(cfg));
      r = repo::open(dir_.path());
      EXPECT_TRUE(r) << r.error().message();
    }
    auto n = node::create(std::move(*r));
    EXPECT_TRUE(n) << n.error().message();
    node_ = std::move(*n);
    auto added = add_services(*node_);
    EXPECT_TRUE(added) << added.error().message();
    auto s = node_->start();
    EXPECT_TRUE(s) << s.error().message();
    thread_ = std::thread([this] { node_->run(); });
  }
  ~running_node() {
    p2p::io::asio::post(node_->context(), [this] { node_->stop(); });
    thread_.join();
  }
  running_node(const running_node&) = delete;
  running_node& operator=(const running_node&) = delete;

  [[nodiscard]] const std::filesystem::path& repo_dir() const { return dir_.path(); }
  [[nodiscard]] std::string id() const { return node_->host()->id().to_string(); }
  // Reads from the test thread are only of fields fixed before run().
  [[nodiscard]] std::string dial_addr() const {
    return node_->host()->listen_addrs().front().to_string() + "/p2p/" + id();
  }

 private:
  temp_dir dir_;
  std::unique_ptr<node> node_;
  std::thread thread_;
};

}  // namespace converge::node::test
