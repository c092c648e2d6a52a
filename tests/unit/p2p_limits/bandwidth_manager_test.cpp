#include "p2p/limits/bandwidth_manager.hpp"

#include <gtest/gtest.h>

#include "test_support.hpp"

using namespace converge;
using namespace converge::p2p::limits;
using converge::p2p::limits::test::peer;

namespace {
const std::string bitswap = "/ipfs/bitswap/1.2.0";
}

TEST(limits_bandwidth_manager, counts_bytes_globally_per_peer_and_per_protocol) {
  manual_clock clk;
  bandwidth_manager bw({}, clk.now());
  bw.record(direction::inbound, peer(1), bitswap, 100, clk.now());
  bw.record(direction::outbound, peer(1), bitswap, 40, clk.now());
  bw.record(direction::inbound, peer(2), "/ipfs/ping/1.0.0", 32, clk.now());
  bw.record(direction::inbound, peer(2), "", 7, clk.now());  // before negotiation
  EXPECT_EQ(bw.totals(clk.now()).total_inbound, 139u);
  EXPECT_EQ(bw.totals(clk.now()).total_outbound, 40u);
  EXPECT_EQ(bw.peer_stats(peer(1), clk.now()).total_inbound, 100u);
  EXPECT_EQ(bw.peer_stats(peer(2), clk.now()).total_inbound, 39u);
  EXPECT_EQ(bw.protocol_stats(bitswap, clk.now()).total_outbound, 40u);
  EXPECT_EQ(bw.protocol_stats("/ipfs/ping/1.0.0", clk.now()).total_inbound, 32u);
  EXPECT_EQ(bw.tracked_protocols(), 2u);
  EXPECT_GT(bw.totals(clk.now()).rate_inbound, 0.0);
  EXPECT_EQ(bw.peer_stats(peer(9), clk.now()).total_inbound, 0u);
}

TEST(limits_bandwidth_manager, smoothed_rates_per_peer) {
  manual_clock clk;
  bandwidth_config cfg;
  cfg.rate_time_constant = 1s;
  bandwidth_manager bw(cfg, clk.now());
  for (int i = 0; i < 1000; ++i) {
    bw.record(direction::outbound, peer(1), bitswap, 500, clk.now());  // 50 kB/s
    clk.advance(10ms);
  }
  EXPECT_NEAR(bw.peer_stats(peer(1), clk.now()).rate_outbound, 50'000.0, 1'000.0);
  EXPECT_NEAR(bw.protocol_stats(bitswap, clk.now()).rate_outbound, 50'000.0, 1'000.0);
  EXPECT_EQ(bw.peer_stats(peer(1), clk.now()).rate_inbound, 0.0);
}

TEST(limits_bandwidth_manager, protocol_bucket_caps_one_protocol_only) {
  manual_clock clk;
  bandwidth_config cfg;
  cfg.protocols[bitswap].outbound = {1000, 1000};
  bandwidth_manager bw(cfg, clk.now());
  ASSERT_TRUE(bw.try_consume(direction::outbound, peer(1), bitswap, 1000, clk.now()));
  auto r = bw.try_consume(direction::outbound, peer(2), bitswap, 500, clk.now());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, limits_errc::rate_limited);
  EXPECT_NE(r.error().detail.find("protocol " + bitswap + " outbound rate limit 1000 B/s"), std::string::npos)
      << r.error().detail;
  EXPECT_NE(r.error().detail.find("available in 500 ms"), std::string::npos) << r.error().detail;
  EXPECT_EQ(bw.time_until(direction::outbound, peer(2), bitswap, 500, clk.now()), 500ms);
  EXPECT_TRUE(bw.try_consume(direction::inbound, peer(2), bitswap, 1 << 20, clk.now()));  // inbound unlimited
  EXPECT_TRUE(bw.try_consume(direction::outbound, peer(2), "/other/1", 1 << 20, clk.now()));
  clk.advance(500ms);
  EXPECT_TRUE(bw.try_consume(direction::outbound, peer(2), bitswap, 500, clk.now()));
}

