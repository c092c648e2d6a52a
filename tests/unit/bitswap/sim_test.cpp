// Bitswap in the deterministic simulator (src/sim): lossy links, several
// seeders, and a swarm where fetchers serve each other.
#include <gtest/gtest.h>

#include "harness.hpp"
#include "sim/network.hpp"

namespace converge::bitswap {
namespace {
using namespace testing;

class sim_node final : public sim::node {
 public:
  explicit sim_node(engine_options o) : eng(store, unixfs::block_links, o) {}
  memory_provider store;
  engine eng;
  std::optional<instant> done_at;
  std::uint64_t egress = 0;
  std::size_t penalties = 0;

  void on_connect(sim::node_index peer, bool, instant now) override { (void)eng.peer_connected(peer, protocol_version::v1_2_0, now); }
  void on_disconnect(sim::node_index peer, instant now) override { eng.peer_disconnected(peer, now); }
  void on_message(sim::node_index from, bytes payload, instant now) override {
    eng.handle_message(from, payload, now);
    drain(now);
  }
  void on_timeout(instant now) override {
    eng.handle_timeout(now);
    drain(now);
  }
  std::optional<instant> poll_timeout() override { return eng.poll_timeout(); }
  std::optional<std::pair<sim::node_index, bytes>> poll_send() override {
    auto out = eng.poll_transmit(last_);
    if (!out) return std::nullopt;
    eng.sent(out->peer, out->payload.size());
    egress += out->payload.size();
    return std::pair{static_cast<sim::node_index>(out->peer), std::move(out->payload)};
  }
  void drain(instant now) {
    last_ = now;
    while (auto e = eng.poll_event()) {
      if (auto* b = std::get_if<events::block_received>(&*e)) {
        store.blocks.emplace(b->block.id, std::move(b->block.data));
        eng.block_added(b->block.id, now);
      } else if (std::holds_alternative<events::session_done>(*e)) {
        done_at = now;
      } else if (std::holds_alternative<events::peer_penalised>(*e)) {
        ++penalties;
      }
    }
  }
  instant last_{};
};

TEST(BitswapSim, FetchFromFourSeedersOverLossyLinks) {
  sim::network net(42, sim::link_params{.latency = 20ms, .jitter = 5ms, .bandwidth = 10 << 20, .loss = 0.05});
  auto d = make_dag(4 << 20, 64 * 1024);
  engine_options o;
  o.request_timeout = 1s;
  std::vector<sim::node_index> seeders;
  for (int i = 0; i < 4; ++i) {
    auto n = std::make_unique<sim_node>(o);
    for (const auto& [c, b] : d.blocks) n->store.blocks.emplace(c, b);
    seeders.push_back(net.add_node(std::move(n)));
  }
  auto fetcher = net.add_node(std::make_unique<sim_node>(o));
  for (auto s : seeders) net.connect(fetcher, s);
  auto& f = net.get<sim_node>(fetcher);
  auto start = net.now();
  ASSERT_TRUE(f.eng.start_session(d.root, net.now()));
  net.flush(fetcher);
  for (int i = 0; i < 600 && !f.done_at; ++i) net.run_for(1s);
  ASSERT_TRUE(f.done_at) << "not done after 600 s of virtual time";
  auto get = [&](const mf::cid& c) { return f.store.get(c); };
  EXPECT_EQ(unixfs::read_file(d.root, get, 1 << 30).value(), d.content);
  EXPECT_GT(net.stats().lost, 0u);
  std::uint64_t served = 0;
  std::size_t serving = 0;
  for (auto s : seeders) {
    auto sent = net.get<sim_node>(s).eng.peer(fetcher)->blocks_sent;
    serving += sent > 0;
    served += sent;
  }
  EXPECT_GE(serving, 3u);
  std::cout << "4 MiB from 4 seeders, 5% loss: " << std::chrono::duration<double>(*f.done_at - start).count()
            << " s virtual, " << served << " blocks served for " << d.blocks.size() << " needed, lost payloads "
            << net.stats().lost << "\n";
}

TEST(BitswapSim, SwarmOfThirtyOneFetchersWithCappedUploads) {
  sim::network net(7, sim::link_params{.latency = 10ms, .jitter = 2ms, .bandwidth = 0, .loss = 0});
  const std::size_t size = 4 << 20;
  auto d = make_dag(size, 256 * 1024);
  engine_options o;
  o.upload_total = {.bytes_per_second = 2 << 20, .burst = 2 << 20};
  o.request_timeout = 5s;
  o.max_inflight_per_peer = 4;
  auto origin = net.add_node(std::make_unique<sim_node>(o));
  for (const auto& [c, b] : d.blocks) net.get<sim_node>(origin).store.blocks.emplace(c, b);
  std::vector<sim::node_index> fetchers;
  for (int i = 0; i < 31; ++i) fetchers.push_back(net.add_node(std::make_unique<sim_node>(o)));
  for (auto f : fetchers) net.connect(f, origin);
  for (std::size_t i = 0; i < fetchers.size(); ++i)
    for (std::size_t j = i + 1; j < fetchers.size(); ++j) net.connect(fetchers[i], fetchers[j]);
  auto start = net.now();
  for (auto f : fetchers) {
    ASSERT_TRUE(net.get<sim_node>(f).eng.start_session(d.root, net.now()));
    net.flush(f);
  }
  auto all_done = [&] {
    for (auto f : fetchers)
      if (!net.get<sim_node>(f).done_at) return false;
    return true;
  };
  for (int i = 0; i < 3600 && !all_done(); ++i) net.run_for(1s);
  ASSERT_TRUE(all_done());
  instant last = start;
  for (auto f : fetchers) {
    auto& n = net.get<sim_node>(f);
    last = std::max(last, *n.done_at);
    auto get = [&](const mf::cid& c) { return n.store.get(c); };
    ASSERT_EQ(unixfs::read_file(d.root, get, 1 << 30).value(), d.content);
  }
  double egress_ratio = static_cast<double>(net.get<sim_node>(origin).egress) / static_cast<double>(size);
  std::cout << "swarm: 1 origin + 31 fetchers, 4 MiB, every node's upload capped at 2 MiB/s: all done in "
            << std::chrono::duration<double>(last - start).count() << " s virtual; origin egress "
            << egress_ratio << " x the artifact\n";
  RecordProperty("origin_egress_ratio", std::to_string(egress_ratio));
}

}  // namespace
}  // namespace converge::bitswap
