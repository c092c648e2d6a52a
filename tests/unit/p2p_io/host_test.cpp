// Two C++ hosts over real sockets on 127.0.0.1: security + muxer upgrade,
// ping, identify (+ push), handler refusal and peer-id checks.
#include <gtest/gtest.h>

#include "p2p/io/errors.hpp"
#include "p2p/io/protocols/identify.hpp"
#include "p2p/io/protocols/ping.hpp"
#include "harness.hpp"

namespace converge::p2p::io {
namespace {

using namespace testing;

bool contains(const std::vector<std::string>& v, std::string_view x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

TEST(P2pIoHost, NoiseYamuxPingAndIdentifyBothWays) {
  asio::io_context io;
  auto a = make_host(io, test_config(1));
  auto b = make_host(io, test_config(2));
  auto conn = run(io, b->connect(dial_addr(*a)));
  ASSERT_TRUE(conn.has_value()) << conn.error().message();
  EXPECT_EQ((*conn)->remote_peer(), a->id());
  EXPECT_EQ((*conn)->security_protocol(), "/noise");

  auto rtt = run(io, ping(b, a->id()));
  ASSERT_TRUE(rtt.has_value()) << rtt.error().message();
  auto back = run(io, ping(a, b->id()));  // over the same connection, the other way
  ASSERT_TRUE(back.has_value()) << back.error().message();
  EXPECT_EQ(a->connection_count(), 1u);

  auto a_learned = run(io, next_of<identify_completed>(a));
  auto b_learned = run(io, next_of<identify_completed>(b));
  EXPECT_EQ(b_learned.peer, a->id());
  EXPECT_TRUE(b_learned.signed_record_verified);
  EXPECT_TRUE(a_learned.signed_record_verified);
  EXPECT_TRUE(contains(b_learned.info.protocols, "/ipfs/ping/1.0.0"));
  EXPECT_TRUE(contains(b_learned.info.protocols, "/ipfs/id/1.0.0"));
  EXPECT_EQ(b_learned.info.agent_version, "converge/0.1");
  EXPECT_TRUE(b->peers().supports(a->id(), "/ipfs/id/push/1.0.0"));
  auto a_addrs = b->peers().addrs(a->id(), std::chrono::steady_clock::now());
  EXPECT_NE(std::find(a_addrs.begin(), a_addrs.end(), a->listen_addrs().front()), a_addrs.end());
  ASSERT_TRUE(b->peers().record(a->id()).has_value());
  EXPECT_EQ(b->peers().record(a->id())->id, a->id());
  ASSERT_TRUE(a_learned.info.observed_addr.has_value());  // b's view of a's socket
  EXPECT_TRUE(b->peers().key(a->id()).has_value());
  a->close();
  b->close();
  io.run();
}

TEST(P2pIoHost, PlaintextYamuxPing) {
  asio::io_context io;
  auto ca = test_config(3);
  ca.allow_plaintext = true;
  ca.security_protocols = {"/plaintext/2.0.0"};
  auto cb = test_config(4);
  cb.allow_plaintext = true;
  cb.security_protocols = {"/plaintext/2.0.0"};
  auto a = make_host(io, std::move(ca));
  auto b = make_host(io, std::move(cb));
  auto conn = run(io, b->connect(dial_addr(*a)));
  ASSERT_TRUE(conn.has_value()) << conn.error().message();
  EXPECT_EQ((*conn)->security_protocol(), "/plaintext/2.0.0");
  auto rtt = run(io, ping(b, a->id()));
  ASSERT_TRUE(rtt.has_value()) << rtt.error().message();
  a->close();
  b->close();
  io.run();
}

TEST(P2pIoHost, PlaintextIsRefusedUnlessEnabled) {
  asio::io_context io;
  auto a = make_host(io, test_config(5));  // noise only
  auto cb = test_config(6);
  cb.allow_plaintext = true;
  cb.security_protocols = {"/plaintext/2.0.0"};
  auto b = make_host(io, std::move(cb));
  auto conn = run(io, b->connect(dial_addr(*a)));
  ASSERT_FALSE(conn.has_value());
  EXPECT_EQ(conn.error().code, make_error_code(io_errc::handshake_failed)) << conn.error().message();
  a->close();
  b->close();
  io.run();
}

TEST(P2pIoHost, UnknownProtocolIsRefused) {
  asio::io_context io;
  auto a = make_host(io, test_config(7));
  auto b = make_host(io, test_config(8));
  ASSERT_TRUE(run(io, b->connect(dial_addr(*a))).has_value());
  std::vector<std::string> protocols{"/nope/1.0.0", "/nope/2.0.0"};
  auto s = run(io, b->new_stream(a->id(), protocols));
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().code, make_error_code(io_errc::protocol_refused)) << s.error().message();
  // The connection is still good.
  EXPECT_TRUE(run(io, ping(b, a->id())).has_value());
  a->close();
  b->close();
  io.run();
}

task<result<std::size_t>> read_one(stream s) {
  std::array<std::uint8_t, 16> buf{};
  co_return co_await s.read_some(buf);
}

TEST(P2pIoHost, LazyNegotiationReportsRefusalOnFirstRead) {
  asio::io_context io;
  auto a = make_host(io, test_config(18));
  auto b = make_host(io, test_config(19));
  ASSERT_TRUE(run(io, b->connect(dial_addr(*a))).has_value());
  std::vector<std::string> one{"/nope/1.0.0"};
  auto s = run(io, b->new_stream(a->id(), one));
  ASSERT_TRUE(s.has_value()) << s.error().message();  // optimistic: the proposal is on its way
  auto r = run(io, read_one(*s));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, make_error_code(io_errc::protocol_refused)) << r.error().message();
  EXPECT_TRUE(run(io, ping(b, a->id())).has_value());
  a->close();
  b->close();
  io.run();
}

TEST(P2pIoHost, EagerNegotiationReportsRefusalAtOnce) {
  asio::io_context io;
  auto a = make_host(io, test_config(20));
  auto cb = test_config(21);
  cb.lazy_negotiation = false;
  auto b = make_host(io, std::move(cb));
  ASSERT_TRUE(run(io, b->connect(dial_addr(*a))).has_value());
  std::vector<std::string> one{"/nope/1.0.0"};
  auto s = run(io, b->new_stream(a->id(), one));
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().code, make_error_code(io_errc::protocol_refused)) << s.error().message();
  EXPECT_TRUE(run(io, ping(b, a->id())).has_value());
  a->close();
  b->close();
  io.run();
}

