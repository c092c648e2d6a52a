#include "p2p/limits/connection_manager.hpp"

#include <gtest/gtest.h>

#include <set>

#include "test_support.hpp"

using namespace converge;
using namespace converge::p2p::limits;
using converge::p2p::limits::test::peer;

namespace {

connmgr_config small(std::size_t low, std::size_t high) {
  connmgr_config c;
  c.low_water = low;
  c.high_water = high;
  c.grace_period = 10s;
  c.silence_period = 5s;
  return c;
}

std::set<std::uint8_t> trimmed_peers(const std::vector<trim_decision>& d) {
  std::set<std::uint8_t> out;
  for (const auto& t : d)
    for (std::uint8_t i = 0; i < 255; ++i)
      if (t.peer == peer(i)) out.insert(i);
  return out;
}

}  // namespace

TEST(limits_connection_manager, nothing_to_trim_at_or_under_high_water) {
  manual_clock clk;
  connection_manager cm(small(2, 4));
  for (std::uint8_t i = 0; i < 4; ++i) cm.connected(i, peer(i), clk.now());
  clk.advance(1h);
  EXPECT_TRUE(cm.trim(clk.now()).empty());
  EXPECT_FALSE(cm.next_trim_at(clk.now()));
}

TEST(limits_connection_manager, trims_lowest_value_first_down_to_low_water) {
  manual_clock clk;
  connection_manager cm(small(3, 5));
  for (std::uint8_t i = 0; i < 6; ++i) {
    cm.connected(i, peer(i), clk.now());
    ASSERT_TRUE(cm.tag_peer(peer(i), "useful", 10 * i));
  }
  ASSERT_TRUE(cm.tag_peer(peer(0), "bitswap", 100));  // peer 0 is now the most useful
  clk.advance(11s);
  auto out = cm.trim(clk.now());
  EXPECT_EQ(trimmed_peers(out), (std::set<std::uint8_t>{1, 2, 3}));
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].peer, peer(1));  // lowest value first
  EXPECT_EQ(out[1].peer, peer(2));
  EXPECT_EQ(out[2].peer, peer(3));
  EXPECT_NE(out[0].reason.find("over high water 5"), std::string::npos) << out[0].reason;
  EXPECT_NE(out[0].reason.find("peer value 10"), std::string::npos) << out[0].reason;
  EXPECT_EQ(cm.connection_count(), 3u);
  EXPECT_EQ(cm.peer_value(peer(1)), 10);  // tags outlive the connections
  cm.disconnected(out[0].id);            // the host's close report is harmless
  EXPECT_EQ(cm.connection_count(), 3u);
}

TEST(limits_connection_manager, protected_peers_are_never_trimmed) {
  manual_clock clk;
  connection_manager cm(small(0, 2));
  for (std::uint8_t i = 0; i < 4; ++i) {
    cm.connected(i, peer(i), clk.now());
    ASSERT_TRUE(cm.protect(peer(i), "relay"));
  }
  ASSERT_TRUE(cm.protect(peer(0), "update-source"));
  clk.advance(1min);
  EXPECT_TRUE(cm.trim(clk.now()).empty());
  EXPECT_FALSE(cm.next_trim_at(clk.now()));  // nothing will ever be trimmable
  EXPECT_TRUE(cm.unprotect(peer(0), "relay"));  // still protected by another tag
  EXPECT_FALSE(cm.unprotect(peer(1), "relay"));
  EXPECT_TRUE(cm.is_protected(peer(0)));
  EXPECT_FALSE(cm.is_protected(peer(1)));
  auto out = cm.trim(clk.now());
  EXPECT_EQ(trimmed_peers(out), (std::set<std::uint8_t>{1}));
  EXPECT_EQ(cm.connection_count(), 3u);  // no other candidate, though above low water
}

TEST(limits_connection_manager, grace_period_is_respected) {
  manual_clock clk;
  connection_manager cm(small(1, 2));
  cm.connected(1, peer(1), clk.now());
  cm.connected(2, peer(2), clk.now());
  clk.advance(8s);
  cm.connected(3, peer(3), clk.now());  // young
  clk.advance(3s);                      // peers 1, 2 out of grace; 3 is 3 s old
  auto at = cm.next_trim_at(clk.now());
  ASSERT_TRUE(at);
  EXPECT_EQ(*at, clk.now());
  auto out = cm.trim(clk.now());
  EXPECT_EQ(trimmed_peers(out), (std::set<std::uint8_t>{1, 2}));  // peer 3 is kept although over low water
  EXPECT_EQ(cm.connection_count(), 1u);

  // Now only young peers remain over high water: next_trim_at is their grace end.
  connection_manager young(small(0, 1));
  instant t0 = clk.now();
  young.connected(1, peer(1), t0);
  young.connected(2, peer(2), t0 + 2s);
  EXPECT_TRUE(young.trim(t0 + 5s).empty());
  EXPECT_EQ(young.next_trim_at(t0 + 5s), t0 + 10s);
  EXPECT_EQ(trimmed_peers(young.trim(t0 + 10s)), (std::set<std::uint8_t>{1}));
}

