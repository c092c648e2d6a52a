// A 100-node Kademlia network in the simulator (50 ms links, 10 ms jitter):
// lookups converge to the true closest peers in a few hops, and a node that
// joins after a value was published (while a tenth of the network is gone)
// still finds it.
#include <gtest/gtest.h>

#include <algorithm>

#include "sim_node.hpp"

namespace converge::kad::test {
namespace {

struct KadSim : ::testing::Test {
  sim::network net{42, sim::link_params{50ms, 10ms, 0, 0}};
  std::shared_ptr<directory> dir = std::make_shared<directory>();
  std::vector<kad_sim_node*> nodes;
  dht_options opts = [] {
    dht_options o;
    o.request_timeout = 2s;
    return o;
  }();

  kad_sim_node& add() {
    auto n = std::make_unique<kad_sim_node>(1000 + nodes.size(), dir, net.clock(), opts, net.now());
    auto* raw = n.get();
    net.add_node(std::move(n));
    for (auto* other : nodes)
      if (net.online(other->index())) net.connect(raw->index(), other->index());
    nodes.push_back(raw);
    return *raw;
  }
  void know(kad_sim_node& a, kad_sim_node& b) { a.core().peer_connected(peer_info{b.id(), {}, {}}, true, net.now()); }
  std::optional<query_done> wait(kad_sim_node& n, result<query_id> q, duration limit = 2min) {
    EXPECT_TRUE(q);
    if (!q) return std::nullopt;
    net.flush(n.index());
    instant until = net.now() + limit;
    while (!n.done.contains(*q) && net.now() < until) net.run_for(100ms);
    if (!n.done.contains(*q)) return std::nullopt;
    return n.done.at(*q);
  }
  std::vector<crypto::peer_id> true_closest(const kad_key& target, std::size_t k, const crypto::peer_id& except) {
    std::vector<crypto::peer_id> all;
    for (auto* n : nodes)
      if (net.online(n->index()) && n->id() != except) all.push_back(n->id());
    std::sort(all.begin(), all.end(), [&](auto& a, auto& b) {
      return closer(target, kad_key::of(a.to_bytes()), kad_key::of(b.to_bytes()));
    });
    if (all.size() > k) all.erase(all.begin() + static_cast<std::ptrdiff_t>(k), all.end());
    return all;
  }

  void SetUp() override {
    for (int i = 0; i < 100; ++i) add();
    // Everyone knows the three bootstrap nodes; they know each other.
    for (std::size_t i = 0; i < nodes.size(); ++i)
      for (std::size_t b = 0; b < 3; ++b)
        if (i != b) know(*nodes[i], *nodes[b]);
    // Staggered joins, as devices come up.
    for (auto* n : nodes) {
      n->core().bootstrap(net.now());
      net.flush(n->index());
      net.run_for(200ms);
    }
    net.run_for(30s);
  }
};

TEST_F(KadSim, LookupsConvergeToTheTrueClosest) {
  std::size_t exact = 0, found = 0;
  unsigned max_hops = 0;
  for (int i = 0; i < 20; ++i) {
    auto& from = *nodes[net.random().uniform(nodes.size())];
    auto& target = *nodes[net.random().uniform(nodes.size())];
    if (&from == &target) continue;
    auto r = wait(from, from.core().find_node(target.id().to_bytes(), net.now()));
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->failure);
    if (r->found && r->found->id == target.id()) ++found;
    auto want = true_closest(kad_key::of(target.id().to_bytes()), 20, from.id());
    std::vector<crypto::peer_id> got;
    for (auto& p : r->closest) got.push_back(p.id);
    if (got == want) ++exact;
    max_hops = std::max(max_hops, r->stats.hops);
    EXPECT_LT(r->elapsed, 5s);
  }
  EXPECT_GE(found, 19u);
  EXPECT_GE(exact, 18u);  // converged to the network's 20 closest
  EXPECT_LE(max_hops, 6u);
  // Routing tables filled well beyond the three bootstrap peers.
  std::size_t total = 0;
  for (auto* n : nodes) total += n->core().table().size();
  EXPECT_GT(total / nodes.size(), 30u);
}

TEST_F(KadSim, LateJoinerFindsTheNewestValue) {
  auto key = to_bytes("/v/unimaker-stable");
  auto& publisher = *nodes[7];
  auto put1 = wait(publisher, publisher.core().put_value(key, to_bytes("seq:1"), net.now()));
  ASSERT_TRUE(put1);
  EXPECT_EQ(put1->stored, 20u);
  net.run_for(10min);
  auto put2 = wait(publisher, publisher.core().put_value(key, to_bytes("seq:2"), net.now()));
  ASSERT_TRUE(put2);
  EXPECT_GE(put2->stored, 19u);
  // Churn: ten nodes leave (including some holders); the publisher goes too.
  for (std::size_t i = 10; i < 19; ++i) net.set_online(nodes[i]->index(), false);
  net.set_online(publisher.index(), false);
  // A device that was offline all along joins through one bootstrap node.
  auto& late = add();
  know(late, *nodes[0]);
  late.core().bootstrap(net.now());
  net.flush(late.index());
  net.run_for(20s);
  auto got = wait(late, late.core().get_value(key, 3, net.now()));
  ASSERT_TRUE(got);
  ASSERT_FALSE(got->failure) << got->failure->message();
  EXPECT_EQ(*got->value, to_bytes("seq:2"));
  EXPECT_GE(got->records, 3u);
  EXPECT_LT(got->elapsed, 10s);
}

TEST_F(KadSim, ProvidersAreFoundAcrossTheNetwork) {
  auto cid = to_bytes("\x12\x20" "0123456789abcdef0123456789abcdef");
  auto& a = *nodes[40];
  auto& b = *nodes[41];
  ASSERT_TRUE(wait(a, a.core().provide(cid, net.now())));
  ASSERT_TRUE(wait(b, b.core().provide(cid, net.now())));
  auto& seeker = *nodes[90];
  auto r = wait(seeker, seeker.core().get_providers(cid, 2, net.now()));
  ASSERT_TRUE(r);
  ASSERT_FALSE(r->failure);
  std::vector<crypto::peer_id> ids;
  for (auto& p : r->providers) ids.push_back(p.id);
  EXPECT_EQ(ids.size(), 2u);
  EXPECT_NE(std::find(ids.begin(), ids.end(), a.id()), ids.end());
  EXPECT_NE(std::find(ids.begin(), ids.end(), b.id()), ids.end());
}

}  // namespace
}  // namespace converge::kad::test