TEST(P2pIoHost, WrongExpectedPeerIdIsRefused) {
  asio::io_context io;
  auto a = make_host(io, test_config(9));
  auto b = make_host(io, test_config(10));
  auto other = crypto::peer_id::from_public_key(test_key(11).public_key());
  auto addr = *a->listen_addrs().front().encapsulate(*mf::multiaddr::parse("/p2p/" + other.to_string()));
  auto conn = run(io, b->connect(addr));
  ASSERT_FALSE(conn.has_value());
  EXPECT_EQ(conn.error().code, make_error_code(io_errc::peer_id_mismatch)) << conn.error().message();
  EXPECT_EQ(b->connection_count(), 0u);
  // The right id still works.
  EXPECT_TRUE(run(io, b->connect(dial_addr(*a))).has_value());
  a->close();
  b->close();
  io.run();
}

TEST(P2pIoHost, DialFailureStartsBackoff) {
  asio::io_context io;
  auto cfg = test_config(12);
  cfg.dial_backoff = std::chrono::hours{1};
  auto b = make_host(io, std::move(cfg));
  // A port nobody listens on: bind one, note it, close it.
  auto a = make_host(io, test_config(13));
  auto addr = dial_addr(*a);
  a->close();  // the acceptor closes at once
  auto first = run(io, b->connect(addr));
  ASSERT_FALSE(first.has_value());
  EXPECT_EQ(first.error().code, make_error_code(io_errc::dial_failed)) << first.error().message();
  auto second = run(io, b->connect(addr));
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error().code, make_error_code(io_errc::backoff)) << second.error().message();
  b->close();
  io.run();
}