TEST(limits_bandwidth_manager, peer_and_global_buckets) {
  manual_clock clk;
  bandwidth_config cfg;
  cfg.peer.inbound = {100, 100};
  cfg.global.inbound = {150, 150};
  bandwidth_manager bw(cfg, clk.now());
  ASSERT_TRUE(bw.try_consume(direction::inbound, peer(1), "", 100, clk.now()));
  auto per_peer = bw.try_consume(direction::inbound, peer(1), "", 10, clk.now());
  ASSERT_FALSE(per_peer);
  EXPECT_NE(per_peer.error().detail.find("peer " + peer(1).to_string() + " inbound"), std::string::npos);
  ASSERT_TRUE(bw.try_consume(direction::inbound, peer(2), "", 50, clk.now()));
  auto global = bw.try_consume(direction::inbound, peer(3), "", 1, clk.now());
  ASSERT_FALSE(global);
  EXPECT_EQ(global.error().detail.rfind("global inbound rate limit 150 B/s", 0), 0u) << global.error().detail;
  // All or nothing: the refused request took nothing from peer 3's bucket.
  clk.advance(10ms);  // global +1.5
  EXPECT_TRUE(bw.try_consume(direction::inbound, peer(3), "", 1, clk.now()));
  EXPECT_EQ(bw.time_until(direction::inbound, peer(1), "", 100, clk.now()), 990ms);
}

TEST(limits_bandwidth_manager, requests_over_the_smallest_burst_must_be_split) {
  manual_clock clk;
  bandwidth_config cfg;
  cfg.global.outbound = {1 << 20, 64 * 1024};
  cfg.protocols[bitswap].outbound = {1 << 16, 16 * 1024};
  bandwidth_manager bw(cfg, clk.now());
  EXPECT_EQ(bw.max_chunk(direction::outbound, bitswap), 16u * 1024);
  EXPECT_EQ(bw.max_chunk(direction::outbound, "/x"), 64u * 1024);
  EXPECT_EQ(bw.max_chunk(direction::inbound, bitswap), ~0ull);
  auto r = bw.try_consume(direction::outbound, peer(1), bitswap, 16 * 1024 + 1, clk.now());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, limits_errc::invalid_argument);
  EXPECT_NE(r.error().detail.find("split"), std::string::npos);
  EXPECT_EQ(bw.time_until(direction::outbound, peer(1), bitswap, 16 * 1024 + 1, clk.now()), duration::max());
}

TEST(limits_bandwidth_manager, tracked_peers_are_bounded_evicting_the_idlest) {
  manual_clock clk;
  bandwidth_config cfg;
  cfg.max_tracked_peers = 3;
  cfg.max_tracked_protocols = 2;
  bandwidth_manager bw(cfg, clk.now());
  for (std::uint8_t i = 0; i < 3; ++i) {
    bw.record(direction::inbound, peer(i), "", 1, clk.now());
    clk.advance(1s);
  }
  bw.record(direction::inbound, peer(0), "", 1, clk.now());  // peer 0 active again; peer 1 idlest
  clk.advance(1s);
  bw.record(direction::inbound, peer(3), "", 1, clk.now());
  EXPECT_EQ(bw.tracked_peers(), 3u);
  EXPECT_EQ(bw.peer_stats(peer(1), clk.now()).total_inbound, 0u);
  EXPECT_EQ(bw.peer_stats(peer(0), clk.now()).total_inbound, 2u);
  for (int i = 0; i < 10; ++i) bw.record(direction::inbound, peer(0), "/p/" + std::to_string(i), 1, clk.now());
  EXPECT_EQ(bw.tracked_protocols(), 2u);
  EXPECT_EQ(bw.totals(clk.now()).total_inbound, 15u);  // global totals never forget
}

TEST(limits_bandwidth_manager, available_is_the_fewest_tokens_among_the_buckets) {
  manual_clock clk;
  bandwidth_config cfg;
  cfg.global.outbound = {1000, 1000};
  cfg.peer.outbound = {100, 300};
  bandwidth_manager bw(cfg, clk.now());
  EXPECT_EQ(bw.available(direction::outbound, peer(1), bitswap, clk.now()), 300u);  // untracked: full peer bucket
  EXPECT_EQ(bw.available(direction::inbound, peer(1), bitswap, clk.now()), ~0ull);
  ASSERT_TRUE(bw.try_consume(direction::outbound, peer(1), bitswap, 250, clk.now()));
  EXPECT_EQ(bw.available(direction::outbound, peer(1), bitswap, clk.now()), 50u);
  ASSERT_TRUE(bw.try_consume(direction::outbound, peer(2), "", 300, clk.now()));
  ASSERT_TRUE(bw.try_consume(direction::outbound, peer(3), "", 300, clk.now()));
  EXPECT_EQ(bw.available(direction::outbound, peer(4), "", clk.now()), 150u);  // global is now the tighter one
  clk.advance(1s);
  EXPECT_EQ(bw.available(direction::outbound, peer(1), "", clk.now()), 150u);
  auto n = bw.available(direction::outbound, peer(1), "", clk.now());
  EXPECT_TRUE(bw.try_consume(direction::outbound, peer(1), "", n, clk.now()));
}
