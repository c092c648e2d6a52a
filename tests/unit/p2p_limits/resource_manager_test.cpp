#include "p2p/limits/resource_manager.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <vector>

#include "test_support.hpp"

using namespace converge;
using namespace converge::p2p::limits;
using converge::p2p::limits::test::peer;

namespace {

const std::string proto = "/test/1.0.0";
const std::string svc = "svc";

enum class where { system, transient, peer, protocol, service };

scope_limits& scope_of(resource_limits& l, where w) {
  switch (w) {
    case where::system: return l.system;
    case where::transient: return l.transient;
    case where::peer: return l.peer;
    case where::protocol: return l.protocol;
    case where::service: return l.service;
  }
  return l.system;
}

std::string scope_name(where w) {
  switch (w) {
    case where::system: return "system";
    case where::transient: return "transient";
    case where::peer: return "peer " + peer(1).to_string();
    case where::protocol: return "protocol " + proto;
    case where::service: return "service " + svc;
  }
  return {};
}

std::uint64_t& field_of(scope_limits& s, std::string_view f) {
  if (f == "conns_inbound") return s.conns_inbound;
  if (f == "conns_outbound") return s.conns_outbound;
  if (f == "conns") return s.conns;
  if (f == "streams_inbound") return s.streams_inbound;
  if (f == "streams_outbound") return s.streams_outbound;
  if (f == "streams") return s.streams;
  return s.memory;
}

// A connection as the host would make it: the peer is set only for the peer scope.
result<connection_reservation> connect(resource_manager& rm, where w, direction d) {
  auto c = rm.open_connection(d);
  if (!c) return c;
  if (w == where::peer)
    if (auto r = c->set_peer(peer(1)); !r) return fail(r.error());
  return c;
}

// A stream taken as far as the scope under test: protocol and service are set
// only for those scopes, so the transient scope keeps holding it otherwise.
result<stream_reservation> stream(resource_manager& rm, where w, direction d) {
  auto s = rm.open_stream(peer(1), d);
  if (!s) return s;
  if (w == where::protocol || w == where::service)
    if (auto r = s->set_protocol(proto); !r) return fail(r.error());
  if (w == where::service)
    if (auto r = s->set_service(svc); !r) return fail(r.error());
  return s;
}

void expect_refusal(const error& e, limits_errc code, where w, std::string_view field, std::uint64_t limit) {
  EXPECT_EQ(e.code, code) << e.message();
  auto expected = scope_name(w) + ": " + std::string(field) + " limit " + std::to_string(limit);
  EXPECT_EQ(e.detail.rfind(expected, 0), 0u) << e.detail << " | expected prefix " << expected;
}

void all_released(const resource_manager& rm) {
  EXPECT_TRUE(rm.system_usage().empty());
  EXPECT_TRUE(rm.transient_usage().empty());
  EXPECT_EQ(rm.peer_scopes(), 0u);
  EXPECT_EQ(rm.protocol_scopes(), 0u);
  EXPECT_EQ(rm.service_scopes(), 0u);
}

}  // namespace

TEST(limits_resource_manager, every_connection_limit_at_every_scope) {
  for (auto w : {where::system, where::transient, where::peer}) {
    for (std::string_view f : {"conns_inbound", "conns_outbound", "conns"}) {
      SCOPED_TRACE(scope_name(w) + " " + std::string(f));
      resource_limits lim;
      field_of(scope_of(lim, w), f) = 2;
      resource_manager rm(lim);
      auto dir_of = [&](int i) {
        if (f == "conns_outbound") return direction::outbound;
        if (f == "conns") return i % 2 ? direction::outbound : direction::inbound;
        return direction::inbound;
      };
      std::vector<connection_reservation> held;
      for (int i = 0; i < 2; ++i) held.push_back(connect(rm, w, dir_of(i)).value());
      auto over = connect(rm, w, dir_of(2));
      ASSERT_FALSE(over);
      expect_refusal(over.error(), limits_errc::conn_limit, w, f, 2);
      // The other direction is not limited by a one-direction limit.
      if (f != "conns") {
        auto other = f == "conns_inbound" ? direction::outbound : direction::inbound;
        EXPECT_TRUE(connect(rm, w, other));
      }
      held.pop_back();  // releasing one makes room again
      EXPECT_TRUE(connect(rm, w, dir_of(2)));
      held.clear();
      all_released(rm);
    }
  }
}

