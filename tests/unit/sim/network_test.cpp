// The simulator's network model with a scripted node: latency and FIFO,
// bandwidth, loss, partitions, churn and jumping to the next wake-up.
#include "sim/network.hpp"

#include <gtest/gtest.h>

#include <deque>

namespace converge::sim {
namespace {

// Records arrivals; sends what the test queues; wakes at `wake` once.
class probe final : public node {
 public:
  void on_connect(node_index p, bool outbound, instant) override { connects.emplace_back(p, outbound); }
  void on_disconnect(node_index p, instant) override { disconnects.push_back(p); }
  void on_message(node_index from, bytes payload, instant now) override { got.push_back({from, std::move(payload), now}); }
  void on_timeout(instant now) override {
    fired.push_back(now);
    wake.reset();
  }
  std::optional<instant> poll_timeout() override { return wake; }
  std::optional<std::pair<node_index, bytes>> poll_send() override {
    if (out.empty()) return std::nullopt;
    auto o = std::move(out.front());
    out.pop_front();
    return o;
  }
  struct arrival {
    node_index from;
    bytes payload;
    instant at;
  };
  std::vector<arrival> got;
  std::vector<std::pair<node_index, bool>> connects;
  std::vector<node_index> disconnects;
  std::vector<instant> fired;
  std::deque<std::pair<node_index, bytes>> out;
  std::optional<instant> wake;
};

struct net_fixture : ::testing::Test {
  network net{7};
  node_index a = net.add_node(std::make_unique<probe>());
  node_index b = net.add_node(std::make_unique<probe>());
  probe& pa() { return net.get<probe>(a); }
  probe& pb() { return net.get<probe>(b); }
  void send(node_index from, node_index to, std::size_t n) {
    net.get<probe>(from).out.emplace_back(to, bytes(n, 0x42));
    net.flush(from);
  }
};

TEST_F(net_fixture, LatencyAndFifo) {
  net.connect(a, b);
  EXPECT_EQ(pa().connects[0], std::pair(b, true));
  EXPECT_EQ(pb().connects[0], std::pair(a, false));
  net.set_link(a, b, {.latency = 50ms, .jitter = 40ms});
  auto t0 = net.now();
  for (std::size_t i = 1; i <= 20; ++i) send(a, b, i);
  net.run_for(1s);
  ASSERT_EQ(pb().got.size(), 20u);
  for (std::size_t i = 0; i < 20; ++i) {
    EXPECT_EQ(pb().got[i].payload.size(), i + 1);  // in order despite jitter
    EXPECT_GE(pb().got[i].at - t0, 50ms);
    EXPECT_LE(pb().got[i].at - t0, 90ms);
  }
  EXPECT_EQ(net.now(), t0 + 1s);
}

TEST_F(net_fixture, BandwidthSerialisesPayloads) {
  net.connect(a, b);
  net.set_link(a, b, {.latency = 10ms, .bandwidth = 1000});
  auto t0 = net.now();
  send(a, b, 500);
  send(a, b, 500);
  net.run_for(5s);
  ASSERT_EQ(pb().got.size(), 2u);
  EXPECT_EQ(pb().got[0].at - t0, 510ms);
  EXPECT_EQ(pb().got[1].at - t0, 1010ms);
}

TEST_F(net_fixture, LossDropsAboutThatFraction) {
  net.connect(a, b);
  net.set_link(a, b, {.latency = 1ms, .loss = 0.2});
  for (int i = 0; i < 1000; ++i) send(a, b, 1);
  net.run_for(1s);
  EXPECT_EQ(pb().got.size() + net.stats().lost, 1000u);
  EXPECT_NEAR(static_cast<double>(net.stats().lost), 200, 50);
}

TEST_F(net_fixture, PartitionDropsUntilHealed) {
  net.connect(a, b);
  net.partition({0, 1});
  send(a, b, 1);
  net.run_for(1s);
  EXPECT_TRUE(pb().got.empty());
  EXPECT_EQ(net.stats().partitioned, 1u);
  net.heal();
  send(a, b, 1);
  net.run_for(1s);
  EXPECT_EQ(pb().got.size(), 1u);
}

TEST_F(net_fixture, PartitionAlsoCatchesPayloadsInFlight) {
  net.connect(a, b);
  send(a, b, 1);
  net.partition({0, 1});
  net.run_for(1s);
  EXPECT_TRUE(pb().got.empty());
}

TEST_F(net_fixture, OfflineNodeLosesConnectionsAndSleeps) {
  net.connect(a, b);
  pb().wake = net.now() + 10ms;
  net.flush(b);
  send(a, b, 1);
  net.set_online(b, false);
  EXPECT_EQ(pa().disconnects, std::vector<node_index>{b});
  EXPECT_FALSE(net.connected(a, b));
  net.run_for(1s);
  EXPECT_TRUE(pb().got.empty());
  EXPECT_TRUE(pb().fired.empty());
  net.set_online(b, true);
  net.connect(a, b);
  send(a, b, 1);
  net.run_for(1s);
  EXPECT_EQ(pb().got.size(), 1u);
}

TEST_F(net_fixture, JumpsStraightToTheNextWakeUp) {
  auto t0 = net.now();
  pa().wake = t0 + 3600s;
  net.flush(a);
  net.run_for(7200s);
  ASSERT_EQ(pa().fired.size(), 1u);
  EXPECT_EQ(pa().fired[0], t0 + 3600s);
  EXPECT_EQ(net.stats().timeouts, 1u);
}

TEST_F(net_fixture, NothingFlowsWithoutAConnection) {
  send(a, b, 1);
  net.run_for(1s);
  EXPECT_TRUE(pb().got.empty());
  EXPECT_EQ(net.stats().not_connected, 1u);
}

}  // namespace
}  // namespace converge::sim