TEST(limits_connection_manager, silence_period_between_trims) {
  manual_clock clk;
  connection_manager cm(small(1, 2));
  for (std::uint8_t i = 0; i < 3; ++i) cm.connected(i, peer(i), clk.now());
  clk.advance(20s);
  ASSERT_FALSE(cm.trim(clk.now()).empty());
  for (std::uint8_t i = 10; i < 13; ++i) cm.connected(i, peer(i), clk.now() - 20s);  // out of grace already
  EXPECT_TRUE(cm.trim(clk.now() + 4s).empty());
  EXPECT_EQ(cm.next_trim_at(clk.now()), clk.now() + 5s);
  EXPECT_FALSE(cm.trim(clk.now() + 5s).empty());
}

TEST(limits_connection_manager, whole_peers_go_and_ties_prefer_more_connections) {
  manual_clock clk;
  connection_manager cm(small(2, 3));
  cm.connected(1, peer(1), clk.now());
  cm.connected(2, peer(2), clk.now());
  cm.connected(3, peer(2), clk.now());
  cm.connected(4, peer(3), clk.now());
  EXPECT_EQ(cm.connections_of(peer(2)), 2u);
  clk.advance(11s);
  auto out = cm.trim(clk.now());
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(trimmed_peers(out), (std::set<std::uint8_t>{2}));
  EXPECT_EQ(cm.connection_count(), 2u);
}

TEST(limits_connection_manager, first_seen_is_the_oldest_current_connection) {
  manual_clock clk;
  connection_manager cm(small(0, 1));
  instant t0 = clk.now();
  cm.connected(1, peer(1), t0);
  cm.disconnected(1);
  cm.connected(2, peer(1), t0 + 30s);  // a reconnect starts a new grace period
  cm.connected(3, peer(2), t0 + 30s);
  EXPECT_TRUE(cm.trim(t0 + 35s).empty());
  EXPECT_FALSE(cm.trim(t0 + 40s).empty());
}

TEST(limits_connection_manager, tags_values_and_bounds) {
  connmgr_config cfg = small(1, 2);
  cfg.max_tags_per_peer = 2;
  cfg.max_tracked_peers = 3;
  connection_manager cm(cfg);
  ASSERT_TRUE(cm.tag_peer(peer(1), "a", 5));
  ASSERT_TRUE(cm.tag_peer(peer(1), "b", -2));
  ASSERT_TRUE(cm.tag_peer(peer(1), "a", 7));  // replaces
  EXPECT_EQ(cm.peer_value(peer(1)), 5);
  auto third = cm.tag_peer(peer(1), "c", 1);
  ASSERT_FALSE(third);
  EXPECT_EQ(third.error().code, limits_errc::invalid_argument);
  ASSERT_TRUE(cm.tag_peer(peer(1), "x", std::numeric_limits<std::int64_t>::max()).has_value() == false);
  cm.untag_peer(peer(1), "b");
  ASSERT_TRUE(cm.tag_peer(peer(1), "big", std::numeric_limits<std::int64_t>::max()));
  EXPECT_EQ(cm.peer_value(peer(1)), std::numeric_limits<std::int64_t>::max());  // saturates

  ASSERT_TRUE(cm.tag_peer(peer(2), "a", 1));
  ASSERT_TRUE(cm.protect(peer(3), "p"));
  auto full = cm.tag_peer(peer(4), "a", 1);
  ASSERT_FALSE(full);
  EXPECT_NE(full.error().detail.find("tracks 3 peers"), std::string::npos);
  EXPECT_EQ(cm.tracked_peers(), 3u);
  cm.untag_peer(peer(2), "a");  // an idle peer is forgotten
  EXPECT_EQ(cm.tracked_peers(), 2u);
  EXPECT_TRUE(cm.tag_peer(peer(4), "a", 1));
  // Connected peers do not count against the bound.
  manual_clock clk;
  for (std::uint8_t i = 10; i < 20; ++i) cm.connected(i, peer(i), clk.now());
  EXPECT_EQ(cm.tracked_peers(), 13u);
  EXPECT_TRUE(cm.tag_peer(peer(10), "a", 1));
}

TEST(limits_connection_manager, connected_is_idempotent_and_unknown_disconnects_are_ignored) {
  manual_clock clk;
  connection_manager cm(small(1, 2));
  cm.connected(1, peer(1), clk.now());
  cm.connected(1, peer(1), clk.now());
  EXPECT_EQ(cm.connection_count(), 1u);
  cm.disconnected(99);
  cm.disconnected(1);
  cm.disconnected(1);
  EXPECT_EQ(cm.connection_count(), 0u);
  EXPECT_EQ(cm.tracked_peers(), 0u);
}