TEST(limits_resource_manager, every_stream_limit_at_every_scope) {
  for (auto w : {where::system, where::transient, where::peer, where::protocol, where::service}) {
    for (std::string_view f : {"streams_inbound", "streams_outbound", "streams"}) {
      SCOPED_TRACE(scope_name(w) + " " + std::string(f));
      resource_limits lim;
      field_of(scope_of(lim, w), f) = 3;
      resource_manager rm(lim);
      auto dir_of = [&](int i) {
        if (f == "streams_outbound") return direction::outbound;
        if (f == "streams") return i % 2 ? direction::outbound : direction::inbound;
        return direction::inbound;
      };
      std::vector<stream_reservation> held;
      for (int i = 0; i < 3; ++i) held.push_back(stream(rm, w, dir_of(i)).value());
      auto over = stream(rm, w, dir_of(3));
      ASSERT_FALSE(over);
      expect_refusal(over.error(), limits_errc::stream_limit, w, f, 3);
      held.erase(held.begin());
      EXPECT_TRUE(stream(rm, w, dir_of(3)));
      held.clear();
      all_released(rm);
    }
  }
}

TEST(limits_resource_manager, stream_memory_limit_at_every_scope) {
  for (auto w : {where::system, where::transient, where::peer, where::protocol, where::service}) {
    SCOPED_TRACE(scope_name(w));
    resource_limits lim;
    scope_of(lim, w).memory = 1000;
    resource_manager rm(lim);
    auto a = stream(rm, w, direction::inbound).value();
    auto b = stream(rm, w, direction::outbound).value();
    ASSERT_TRUE(a.reserve_memory(600, memory_priority::always));
    auto over = b.reserve_memory(401, memory_priority::always);
    ASSERT_FALSE(over);
    EXPECT_EQ(over.error().code, limits_errc::memory_limit);
    EXPECT_EQ(over.error().detail.rfind(scope_name(w) + ": memory limit 1000 bytes", 0), 0u) << over.error().detail;
    EXPECT_EQ(b.memory(), 0u);  // a refused reservation takes nothing anywhere
    EXPECT_EQ(rm.system_usage().memory, 600u);
    EXPECT_TRUE(b.reserve_memory(400, memory_priority::always));
    a.release_memory(100);
    EXPECT_TRUE(b.reserve_memory(100, memory_priority::always));
    EXPECT_EQ(rm.system_usage().memory, 1000u);
  }
}

TEST(limits_resource_manager, connection_memory_at_system_transient_and_peer) {
  for (auto w : {where::system, where::transient, where::peer}) {
    SCOPED_TRACE(scope_name(w));
    resource_limits lim;
    scope_of(lim, w).memory = 100;
    resource_manager rm(lim);
    auto c = connect(rm, w, direction::inbound).value();
    ASSERT_TRUE(c.reserve_memory(100, memory_priority::always));
    auto over = c.reserve_memory(1, memory_priority::always);
    ASSERT_FALSE(over);
    EXPECT_EQ(over.error().code, limits_errc::memory_limit);
    EXPECT_EQ(over.error().detail.rfind(scope_name(w) + ": memory limit 100 bytes", 0), 0u) << over.error().detail;
  }
}

TEST(limits_resource_manager, per_connection_and_per_stream_memory_limits) {
  resource_limits lim;
  lim.connection_memory = 100;
  lim.stream_memory = 50;
  resource_manager rm(lim);
  auto c = rm.open_connection(direction::inbound).value();
  ASSERT_TRUE(c.reserve_memory(100, memory_priority::always));
  auto cr = c.reserve_memory(1, memory_priority::always);
  ASSERT_FALSE(cr);
  EXPECT_EQ(cr.error().detail.rfind("connection: memory limit 100 bytes", 0), 0u) << cr.error().detail;
  auto s = rm.open_stream(peer(1), direction::inbound).value();
  ASSERT_TRUE(s.reserve_memory(50, memory_priority::always));
  auto sr = s.reserve_memory(1, memory_priority::always);
  ASSERT_FALSE(sr);
  EXPECT_EQ(sr.error().detail.rfind("stream: memory limit 50 bytes", 0), 0u) << sr.error().detail;
  // A second stream has its own budget.
  auto s2 = rm.open_stream(peer(1), direction::inbound).value();
  EXPECT_TRUE(s2.reserve_memory(50, memory_priority::always));
}

