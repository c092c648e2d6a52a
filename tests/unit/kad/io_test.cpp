// Live DHT over real hosts on 127.0.0.1 (Noise + Yamux): six server nodes
// bootstrap through one of them, then store and find values, providers and
// peers; a client-mode node asks without ever being asked.
#include <gtest/gtest.h>

#include "../p2p_io/harness.hpp"
#include "harness.hpp"
#include "kad/io/driver.hpp"

namespace converge::kad::io {
namespace {

using namespace converge::p2p::io::testing;
namespace asio = p2p::io::asio;

p2p::io::task<void> forward_events(std::shared_ptr<p2p::io::host> h, std::weak_ptr<driver> d) {
  for (;;) {
    auto e = co_await h->next_event();
    auto live = d.lock();
    if (!live) co_return;
    live->on_host_event(e);
  }
}

struct node {
  std::shared_ptr<p2p::io::host> host;
  std::shared_ptr<driver> dht;
  std::shared_ptr<memory_record_store> store;
};

struct KadLive : ::testing::Test {
  asio::io_context io;
  std::vector<node> nodes;
  std::shared_ptr<validator_registry> reg = test::test_registry();

  node& add(std::uint64_t seed, mode m = mode::server) {
    node n;
    n.host = make_host(io, test_config(seed));
    n.store = std::make_shared<memory_record_store>(reg);
    driver_config c;
    c.dht.mode = m;
    c.dht.request_timeout = 5s;
    n.dht = driver::create(n.host, reg, n.store, c);
    n.dht->start();
    asio::co_spawn(io, forward_events(n.host, n.dht), asio::detached);
    nodes.push_back(n);
    return nodes.back();
  }
  void TearDown() override {
    for (auto& n : nodes) {
      n.dht->stop();
      n.host->close();
    }
  }
};

TEST_F(KadLive, ValuesProvidersAndPeersAcrossSixHosts) {
  for (std::uint64_t i = 0; i < 6; ++i) add(100 + i);
  for (std::size_t i = 1; i < nodes.size(); ++i) {
    nodes[i].dht->add_peer(nodes[0].host->id(), nodes[0].host->listen_addrs());
    auto r = run(io, nodes[i].dht->find_node(nodes[i].host->id().to_bytes()));
    ASSERT_TRUE(r) << r.error().message();
  }
  // A second round, now that node 0 knows everyone.
  for (std::size_t i = 1; i < nodes.size(); ++i) (void)run(io, nodes[i].dht->find_node(nodes[i].host->id().to_bytes()));
  for (auto& n : nodes) EXPECT_GE(n.dht->core().table().size(), 3u);

  auto put = run(io, nodes[5].dht->put_value(to_bytes("/v/live"), to_bytes("seq:3")));
  ASSERT_TRUE(put) << put.error().message();
  ASSERT_FALSE(put->failure) << put->failure->message();
  EXPECT_EQ(put->stored, 5u);  // every other node

  auto got = run(io, nodes[1].dht->get_value(to_bytes("/v/live"), 3));
  ASSERT_TRUE(got);
  ASSERT_FALSE(got->failure) << got->failure->message();
  EXPECT_EQ(*got->value, to_bytes("seq:3"));
  EXPECT_GE(got->records, 3u);

  // A refused value (invalid) never leaves the node that tried it.
  auto bad = run(io, nodes[2].dht->put_value(to_bytes("/v/live"), to_bytes("nope")));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, kad_errc::invalid_record);

  auto cid = to_bytes("\x12\x20" "live-block-0123456789abcdef01234");
  auto prov = run(io, nodes[2].dht->provide(cid));
  ASSERT_TRUE(prov);
  EXPECT_GE(prov->stored, 1u);
  auto provs = run(io, nodes[4].dht->get_providers(cid, 1));
  ASSERT_TRUE(provs);
  ASSERT_FALSE(provs->failure);
  ASSERT_EQ(provs->providers.size(), 1u);
  EXPECT_EQ(provs->providers[0].id, nodes[2].host->id());
  EXPECT_FALSE(provs->providers[0].addrs.empty());

  auto found = run(io, nodes[1].dht->find_node(nodes[3].host->id().to_bytes()));
  ASSERT_TRUE(found);
  ASSERT_TRUE(found->found);
  EXPECT_EQ(found->found->id, nodes[3].host->id());
}

TEST_F(KadLive, ClientModeNodeAsksButIsNeverAsked) {
  for (std::uint64_t i = 0; i < 3; ++i) add(200 + i);
  for (std::size_t i = 1; i < 3; ++i) {
    nodes[i].dht->add_peer(nodes[0].host->id(), nodes[0].host->listen_addrs());
    ASSERT_TRUE(run(io, nodes[i].dht->find_node(nodes[i].host->id().to_bytes())));
  }
  ASSERT_TRUE(run(io, nodes[0].dht->put_value(to_bytes("/v/c"), to_bytes("seq:9"))));
  auto& client = add(210, mode::client);
  client.dht->add_peer(nodes[0].host->id(), nodes[0].host->listen_addrs());
  auto got = run(io, client.dht->get_value(to_bytes("/v/c"), 2));
  ASSERT_TRUE(got);
  ASSERT_FALSE(got->failure) << got->failure->message();
  EXPECT_EQ(*got->value, to_bytes("seq:9"));
  // The servers learned nothing about the client: it does not speak the protocol.
  for (std::size_t i = 0; i < 3; ++i) EXPECT_FALSE(nodes[i].dht->core().table().contains(client.host->id()));
  EXPECT_EQ(client.dht->inbound_streams(), 0u);
}

}  // namespace
}  // namespace converge::kad::io
