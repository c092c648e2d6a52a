// The limits objects driven the way a host drives them (docs/LIMITS.md,
// "Hooking it into a host"), in virtual time: a flood of inbound
// connections, streams and uploads against one host_limits.
#include "p2p/limits/host_limits.hpp"

#include <gtest/gtest.h>

#include <map>
#include <optional>

#include "test_support.hpp"

using namespace converge;
using namespace converge::p2p::limits;
using converge::p2p::limits::test::addr;
using converge::p2p::limits::test::peer;

namespace {

// What a host keeps per live connection.
struct live_connection {
  connection_reservation res;
  std::vector<stream_reservation> streams;
};

struct scenario {
  manual_clock clk;
  host_limits lim;
  std::map<connection_id, live_connection> conns;
  connection_id next_id = 1;

  explicit scenario(const limits_config& cfg) : lim(cfg, clk.now()) {}

  // Accept -> secure -> upgrade, as the runtime would; the refusal reason otherwise.
  result<connection_id> accept(const crypto::peer_id& p, const mf::multiaddr& remote) {
    if (auto r = lim.gater.intercept_accept(remote); !r) return fail(r.error());
    auto res = lim.resources.open_connection(direction::inbound);
    if (!res) return fail(res.error());
    if (auto r = lim.gater.intercept_secured(direction::inbound, p, remote); !r) return fail(r.error());
    if (auto r = res->set_peer(p); !r) return fail(r.error());
    auto id = next_id++;
    conns.emplace(id, live_connection{std::move(*res), {}});
    lim.connections.connected(id, p, clk.now());
    for (const auto& d : lim.connections.trim(clk.now())) conns.erase(d.id);  // closing releases everything
    return id;
  }

  result<void> open_stream(connection_id id, std::string_view protocol) {
    auto& c = conns.at(id);
    auto s = lim.resources.open_stream(*c.res.peer(), direction::inbound);
    if (!s) return fail(s.error());
    if (auto r = s->set_protocol(protocol); !r) return fail(r.error());
    c.streams.push_back(std::move(*s));
    return ok();
  }

  void close(connection_id id) {
    conns.erase(id);
    lim.connections.disconnected(id);
  }
};

limits_config scenario_config() {
  auto cfg = parse_limits_config(R"({
    "system": {"conns_inbound": 20},
    "peer": {"conns_inbound": 2, "streams_inbound": 4},
    "protocols": {"/ipfs/bitswap/1.2.0": {"streams_inbound": 6}},
    "connmgr": {"low_water": 4, "high_water": 8, "grace_period_ms": 1000, "silence_period_ms": 1000},
    "gater": {"deny_cidrs": ["10.0.0.0/8"]},
    "bandwidth": {"protocols": {"/ipfs/bitswap/1.2.0": {"outbound": {"bytes_per_second": 100000, "burst": 16384}}}}
  })");
  return cfg.value();
}

}  // namespace

TEST(limits_host_scenario, connection_flood_is_gated_limited_and_trimmed) {
  scenario s(scenario_config());
  auto denied = s.accept(peer(1), addr("/ip4/10.1.1.1/tcp/1"));
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().code, limits_errc::gated);
  EXPECT_TRUE(s.lim.resources.system_usage().empty());  // refused before any reservation

  // Three connections from one peer: the third is over its per-peer limit.
  ASSERT_TRUE(s.accept(peer(2), addr("/ip4/1.1.1.1/tcp/1")));
  ASSERT_TRUE(s.accept(peer(2), addr("/ip4/1.1.1.1/tcp/2")));
  auto third = s.accept(peer(2), addr("/ip4/1.1.1.1/tcp/3"));
  ASSERT_FALSE(third);
  EXPECT_EQ(third.error().detail, "peer " + peer(2).to_string() + ": conns_inbound limit 2 reached");
  EXPECT_EQ(s.lim.resources.transient_usage().conns_inbound, 0u);  // the refused one released on return

  // Many peers: the connection manager trims back to low water once out of grace.
  ASSERT_TRUE(s.lim.connections.protect(peer(2), "update-source"));
  for (std::uint8_t i = 10; i < 18; ++i) ASSERT_TRUE(s.accept(peer(i), addr("/ip4/1.2.3.4/tcp/1")));
  EXPECT_EQ(s.conns.size(), 10u);  // all in grace
  s.clk.advance(2s);
  ASSERT_TRUE(s.accept(peer(30), addr("/ip4/1.2.3.5/tcp/1")));
  EXPECT_EQ(s.conns.size(), 4u);  // low water; the newest and the protected peer stay
  EXPECT_EQ(s.lim.connections.connection_count(), 4u);
  EXPECT_EQ(s.lim.resources.system_usage().conns_inbound, 4u);
  EXPECT_EQ(s.lim.resources.peer_usage(peer(2)).conns_inbound, 2u);
  EXPECT_EQ(s.lim.resources.peer_usage(peer(30)).conns_inbound, 1u);
  EXPECT_EQ(s.lim.resources.peer_scopes(), 3u);
}

TEST(limits_host_scenario, stream_flood_and_paced_upload) {
  scenario s(scenario_config());
  const std::string bitswap = "/ipfs/bitswap/1.2.0";
  auto a = s.accept(peer(1), addr("/ip4/1.1.1.1/tcp/1")).value();
  auto b = s.accept(peer(2), addr("/ip4/1.1.1.2/tcp/1")).value();
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(s.open_stream(a, bitswap));
  auto fifth = s.open_stream(a, bitswap);
  ASSERT_FALSE(fifth);
  EXPECT_EQ(fifth.error().code, limits_errc::stream_limit);
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(s.open_stream(b, bitswap));
  auto proto_full = s.open_stream(b, bitswap);
  ASSERT_FALSE(proto_full);
  EXPECT_EQ(proto_full.error().detail, "protocol " + bitswap + ": streams_inbound limit 6 reached");
  EXPECT_TRUE(s.open_stream(b, "/ipfs/ping/1.0.0"));
  EXPECT_TRUE(s.lim.resources.transient_usage().empty());

  // Send 1 MB of blocks at the configured 100 kB/s in chunks the buckets allow.
  std::uint64_t left = 1'000'000;
  instant start = s.clk.now();
  auto chunk = s.lim.bandwidth.max_chunk(direction::outbound, bitswap);
  EXPECT_EQ(chunk, 16384u);
  while (left > 0) {
    auto n = std::min(left, chunk);
    if (auto r = s.lim.bandwidth.try_consume(direction::outbound, peer(1), bitswap, n, s.clk.now()); !r) {
      ASSERT_EQ(r.error().code, limits_errc::rate_limited);
      s.clk.advance(s.lim.bandwidth.time_until(direction::outbound, peer(1), bitswap, n, s.clk.now()));
      continue;
    }
    s.lim.bandwidth.record(direction::outbound, peer(1), bitswap, n, s.clk.now());
    left -= n;
  }
  auto took = s.clk.now() - start;
  // The first burst is free: (1 MB - 16 KiB) at 100 kB/s.
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::milliseconds>(took).count(), (1'000'000 - 16384) / 100);
  EXPECT_EQ(s.lim.bandwidth.protocol_stats(bitswap, s.clk.now()).total_outbound, 1'000'000u);

  s.close(a);
  s.close(b);
  EXPECT_TRUE(s.lim.resources.system_usage().empty());
  EXPECT_EQ(s.lim.resources.protocol_scopes(), 0u);
  EXPECT_EQ(s.lim.connections.connection_count(), 0u);
}