TEST(limits_resource_manager, memory_priorities_leave_room_for_what_must_not_fail) {
  resource_limits lim;
  lim.system.memory = 1000;
  resource_manager rm(lim);
  auto s = rm.open_stream(peer(1), direction::inbound).value();
  ASSERT_TRUE(s.reserve_memory(400, memory_priority::low));
  auto low = s.reserve_memory(1, memory_priority::low);
  ASSERT_FALSE(low);
  EXPECT_NE(low.error().detail.find("priority low"), std::string::npos) << low.error().detail;
  ASSERT_TRUE(s.reserve_memory(200, memory_priority::medium));
  EXPECT_FALSE(s.reserve_memory(1, memory_priority::medium));
  ASSERT_TRUE(s.reserve_memory(200, memory_priority::high));
  EXPECT_FALSE(s.reserve_memory(1, memory_priority::high));
  ASSERT_TRUE(s.reserve_memory(200, memory_priority::always));
  EXPECT_FALSE(s.reserve_memory(1, memory_priority::always));
  EXPECT_EQ(s.memory(), 1000u);
}

TEST(limits_resource_manager, reservations_release_everything_on_destruction) {
  resource_limits lim;
  resource_manager rm(lim);
  {
    auto c = rm.open_connection(direction::inbound).value();
    ASSERT_TRUE(c.reserve_memory(10, memory_priority::always));
    ASSERT_TRUE(c.set_peer(peer(1)));
    ASSERT_TRUE(c.reserve_memory(5, memory_priority::always));
    auto s = rm.open_stream(peer(1), direction::outbound).value();
    ASSERT_TRUE(s.reserve_memory(7, memory_priority::always));
    ASSERT_TRUE(s.set_protocol(proto));
    ASSERT_TRUE(s.set_service(svc));
    ASSERT_TRUE(s.reserve_memory(3, memory_priority::always));
    EXPECT_EQ(rm.system_usage(), (scope_usage{1, 0, 0, 1, 25}));
    EXPECT_EQ(rm.peer_usage(peer(1)), (scope_usage{1, 0, 0, 1, 25}));
    EXPECT_EQ(rm.protocol_usage(proto), (scope_usage{0, 0, 0, 1, 10}));
    EXPECT_EQ(rm.service_usage(svc), (scope_usage{0, 0, 0, 1, 10}));
    EXPECT_TRUE(rm.transient_usage().empty());
  }
  all_released(rm);
}

TEST(limits_resource_manager, set_peer_moves_out_of_transient_or_changes_nothing) {
  resource_limits lim;
  lim.peer.conns = 1;
  resource_manager rm(lim);
  auto a = rm.open_connection(direction::inbound).value();
  ASSERT_TRUE(a.reserve_memory(10, memory_priority::always));
  EXPECT_EQ(rm.transient_usage(), (scope_usage{1, 0, 0, 0, 10}));
  ASSERT_TRUE(a.set_peer(peer(1)));
  EXPECT_TRUE(rm.transient_usage().empty());
  EXPECT_EQ(rm.peer_usage(peer(1)), (scope_usage{1, 0, 0, 0, 10}));

  auto b = rm.open_connection(direction::inbound).value();
  auto r = b.set_peer(peer(1));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, limits_errc::conn_limit);
  EXPECT_FALSE(b.peer());
  EXPECT_EQ(rm.transient_usage(), (scope_usage{1, 0, 0, 0, 0}));
  EXPECT_TRUE(b.set_peer(peer(2)));  // another peer has its own limit
  EXPECT_EQ(rm.peer_scopes(), 2u);
  auto again = b.set_peer(peer(3));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, limits_errc::invalid_argument);
}