TEST(P2pIoHost, IdentifyPushAnnouncesNewProtocols) {
  asio::io_context io;
  auto a = make_host(io, test_config(14));
  auto b = make_host(io, test_config(15));
  ASSERT_TRUE(run(io, b->connect(dial_addr(*a))).has_value());
  (void)run(io, next_of<identify_completed>(b));
  a->set_stream_handler("/late/1.0.0", [](stream s) -> task<void> {
    (void)s.close_write();
    co_return;
  });
  a->push_identify();
  auto pushed = run(io, next_of<identify_completed>(b));
  EXPECT_TRUE(contains(pushed.info.protocols, "/late/1.0.0"));
  EXPECT_TRUE(b->peers().supports(a->id(), "/late/1.0.0"));
  a->close();
  b->close();
  io.run();
}

TEST(P2pIoHost, DisconnectIsSeenByBothSides) {
  asio::io_context io;
  auto a = make_host(io, test_config(16));
  auto b = make_host(io, test_config(17));
  ASSERT_TRUE(run(io, b->connect(dial_addr(*a))).has_value());
  auto connected = run(io, next_of<peer_connected>(a));
  EXPECT_EQ(connected.peer, b->id());
  EXPECT_EQ(connected.dir, direction::inbound);
  b->disconnect(a->id());
  auto gone = run(io, next_of<peer_disconnected>(a));
  EXPECT_EQ(gone.peer, b->id());
  auto gone_b = run(io, next_of<peer_disconnected>(b));
  EXPECT_EQ(gone_b.peer, a->id());
  EXPECT_EQ(a->connection_count(), 0u);
  a->close();
  b->close();
  io.run();
}

TEST(P2pIoHost, EventQueueIsBoundedAndReportsDrops) {
  asio::io_context io;
  auto ca = test_config(22);
  ca.max_events = 1;
  auto a = make_host(io, std::move(ca));
  auto b = make_host(io, test_config(23));
  ASSERT_TRUE(run(io, b->connect(dial_addr(*a))).has_value());
  // a's identify of b stores b's protocols, then queues identify_completed,
  // which finds the queue full (peer_connected holds the one slot).
  while (!a->peers().supports(b->id(), "/ipfs/id/1.0.0")) io.run_one();
  auto first = a->poll_event();
  ASSERT_TRUE(first.has_value());
  EXPECT_TRUE(std::holds_alternative<peer_connected>(*first));
  std::size_t dropped = 0;
  while (auto e = a->poll_event())
    if (auto* d = std::get_if<events_dropped>(&*e)) dropped += d->count;
  EXPECT_GE(dropped, 1u);
  a->close();
  b->close();
  io.run();
}

TEST(P2pIoHost, InboundConnectionsAreBounded) {
  asio::io_context io;
  auto ca = test_config(24);
  ca.max_connections = 1;
  auto a = make_host(io, std::move(ca));
  auto b = make_host(io, test_config(25));
  auto c = make_host(io, test_config(26));
  ASSERT_TRUE(run(io, b->connect(dial_addr(*a))).has_value());
  auto refused = run(io, c->connect(dial_addr(*a)));
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, make_error_code(io_errc::handshake_failed)) << refused.error().message();
  EXPECT_EQ(a->connection_count(), 1u);
  a->close();
  b->close();
  c->close();
  io.run();
}

TEST(P2pIoHost, DialRacesPeerstoreAddressesAndSkipsDeadOnes) {
  asio::io_context io;
  auto a = make_host(io, test_config(27));
  auto b = make_host(io, test_config(28));
  auto gone = make_host(io, test_config(29));
  auto dead = gone->listen_addrs().front();
  gone->close();  // nobody listens there any more
  auto now = std::chrono::steady_clock::now();
  b->peers().add_addrs(a->id(), {dead}, std::chrono::minutes{10}, now);
  b->peers().add_addrs(a->id(), {*mf::multiaddr::parse("/dns4/example.invalid/tcp/1")}, std::chrono::minutes{5}, now);
  b->peers().add_addrs(a->id(), {a->listen_addrs().front()}, std::chrono::minutes{1}, now);
  auto conn = run(io, b->connect(a->id()));
  ASSERT_TRUE(conn.has_value()) << conn.error().message();
  EXPECT_EQ((*conn)->remote_peer(), a->id());
  auto unknown = crypto::peer_id::from_public_key(test_key(99).public_key());
  auto none = run(io, b->connect(unknown));
  ASSERT_FALSE(none.has_value());
  EXPECT_EQ(none.error().code, make_error_code(io_errc::no_addresses));
  a->close();
  b->close();
  io.run();
}

}  // namespace
}  // namespace converge::p2p::io
