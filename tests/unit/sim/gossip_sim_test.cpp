// GossipSub in the simulator: 100+ real routers on a random topology, with
// loss, a healing partition, churn and Sybil spammers. Assertions are on
// outcomes and virtual time only; each test prints its delivery report.
#include <gtest/gtest.h>

#include <cstdio>

#include "gossip_node.hpp"

namespace converge::sim::test {
namespace {

constexpr const char* topic = "t";

pubsub::router_options scored() {
  pubsub::router_options o;
  o.score = pubsub::score_params{};
  o.score->topics[topic] = pubsub::topic_score_params{};
  return o;
}

class gossip_sim {
 public:
  gossip_sim(std::uint64_t seed, std::size_t n, pubsub::router_options o, link_params lp = {.latency = 30ms, .jitter = 20ms})
      : net(seed, lp), dir(std::make_shared<directory>()) {
    for (std::size_t i = 0; i < n; ++i) add(o, "10.0." + std::to_string(i / 250) + "." + std::to_string(i % 250));
  }
  node_index add(const pubsub::router_options& o, std::string ip) {
    auto i = net.add_node(std::make_unique<gossip_node>(seed_base + net.size(), o, dir, net.now(), ip));
    ips.push_back(ip);
    node(i).ip_of_peer = [this](node_index p) { return ips.at(p); };
    return i;
  }
  gossip_node& node(node_index i) { return net.get<gossip_node>(i); }
  // A ring (connectivity) plus `extra` random dials per node.
  void random_topology(std::size_t first, std::size_t count, std::size_t extra) {
    auto& r = net.random();
    for (std::size_t i = first; i < first + count; ++i) {
      net.connect(static_cast<node_index>(i), static_cast<node_index>(first + (i - first + 1) % count));
      for (std::size_t k = 0; k < extra; ++k)
        net.connect(static_cast<node_index>(i), static_cast<node_index>(first + r.uniform(count)));
    }
  }
  void subscribe_all() {
    for (node_index i = 0; i < net.size(); ++i) {
      EXPECT_TRUE(node(i).router().subscribe(topic, net.now()));
      net.flush(i);
    }
  }
  std::string publish(node_index from, const std::string& data) {
    EXPECT_TRUE(node(from).router().publish(topic, as_bytes(data), net.now()));
    net.flush(from);
    return data;
  }
  struct report {
    std::size_t reached = 0, targets = 0;
    std::uint64_t duplicates = 0;
    double ratio() const { return targets ? static_cast<double>(reached) / static_cast<double>(targets) : 1; }
  };
  // Delivery of `msgs` to the nodes in [first, last) (the publisher counts as reached).
  report delivery(const std::vector<std::string>& msgs, std::size_t first, std::size_t last,
                  const std::vector<node_index>& publishers = {}) {
    report r;
    for (std::size_t m = 0; m < msgs.size(); ++m)
      for (std::size_t i = first; i < last; ++i) {
        ++r.targets;
        auto& d = node(static_cast<node_index>(i)).delivered;
        bool own = m < publishers.size() && publishers[m] == i;
        if (own || d.contains(msgs[m])) ++r.reached;
        if (d.contains(msgs[m])) {
          EXPECT_EQ(d[msgs[m]], 1) << "delivered twice to the application";
        }
      }
    for (std::size_t i = first; i < last; ++i) r.duplicates += node(static_cast<node_index>(i)).router().counters().duplicates;
    return r;
  }
  static void print(const char* name, const report& r, const network& net) {
    std::printf("[sim] %s: delivery %zu/%zu (%.4f), duplicate receipts %llu, payloads sent %llu lost %llu partitioned %llu\n",
                name, r.reached, r.targets, r.ratio(), static_cast<unsigned long long>(r.duplicates),
                static_cast<unsigned long long>(net.stats().sent), static_cast<unsigned long long>(net.stats().lost),
                static_cast<unsigned long long>(net.stats().partitioned));
  }