TEST(limits_resource_manager, set_protocol_failure_keeps_the_stream_transient) {
  resource_limits lim;
  lim.protocols["/small/1"] = scope_limits{};
  lim.protocols["/small/1"].streams = 1;
  lim.protocol.streams = 100;
  resource_manager rm(lim);
  auto a = rm.open_stream(peer(1), direction::inbound).value();
  ASSERT_TRUE(a.set_protocol("/small/1"));
  auto b = rm.open_stream(peer(1), direction::inbound).value();
  auto r = b.set_protocol("/small/1");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().detail.rfind("protocol /small/1: streams limit 1 reached", 0), 0u) << r.error().detail;
  EXPECT_EQ(rm.transient_usage().streams_inbound, 1u);
  EXPECT_TRUE(b.set_protocol("/other/1"));  // the default protocol limit applies elsewhere
  EXPECT_TRUE(rm.transient_usage().empty());
  EXPECT_FALSE(b.set_protocol("/x"));
}

TEST(limits_resource_manager, service_overrides_and_order_of_calls) {
  resource_limits lim;
  lim.services["bitswap"] = scope_limits{};
  lim.services["bitswap"].streams_inbound = 1;
  resource_manager rm(lim);
  auto a = rm.open_stream(peer(1), direction::inbound).value();
  auto early = a.set_service("bitswap");
  ASSERT_FALSE(early);
  EXPECT_EQ(early.error().code, limits_errc::invalid_argument);
  ASSERT_TRUE(a.set_protocol("/ipfs/bitswap/1.2.0"));
  ASSERT_TRUE(a.set_service("bitswap"));
  auto b = rm.open_stream(peer(2), direction::inbound).value();
  ASSERT_TRUE(b.set_protocol("/ipfs/bitswap/1.2.0"));
  auto r = b.set_service("bitswap");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().detail.rfind("service bitswap: streams_inbound limit 1 reached", 0), 0u);
}

TEST(limits_resource_manager, moves_and_explicit_release) {
  resource_limits lim;
  resource_manager rm(lim);
  auto c = rm.open_connection(direction::outbound).value();
  ASSERT_TRUE(c.reserve_memory(8, memory_priority::always));
  connection_reservation moved = std::move(c);
  EXPECT_FALSE(c.active());  // NOLINT(bugprone-use-after-move): moved-from is documented inactive
  EXPECT_TRUE(moved.active());
  EXPECT_EQ(rm.system_usage().memory, 8u);
  auto other = rm.open_connection(direction::inbound).value();
  moved = std::move(other);  // releases what `moved` held
  EXPECT_EQ(rm.system_usage(), (scope_usage{1, 0, 0, 0, 0}));
  moved.release();
  moved.release();
  all_released(rm);
  auto late = moved.reserve_memory(1, memory_priority::always);
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, limits_errc::invalid_argument);

  auto s = rm.open_stream(peer(1), direction::inbound).value();
  ASSERT_TRUE(s.reserve_memory(4, memory_priority::always));
  s.release_memory(100);  // clamped to what it holds
  EXPECT_EQ(s.memory(), 0u);
  EXPECT_TRUE(rm.system_usage().memory == 0);
  stream_reservation s2 = std::move(s);
  s2 = rm.open_stream(peer(2), direction::inbound).value();
  EXPECT_EQ(rm.peer_scopes(), 1u);
}

TEST(limits_resource_manager, refused_stream_leaves_no_peer_scope_behind) {
  resource_limits lim;
  lim.system.streams = 1;
  resource_manager rm(lim);
  auto a = rm.open_stream(peer(1), direction::inbound).value();
  for (int i = 2; i < 50; ++i) EXPECT_FALSE(rm.open_stream(peer(static_cast<std::uint8_t>(i)), direction::inbound));
  EXPECT_EQ(rm.peer_scopes(), 1u);
}

TEST(limits_resource_manager, peer_overrides) {
  resource_limits lim;
  lim.peer.streams_inbound = 1;
  lim.peers[peer(7)] = lim.peer;
  lim.peers[peer(7)].streams_inbound = 3;
  resource_manager rm(lim);
  std::vector<stream_reservation> held;
  for (int i = 0; i < 3; ++i) held.push_back(rm.open_stream(peer(7), direction::inbound).value());
  EXPECT_FALSE(rm.open_stream(peer(7), direction::inbound));
  held.push_back(rm.open_stream(peer(8), direction::inbound).value());
  auto r = rm.open_stream(peer(8), direction::inbound);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().detail, "peer " + peer(8).to_string() + ": streams_inbound limit 1 reached");
}
