#include "p2p/io/protocols/ping.hpp"

#include <array>

#include "p2p/io/errors.hpp"

namespace converge::p2p::io {

task<void> serve_ping(stream s) {
  std::array<std::uint8_t, ping_size> buf{};
  // Bounded by the connection: a peer pinging forever pays one round trip per 32 bytes.
  while (true) {
    auto r = co_await s.read_exact(buf);
    if (!r) break;
    auto awaited = co_await s.write_all(buf);
    if (!awaited) break;
  }
  (void)s.close_write();
}

task<result<duration>> ping(std::shared_ptr<host> h, crypto::peer_id peer) {
  std::vector<std::string> protocols(1, std::string(ping_protocol_id));
  auto s = co_await h->new_stream(peer, std::move(protocols));
  if (!s) co_return fail(s.error());
  std::array<std::uint8_t, ping_size> out{};
  std::array<std::uint8_t, ping_size> back{};
  h->random().fill(out);
  auto start = std::chrono::steady_clock::now();
  auto w = co_await s->write_all(out);
  if (!w) co_return fail(w.error());
  auto r = co_await s->read_exact(back);
  auto rtt = std::chrono::steady_clock::now() - start;
  if (!r) co_return fail(r.error());
  (void)s->close_write();
  // Wait for the responder's close so the stream is released on both sides.
  std::array<std::uint8_t, ping_size> rest{};
  (void)co_await s->read_some(rest);
  if (out != back) {
    s->reset();
    co_return fail(io_errc::invalid_message, "ping: the echo differs from what was sent");
  }
  co_return std::chrono::duration_cast<duration>(rtt);
}

}  // namespace converge::p2p::io