  network net;
  std::shared_ptr<directory> dir;
  std::vector<std::string> ips;
  std::uint64_t seed_base = 10'000;
};

TEST(GossipSim, RandomTopologyDeliversToEveryNode) {
  gossip_sim s(1, 120, scored());
  s.random_topology(0, 120, 4);
  s.subscribe_all();
  s.net.run_for(10s);
  for (node_index i = 0; i < 120; ++i) {
    auto m = s.node(i).router().mesh(topic).size();
    EXPECT_GE(m, 4u);  // D_low may be missed briefly by peers with few connections
    EXPECT_LE(m, 12u);
  }
  auto t0 = s.net.now();
  std::vector<std::string> msgs{s.publish(0, "release 1")};
  s.net.run_for(2s);
  auto r = s.delivery(msgs, 0, 120, {0});
  gossip_sim::print("random topology, 120 nodes", r, s.net);
  EXPECT_EQ(r.reached, r.targets);
  EXPECT_EQ(s.net.now(), t0 + 2s);
}

TEST(GossipSim, TwentyPercentLossIsRecoveredByGossip) {
  gossip_sim s(2, 120, scored());
  s.random_topology(0, 120, 4);
  s.subscribe_all();
  s.net.run_for(10s);
  s.net.set_default_link({.latency = 30ms, .jitter = 20ms, .loss = 0.2});
  std::vector<std::string> msgs;
  std::vector<node_index> pubs;
  for (int k = 0; k < 10; ++k) {
    auto from = static_cast<node_index>(s.net.random().uniform(120));
    pubs.push_back(from);
    msgs.push_back(s.publish(from, "lossy " + std::to_string(k)));
    s.net.run_for(1s);
  }
  s.net.run_for(10s);
  auto r = s.delivery(msgs, 0, 120, pubs);
  gossip_sim::print("20% loss, 120 nodes, 10 messages", r, s.net);
  EXPECT_GT(s.net.stats().lost, 0u);
  EXPECT_EQ(r.reached, r.targets);
}

TEST(GossipSim, PartitionThatHealsIsRecoveredByIhaveIwant) {
  gossip_sim s(3, 120, pubsub::router_options{});
  s.random_topology(0, 120, 4);
  s.subscribe_all();
  s.net.run_for(10s);
  std::vector<int> group(120);
  for (std::size_t i = 0; i < 120; ++i) group[i] = i < 60 ? 0 : 1;
  s.net.partition(group);
  std::vector<std::string> msgs{s.publish(0, "during partition")};
  s.net.run_for(1500ms);
  auto during = s.delivery(msgs, 60, 120);
  EXPECT_EQ(during.reached, 0u);
  EXPECT_EQ(s.delivery(msgs, 0, 60, {0}).reached, 60u);
  s.net.heal();
  s.net.run_for(10s);
  auto r = s.delivery(msgs, 0, 120, {0});
  gossip_sim::print("partition healed after 1.5 s, 120 nodes", r, s.net);
  EXPECT_EQ(r.reached, r.targets);
  // Forwarding happens once, on first receipt: the far side can only have learnt it by IWANT.
  std::uint64_t served = 0;
  for (node_index i = 0; i < 120; ++i) served += s.node(i).router().counters().iwant_served;
  EXPECT_GT(served, 0u);
}

TEST(GossipSim, ChurnKeepsStableNodesAtFullDelivery) {
  gossip_sim s(4, 120, scored());
  s.random_topology(0, 120, 4);
  s.subscribe_all();
  s.net.run_for(10s);
  auto& r = s.net.random();
  std::vector<std::string> msgs;
  std::vector<node_index> pubs;
  std::vector<node_index> offline;
  for (int k = 0; k < 20; ++k) {
    // Nodes 60..119 churn: 4 leave, up to 4 come back and dial 5 random online nodes.
    for (int j = 0; j < 4; ++j) {
      auto i = static_cast<node_index>(60 + r.uniform(60));
      if (!s.net.online(i)) continue;
      s.net.set_online(i, false);
      offline.push_back(i);
    }
    for (int j = 0; j < 4 && offline.size() > 8; ++j) {
      auto i = offline.front();
      offline.erase(offline.begin());
      s.net.set_online(i, true);
      for (int c = 0; c < 5; ++c) {
        auto peer = static_cast<node_index>(r.uniform(120));
        if (s.net.online(peer)) s.net.connect(i, peer);
      }
    }
    pubs.push_back(0);
    msgs.push_back(s.publish(0, "churn " + std::to_string(k)));
    s.net.run_for(1s);
  }
  s.net.run_for(10s);
  auto stable = s.delivery(msgs, 0, 60, pubs);
  auto all = s.delivery(msgs, 0, 120, pubs);
  gossip_sim::print("churn: stable half (nodes 0-59)", stable, s.net);
  gossip_sim::print("churn: all nodes incl. churning ones", all, s.net);
  EXPECT_EQ(stable.reached, stable.targets);
}

TEST(GossipSim, SybilSpammersAreGraylistedAndHonestDeliveryStaysFull) {
  auto honest = scored();
  auto& tp = honest.score->topics[topic];
  tp.invalid_message_deliveries_weight = -10;
  tp.invalid_message_deliveries_decay = 0.9;
  gossip_sim s(5, 100, honest);
  for (node_index i = 0; i < 100; ++i)
    s.node(i).router().set_validator(topic, [](const crypto::peer_id&, const pubsub::pb::Message& m) {
      return m.data().starts_with("spam") ? pubsub::validator_verdict::reject : pubsub::validator_verdict::accept;
    });
  // 20 Sybils behind one IP, each dialing 8 honest nodes.
  for (int k = 0; k < 20; ++k) {
    auto i = s.add(pubsub::router_options{}, "10.66.0.1");
    s.node(i).spammer = true;
  }
  s.random_topology(0, 100, 4);
  for (node_index i = 100; i < 120; ++i)
    for (int c = 0; c < 8; ++c) s.net.connect(i, static_cast<node_index>(s.net.random().uniform(100)));
  s.subscribe_all();
  s.net.run_for(20s);
  std::vector<std::string> msgs;
  std::vector<node_index> pubs;
  for (int k = 0; k < 10; ++k) {
    auto from = static_cast<node_index>(s.net.random().uniform(100));
    pubs.push_back(from);
    msgs.push_back(s.publish(from, "honest " + std::to_string(k)));
    s.net.run_for(1s);
  }
  s.net.run_for(5s);
  auto r = s.delivery(msgs, 0, 100, pubs);
  gossip_sim::print("Sybil: 100 honest + 20 spammers", r, s.net);
  EXPECT_EQ(r.reached, r.targets);
  std::uint64_t graylisted = 0;
  std::size_t links = 0, graylisted_links = 0;
  for (node_index i = 0; i < 100; ++i) {
    for (const auto& [data, n] : s.node(i).delivered) {
      EXPECT_FALSE(data.starts_with("spam")) << "spam delivered";
    }
    graylisted += s.node(i).router().counters().graylisted_rpcs;
    for (auto p : s.net.connections(i)) {
      if (p < 100) continue;
      ++links;
      double sc = s.node(i).router().score(s.dir->ids[p], s.net.now());
      if (sc < pubsub::score_thresholds{}.graylist_threshold) ++graylisted_links;
      EXPECT_FALSE(s.node(i).router().mesh(topic).contains(s.dir->ids[p]));
    }
  }
  std::printf("[sim] Sybil: %zu/%zu honest->spammer links graylisted, %llu RPCs ignored\n", graylisted_links, links,
              static_cast<unsigned long long>(graylisted));
  EXPECT_GT(graylisted, 0u);
  EXPECT_EQ(graylisted_links, links);
}

TEST(GossipSim, AsyncValidationForwardsOnlyAcceptedMessages) {
  gossip_sim s(6, 100, scored());
  for (node_index i = 0; i < 100; ++i) {
    s.node(i).router().set_validator(topic, [](const crypto::peer_id&, const pubsub::pb::Message&) {
      return pubsub::validator_verdict::defer;
    });
    s.node(i).async_validator = [](const pubsub::pb::Message& m) {
      return m.data().starts_with("bad") ? pubsub::validation_result::reject : pubsub::validation_result::accept;
    };
  }
  s.random_topology(0, 100, 4);
  s.subscribe_all();
  s.net.run_for(10s);
  auto t0 = s.net.now();
  std::vector<std::string> good{s.publish(5, "good 1")};
  s.publish(7, "bad 1");  // the publisher's own router does not validate its messages
  s.net.run_for(5s);
  auto r = s.delivery(good, 0, 100, {5});
  gossip_sim::print("async validation (50 ms per hop), 100 nodes", r, s.net);
  EXPECT_EQ(r.reached, r.targets);
  std::size_t bad = 0;
  for (node_index i = 0; i < 100; ++i) bad += s.node(i).delivered.count("bad 1");
  EXPECT_EQ(bad, 0u);  // rejected at the first hop, never forwarded
  std::uint64_t rejected = 0;
  for (node_index i = 0; i < 100; ++i) rejected += s.node(i).router().counters().rejected;
  EXPECT_GT(rejected, 0u);
  EXPECT_EQ(s.net.now(), t0 + 5s);
}

TEST(GossipSim, SameSeedSameRun) {
  auto run = [] {
    gossip_sim s(9, 40, scored());
    s.random_topology(0, 40, 3);
    s.subscribe_all();
    s.net.run_for(5s);
    s.publish(3, "x");
    s.net.run_for(3s);
    return std::tuple(s.net.stats().sent, s.net.stats().delivered, s.net.stats().bytes_delivered);
  };
  EXPECT_EQ(run(), run());
}

}  // namespace
}  // namespace converge::sim::test
