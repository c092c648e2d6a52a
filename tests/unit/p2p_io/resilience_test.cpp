// A host under misbehaving peers: a peer that stalls mid-handshake is cut
// off by the handshake timeout while others are served; connections cut at
// every point of the handshake are dropped cleanly; a connection that ends
// under an open stream fails the stream's pending read instead of hanging.
#include <gtest/gtest.h>

#include "p2p/io/errors.hpp"
#include "p2p/io/protocols/ping.hpp"
#include "harness.hpp"

namespace converge::p2p::io {
namespace {

using namespace testing;

// multistream-select header and a /noise proposal, then the first Noise XX
// message (2-byte length, 32-byte ephemeral key).
bytes handshake_prefix() {
  bytes b;
  auto add_ms = [&](std::string_view msg) {
    b.push_back(static_cast<std::uint8_t>(msg.size()));
    append(b, as_bytes(msg));
  };
  add_ms("/multistream/1.0.0\n");
  add_ms("/noise\n");
  b.push_back(0);
  b.push_back(32);
  for (int i = 0; i < 32; ++i) b.push_back(static_cast<std::uint8_t>(9 + i));
  return b;
}

task<tcp::socket> raw_connect(const mf::multiaddr& addr) {
  tcp::socket s(co_await asio::this_coro::executor);
  auto ep = *to_endpoint(addr);
  auto [ec] = co_await s.async_connect(ep, use_tuple);
  EXPECT_FALSE(ec) << ec.message();
  co_return s;
}

// Reads until the host closes the socket; returns how many bytes it sent.
task<std::size_t> read_until_closed(tcp::socket& s) {
  std::array<std::uint8_t, 4096> buf{};
  std::size_t total = 0;
  while (true) {
    auto [ec, n] = co_await s.async_read_some(asio::buffer(buf), use_tuple);
    total += n;
    if (ec) co_return total;
  }
}

TEST(P2pIoResilience, StalledHandshakeIsDroppedWhileOthersAreServed) {
  asio::io_context io;
  auto cfg = test_config(40);
  cfg.handshake_timeout = std::chrono::milliseconds{300};
  auto a = make_host(io, std::move(cfg));
  auto b = make_host(io, test_config(41));

  auto staller = run(io, raw_connect(a->listen_addrs().front()));
  auto prefix = handshake_prefix();
  // Negotiate /noise, then stall before the first Noise message.
  run(io, [](tcp::socket& s, bytes p) -> task<bool> {
    auto [ec, n] = co_await asio::async_write(s, asio::buffer(p.data(), 29), use_tuple);
    co_return !ec;
  }(staller, prefix));

  // Another peer connects and pings while the staller hangs on.
  ASSERT_TRUE(run(io, b->connect(dial_addr(*a))).has_value());
  auto rtt = run(io, ping(b, a->id()));
  ASSERT_TRUE(rtt.has_value()) << rtt.error().message();

  // The host hangs up on the staller once its handshake timeout passes.
  auto sent = run(io, read_until_closed(staller));
  EXPECT_GT(sent, 0u);  // it answered the multistream negotiation before giving up
  EXPECT_EQ(a->connection_count(), 1u);
  EXPECT_TRUE(run(io, ping(b, a->id())).has_value());
  a->close();
  b->close();
  io.run();
}

TEST(P2pIoResilience, HandshakeCutAtEveryByteIsDropped) {
  asio::io_context io;
  auto a = make_host(io, test_config(42));
  auto b = make_host(io, test_config(43));
  auto prefix = handshake_prefix();
  for (std::size_t cut = 0; cut <= prefix.size(); ++cut) {
    auto s = run(io, raw_connect(a->listen_addrs().front()));
    run(io, [](tcp::socket& sock, bytes p, std::size_t n) -> task<bool> {
      if (n > 0) (void)co_await asio::async_write(sock, asio::buffer(p.data(), n), use_tuple);
      boost::system::error_code ignored;
      sock.shutdown(tcp::socket::shutdown_send, ignored);
      co_return true;
    }(s, prefix, cut));
    (void)run(io, read_until_closed(s));  // the host closes its side too
  }
  EXPECT_EQ(a->connection_count(), 0u);
  ASSERT_TRUE(run(io, b->connect(dial_addr(*a))).has_value());
  EXPECT_TRUE(run(io, ping(b, a->id())).has_value());
  a->close();
  b->close();
  io.run();
}

TEST(P2pIoResilience, ConnectionEndingUnderAStreamFailsItsRead) {
  asio::io_context io;
  auto a = make_host(io, test_config(44));
  auto b = make_host(io, test_config(45));
  std::optional<result<bytes>> outcome;
  signal got(io.get_executor());
  a->set_stream_handler("/sink/1.0.0", [&](stream s) -> task<void> {
    outcome = co_await s.read_to_end(1 << 20);
    got.notify();
  });
  ASSERT_TRUE(run(io, b->connect(dial_addr(*a))).has_value());
  std::vector<std::string> protocols{"/sink/1.0.0"};
  auto s = run(io, b->new_stream(a->id(), protocols));
  ASSERT_TRUE(s.has_value()) << s.error().message();
  auto w = run(io, s->write_all(bytes(100 * 1024, 5)));
  ASSERT_TRUE(w.has_value());
  b->disconnect(a->id());  // no FIN on the stream: the data is truncated
  run_void(io, [](std::optional<result<bytes>>& o, signal& g) -> task<void> {
    while (!o) co_await g.wait();
  }(outcome, got));
  ASSERT_TRUE(outcome.has_value());
  EXPECT_FALSE(outcome->has_value());
  // The stream handle on the closed side refuses further use.
  auto again = run(io, s->write_all(bytes(10, 1)));
  EXPECT_FALSE(again.has_value());
  a->close();
  b->close();
  io.run();
}

}  // namespace
}  // namespace converge::p2p::io
