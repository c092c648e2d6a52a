// Seeded random operation sequences against the resource manager and the
// connection manager, checking their invariants after every step: usage never
// passes a limit, every scope's usage is exactly the sum of the live
// reservations in it, and trimming never touches protected or young peers.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <vector>

#include "base/rng.hpp"
#include "p2p/limits/connection_manager.hpp"
#include "p2p/limits/resource_manager.hpp"
#include "test_support.hpp"

using namespace converge;
using namespace converge::p2p::limits;
using converge::p2p::limits::test::peer;

namespace {

const std::vector<std::string> protocols = {"/a/1", "/b/1", "/c/1"};

void within(const scope_usage& u, const scope_limits& l, const std::string& what) {
  EXPECT_LE(u.conns_inbound, l.conns_inbound) << what;
  EXPECT_LE(u.conns_outbound, l.conns_outbound) << what;
  EXPECT_LE(u.conns_inbound + u.conns_outbound, l.conns) << what;
  EXPECT_LE(u.streams_inbound, l.streams_inbound) << what;
  EXPECT_LE(u.streams_outbound, l.streams_outbound) << what;
  EXPECT_LE(u.streams_inbound + u.streams_outbound, l.streams) << what;
  EXPECT_LE(u.memory, l.memory) << what;
}

void add_conn(scope_usage& u, const connection_reservation& c) {
  (c.dir() == direction::inbound ? u.conns_inbound : u.conns_outbound) += 1;
  u.memory += c.memory();
}
void add_stream(scope_usage& u, const stream_reservation& s) {
  (s.dir() == direction::inbound ? u.streams_inbound : u.streams_outbound) += 1;
  u.memory += s.memory();
}

}  // namespace

TEST(limits_randomized, resource_manager_usage_matches_live_reservations) {
  std::size_t refusals = 0;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    SCOPED_TRACE(seed);
    deterministic_rng rng(seed);
    resource_limits lim;
    lim.system = {6, 6, 10, 20, 20, 30, 5000};
    lim.transient = {3, 3, 5, 6, 6, 10, 2000};
    lim.peer = {2, 2, 3, 5, 5, 8, 1500};
    lim.protocol = {unlimited, unlimited, unlimited, 4, 4, 6, 1200};
    lim.service = {unlimited, unlimited, unlimited, 3, 3, 5, 1000};
    lim.connection_memory = 700;
    lim.stream_memory = 400;
    resource_manager rm(lim);
    std::vector<connection_reservation> conns;
    std::vector<stream_reservation> streams;
    auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng.uniform(n)); };
    auto dir = [&] { return rng.uniform(2) ? direction::inbound : direction::outbound; };
    auto prio = [&] { return static_cast<memory_priority>(rng.uniform(4)); };

    for (int step = 0; step < 400; ++step) {
      switch (rng.uniform(9)) {
        case 0:
          if (auto c = rm.open_connection(dir())) conns.push_back(std::move(*c));
          else ++refusals;
          break;
        case 1:
          if (!conns.empty()) (void)conns[pick(conns.size())].set_peer(peer(static_cast<std::uint8_t>(rng.uniform(4))));
          break;
        case 2:
          if (!conns.empty()) (void)conns[pick(conns.size())].reserve_memory(rng.uniform(500), prio());
          break;
        case 3:
          if (!conns.empty()) conns.erase(conns.begin() + static_cast<std::ptrdiff_t>(pick(conns.size())));
          break;
        case 4:
          if (auto s = rm.open_stream(peer(static_cast<std::uint8_t>(rng.uniform(4))), dir()))
            streams.push_back(std::move(*s));
          else ++refusals;
          break;
        case 5:
          if (!streams.empty()) {
            auto& s = streams[pick(streams.size())];
            if (!s.protocol()) (void)s.set_protocol(protocols[pick(protocols.size())]);
            else (void)s.set_service("svc");
          }
          break;
        case 6:
          if (!streams.empty()) (void)streams[pick(streams.size())].reserve_memory(rng.uniform(300), prio());
          break;
        case 7:
          if (!streams.empty()) streams[pick(streams.size())].release_memory(rng.uniform(300));
          break;
        case 8:
          if (!streams.empty()) streams.erase(streams.begin() + static_cast<std::ptrdiff_t>(pick(streams.size())));
          break;
      }
      // Expected usage, recomputed from the live reservations.
      scope_usage sys, transient;
      std::map<crypto::peer_id, scope_usage> peers;
      std::map<std::string, scope_usage> protos;
      scope_usage svc;
      for (const auto& c : conns) {
        EXPECT_LE(c.memory(), lim.connection_memory);
        add_conn(sys, c);
        add_conn(c.peer() ? peers[*c.peer()] : transient, c);
      }
      for (const auto& s : streams) {
        EXPECT_LE(s.memory(), lim.stream_memory);
        add_stream(sys, s);
        add_stream(peers[s.peer()], s);
        add_stream(s.protocol() ? protos[*s.protocol()] : transient, s);
        if (s.service()) add_stream(svc, s);
      }
      ASSERT_EQ(rm.system_usage(), sys) << "step " << step;
      ASSERT_EQ(rm.transient_usage(), transient) << "step " << step;
      within(sys, lim.system, "system");
      within(transient, lim.transient, "transient");
      for (const auto& [p, u] : peers) {
        ASSERT_EQ(rm.peer_usage(p), u);
        within(u, lim.peer, "peer");
      }
      for (const auto& [p, u] : protos) {
        ASSERT_EQ(rm.protocol_usage(p), u);
        within(u, lim.protocol, "protocol");
      }
      ASSERT_EQ(rm.service_usage("svc"), svc);
      within(svc, lim.service, "service");
    }
    conns.clear();
    streams.clear();
    EXPECT_TRUE(rm.system_usage().empty());
    EXPECT_TRUE(rm.transient_usage().empty());
    EXPECT_EQ(rm.peer_scopes() + rm.protocol_scopes() + rm.service_scopes(), 0u);
  }
  EXPECT_GT(refusals, 40u);  // the sequences do run into the limits
}

