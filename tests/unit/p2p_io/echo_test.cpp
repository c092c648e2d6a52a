// Bulk data over real sockets: many concurrent echo streams, and a 64 MiB
// transfer checked by SHA-256 (Yamux windows and the channel's output bound
// are crossed many times over).
#include <gtest/gtest.h>
#include <sodium.h>

#include "harness.hpp"

namespace converge::p2p::io {
namespace {

using namespace testing;
constexpr std::string_view echo_protocol = "/echo/1.0.0";

task<void> serve_echo(stream s) {
  std::array<std::uint8_t, 16 * 1024> buf{};
  while (true) {
    auto n = co_await s.read_some(buf);
    if (!n || *n == 0) break;
    auto awaited = co_await s.write_all(bytes_view(buf.data(), *n));
    if (!awaited) co_return;
  }
  (void)s.close_write();
}

bytes pattern(std::size_t n, std::uint8_t seed) {
  bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(i * 31 + seed + (i >> 12));
  return b;
}

task<void> upload(stream s, bytes data) {
  auto awaited = co_await s.write_all(data);
  if (awaited) (void)s.close_write();
}

task<result<bytes>> echo_once(std::shared_ptr<host> h, crypto::peer_id peer, bytes data) {
  std::vector<std::string> protocols(1, std::string(echo_protocol));
  auto s = co_await h->new_stream(peer, std::move(protocols));
  if (!s) co_return fail(s.error());
  auto size = data.size();
  asio::co_spawn(h->executor(), upload(*s, std::move(data)), asio::detached);
  co_return co_await s->read_to_end(size);
}

task<std::size_t> many_echoes(std::shared_ptr<host> h, crypto::peer_id peer, std::size_t streams, std::size_t size) {
  std::size_t good = 0;
  std::size_t finished = 0;
  signal done(h->executor());
  for (std::size_t i = 0; i < streams; ++i) {
    asio::co_spawn(
        h->executor(),
        [](std::shared_ptr<host> hh, crypto::peer_id p, bytes data, std::size_t& ok_count, std::size_t& fin,
           signal& sig) -> task<void> {
          auto expected = data;
          auto r = co_await echo_once(hh, p, std::move(data));
          if (r && *r == expected) ++ok_count;
          ++fin;
          sig.notify();
        }(h, peer, pattern(size, static_cast<std::uint8_t>(i)), good, finished, done),
        asio::detached);
  }
  while (finished < streams) co_await done.wait();
  co_return good;
}

// Sends `total` bytes one way and returns the receiver's SHA-256.
task<void> send_bulk(stream s, std::size_t total, std::array<std::uint8_t, 32>& sent_hash) {
  crypto_hash_sha256_state st;
  crypto_hash_sha256_init(&st);
  std::size_t off = 0;
  std::uint8_t seed = 0;
  while (off < total) {
    auto chunk = pattern(std::min<std::size_t>(256 * 1024, total - off), seed++);
    crypto_hash_sha256_update(&st, chunk.data(), chunk.size());
    auto awaited = co_await s.write_all(chunk);
    if (!awaited) co_return;
    off += chunk.size();
  }
  crypto_hash_sha256_final(&st, sent_hash.data());
  (void)s.close_write();
}

TEST(P2pIoEcho, ManyConcurrentStreams) {
  asio::io_context io;
  auto a = make_host(io, test_config(30));
  auto b = make_host(io, test_config(31));
  a->set_stream_handler(std::string(echo_protocol), serve_echo);
  ASSERT_TRUE(run(io, b->connect(dial_addr(*a))).has_value());
  // 64 streams of 300 KiB each: every stream passes its initial window.
  EXPECT_EQ(run(io, many_echoes(b, a->id(), 64, 300 * 1024)), 64u);
  EXPECT_EQ(a->connection_count(), 1u);
  a->close();
  b->close();
  io.run();
}

TEST(P2pIoEcho, SixtyFourMebibytesCheckedByHash) {
  asio::io_context io;
  auto a = make_host(io, test_config(32));
  auto b = make_host(io, test_config(33));
  std::array<std::uint8_t, 32> received_hash{};
  std::size_t received = 0;
  bool got_all = false;
  a->set_stream_handler("/bulk/1.0.0", [&](stream s) -> task<void> {
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    std::vector<std::uint8_t> buf(64 * 1024);
    while (true) {
      auto n = co_await s.read_some(buf);
      if (!n || *n == 0) break;
      crypto_hash_sha256_update(&st, buf.data(), *n);
      received += *n;
    }
    crypto_hash_sha256_final(&st, received_hash.data());
    (void)s.close_write();
    got_all = true;
  });
  std::vector<std::string> protocols{"/bulk/1.0.0"};
  auto s = run(io, b->new_stream(a->id(), protocols));
  ASSERT_FALSE(s.has_value());  // not connected and no address known yet
  ASSERT_TRUE(run(io, b->connect(dial_addr(*a))).has_value());
  s = run(io, b->new_stream(a->id(), protocols));
  ASSERT_TRUE(s.has_value()) << s.error().message();
  std::array<std::uint8_t, 32> sent_hash{};
  constexpr std::size_t total = std::size_t{64} << 20;
  run_void(io, send_bulk(*s, total, sent_hash));
  std::array<std::uint8_t, 8> rest{};
  auto end = run(io, s->read_some(rest));  // the receiver's close comes after its hash
  ASSERT_TRUE(end.has_value());
  EXPECT_EQ(*end, 0u);
  EXPECT_TRUE(got_all);
  EXPECT_EQ(received, total);
  EXPECT_EQ(received_hash, sent_hash);
  a->close();
  b->close();
  io.run();
}

}  // namespace
}  // namespace converge::p2p::io
