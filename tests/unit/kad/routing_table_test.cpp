#include <gtest/gtest.h>

#include <algorithm>

#include "harness.hpp"
#include "kad/routing_table.hpp"

namespace converge::kad {
namespace {

// Peers whose key falls in bucket `cpl` of `self`.
std::vector<crypto::peer_id> peers_in_bucket(rng& r, const crypto::peer_id& self, unsigned cpl, std::size_t n) {
  auto sk = kad_key::of(self.to_bytes());
  std::vector<crypto::peer_id> out;
  while (out.size() < n) {
    auto p = test::make_peer(r);
    if (common_prefix_length(sk, kad_key::of(p.to_bytes())) == cpl) out.push_back(p);
  }
  return out;
}

struct RoutingTable : ::testing::Test {
  deterministic_rng r{11};
  crypto::peer_id self = test::make_peer(r);
  routing_options opts = [] {
    routing_options o;
    o.k = 4;
    o.replacement_cache = 2;
    o.liveness_interval = 10min;
    return o;
  }();
  routing_table table{self, opts};
  instant t0{std::chrono::hours{1}};
};

TEST_F(RoutingTable, RefusesSelfAndCountsPeers) {
  EXPECT_EQ(table.observe(peer_info{self, {}, {}}, t0), insert_result::self);
  auto ps = peers_in_bucket(r, self, 0, 3);
  for (auto& p : ps) EXPECT_EQ(table.observe(peer_info{p, {}, {}}, t0), insert_result::added);
  EXPECT_EQ(table.observe(peer_info{ps[0], {bytes{1}}, {}}, t0), insert_result::updated);
  EXPECT_EQ(table.size(), 3u);
  EXPECT_EQ(table.find(ps[0])->peer.addrs, std::vector<bytes>{bytes{1}});
  EXPECT_EQ(table.deepest_bucket(), 0u);
}

TEST_F(RoutingTable, FullBucketCachesNewcomersUpToTheBound) {
  auto ps = peers_in_bucket(r, self, 1, 7);
  for (std::size_t i = 0; i < 4; ++i) table.observe(peer_info{ps[i], {}, {}}, t0);
  EXPECT_EQ(table.observe(peer_info{ps[4], {}, {}}, t0), insert_result::cached);
  EXPECT_EQ(table.observe(peer_info{ps[5], {}, {}}, t0), insert_result::cached);
  EXPECT_EQ(table.observe(peer_info{ps[6], {}, {}}, t0), insert_result::cached);
  EXPECT_EQ(table.bucket_size(1), 4u);
  EXPECT_EQ(table.replacements(1), 2u);  // the oldest newcomer (ps[4]) fell out
  // All peers are fresh: no liveness check asked for.
  EXPECT_TRUE(table.take_liveness_checks(t0).empty());
  // Removing a member promotes the newest replacement.
  EXPECT_TRUE(table.remove(ps[0]));
  EXPECT_TRUE(table.contains(ps[6]));
  EXPECT_FALSE(table.contains(ps[4]));
}

TEST_F(RoutingTable, QuietOldestPeerIsCheckedAndEvictedWhenDead) {
  auto ps = peers_in_bucket(r, self, 2, 6);
  for (std::size_t i = 0; i < 4; ++i) table.observe(peer_info{ps[i], {}, {}}, t0);
  auto later = t0 + 11min;
  // Keep ps[1..3] fresh so only ps[0] is stale.
  for (std::size_t i = 1; i < 4; ++i) table.observe(peer_info{ps[i], {}, {}}, later);
  EXPECT_EQ(table.observe(peer_info{ps[4], {}, {}}, later), insert_result::cached);
  auto checks = table.take_liveness_checks(later);
  ASSERT_EQ(checks.size(), 1u);
  EXPECT_EQ(checks[0].id, ps[0]);
  EXPECT_TRUE(table.take_liveness_checks(later).empty());  // handed out once
  table.liveness_result(ps[0], false, later);
  EXPECT_FALSE(table.contains(ps[0]));
  EXPECT_TRUE(table.contains(ps[4]));
}

TEST_F(RoutingTable, LivePeerStaysAndNewcomerWaits) {
  auto ps = peers_in_bucket(r, self, 2, 5);
  for (std::size_t i = 0; i < 4; ++i) table.observe(peer_info{ps[i], {}, {}}, t0);
  auto later = t0 + 11min;
  table.observe(peer_info{ps[4], {}, {}}, later);
  auto checks = table.take_liveness_checks(later);
  ASSERT_FALSE(checks.empty());
  for (auto& c : checks) table.liveness_result(c.id, true, later);
  EXPECT_TRUE(table.contains(ps[0]));
  EXPECT_FALSE(table.contains(ps[4]));
  EXPECT_EQ(table.replacements(2), 1u);
}

TEST_F(RoutingTable, EvictsAfterRepeatedFailures) {
  auto ps = peers_in_bucket(r, self, 0, 2);
  table.observe(peer_info{ps[0], {}, {}}, t0);
  table.record_failure(ps[0]);
  EXPECT_TRUE(table.contains(ps[0]));
  table.observe(peer_info{ps[0], {}, {}}, t0);  // success resets the count
  table.record_failure(ps[0]);
  EXPECT_TRUE(table.contains(ps[0]));
  table.record_failure(ps[0]);
  EXPECT_FALSE(table.contains(ps[0]));
}

TEST_F(RoutingTable, ClosestIsSortedByXorDistance) {
  routing_table big(self, routing_options{});
  std::vector<crypto::peer_id> all;
  for (int i = 0; i < 60; ++i) {
    all.push_back(test::make_peer(r));
    big.observe(peer_info{all.back(), {}, {}}, t0);
  }
  auto target = kad_key::of(as_bytes("target"));
  auto got = big.closest(target, 10);
  ASSERT_EQ(got.size(), 10u);
  // Compare with a brute-force sort over the peers the table kept.
  std::vector<crypto::peer_id> kept;
  for (auto& p : all)
    if (big.contains(p)) kept.push_back(p);
  std::sort(kept.begin(), kept.end(), [&](auto& a, auto& b) {
    return closer(target, kad_key::of(a.to_bytes()), kad_key::of(b.to_bytes()));
  });
  for (std::size_t i = 0; i < 10; ++i) EXPECT_EQ(got[i].id, kept[i]);
  EXPECT_EQ(big.closest(target, 1000).size(), big.size());
}

}  // namespace
}  // namespace converge::kad