TEST(limits_randomized, connection_manager_trims_only_eligible_peers) {
  std::size_t trims = 0;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    SCOPED_TRACE(seed);
    deterministic_rng rng(seed);
    manual_clock clk;
    connmgr_config cfg;
    cfg.low_water = 5;
    cfg.high_water = 10;
    cfg.grace_period = 3s;
    cfg.silence_period = 1s;
    connection_manager cm(cfg);
    std::map<connection_id, crypto::peer_id> open;
    std::map<crypto::peer_id, instant> first_seen;
    connection_id next = 1;
    for (int step = 0; step < 500; ++step) {
      auto p = peer(static_cast<std::uint8_t>(rng.uniform(20)));
      switch (rng.uniform(6)) {
        case 0:
        case 1: {
          if (cm.connections_of(p) == 0) first_seen[p] = clk.now();
          cm.connected(next, p, clk.now());
          open.emplace(next++, p);
          break;
        }
        case 2:
          if (!open.empty()) {
            auto it = std::next(open.begin(), static_cast<std::ptrdiff_t>(rng.uniform(open.size())));
            cm.disconnected(it->first);
            open.erase(it);
          }
          break;
        case 3:
          (void)cm.tag_peer(p, "t", static_cast<std::int64_t>(rng.uniform(100)) - 50);
          break;
        case 4:
          if (rng.uniform(3) == 0) (void)cm.protect(p, "keep");
          else cm.unprotect(p, "keep");
          break;
        case 5:
          clk.advance(std::chrono::milliseconds{rng.uniform(1500)});
          break;
      }
      std::size_t before = cm.connection_count();
      auto out = cm.trim(clk.now());
      std::set<crypto::peer_id> trimmed;
      std::int64_t max_trimmed_value = std::numeric_limits<std::int64_t>::min();
      for (const auto& d : out) {
        EXPECT_FALSE(cm.is_protected(d.peer));
        EXPECT_GE(clk.now(), first_seen.at(d.peer) + cfg.grace_period);
        ASSERT_EQ(open.at(d.id), d.peer);
        open.erase(d.id);
        trimmed.insert(d.peer);
        max_trimmed_value = std::max(max_trimmed_value, cm.peer_value(d.peer));
      }
      if (!out.empty()) {
        ++trims;
        EXPECT_GT(before, cfg.high_water);
        // Whole peers: nothing of a trimmed peer is left open.
        for (const auto& p2 : trimmed) EXPECT_EQ(cm.connections_of(p2), 0u);
        // Trimmed peers are a lowest-value prefix of the eligible ones, and trimming
        // stops only at low water.
        for (const auto& [id, p2] : open) {
          bool eligible = !cm.is_protected(p2) && clk.now() >= first_seen.at(p2) + cfg.grace_period;
          if (!eligible) continue;
          EXPECT_GE(cm.peer_value(p2), max_trimmed_value);
          EXPECT_LE(cm.connection_count(), cfg.low_water) << "an eligible peer was kept above low water";
        }
      }
      ASSERT_EQ(cm.connection_count(), open.size());
    }
  }
  EXPECT_GT(trims, 20u);
}
