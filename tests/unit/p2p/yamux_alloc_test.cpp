// The receive and send hot paths allocate nothing in steady state: frames are
// copied into a per-stream ring buffer, events are queued as small PODs on a
// ring, and output buffers are recycled by swapping. Its own test binary,
// because it counts allocations by replacing the global operator new.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "p2p/yamux_session.hpp"
#include "pair.hpp"

namespace {
std::atomic<std::size_t> allocations{0};
}

void* operator new(std::size_t n) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

using namespace converge;
using namespace converge::p2p;
using converge::p2p::testing::test_start;

TEST(yamux_alloc, steady_state_echo_does_not_allocate) {
  yamux_session client(yamux_role::client, test_start());
  yamux_session server(yamux_role::server, test_start());
  bytes wire_a, wire_b;  // the driver's two recycled transmit buffers
  std::vector<std::uint8_t> payload(1000, 'p');
  std::vector<std::uint8_t> buf(4096);
  auto id = client.open_stream(test_start()).value();
  std::size_t echoed = 0;
  auto round = [&] {
    ASSERT_EQ(client.write(id, payload, test_start()).value(), payload.size());
    while (client.poll_transmit(wire_a)) server.handle_input(wire_a, test_start());
    while (auto e = server.poll_event()) {
      if (auto* r = std::get_if<stream_readable>(&*e)) {
        auto got = server.read(r->id, buf, test_start()).value();
        ASSERT_EQ(server.write(r->id, std::span(buf).first(got.size), test_start()).value(), got.size);
      }
    }
    while (server.poll_transmit(wire_b)) client.handle_input(wire_b, test_start());
    while (auto e = client.poll_event()) {
      if (std::holds_alternative<stream_readable>(*e)) echoed += client.read(id, buf, test_start()).value().size;
    }
  };
  // Warm up: ring buffers, event rings, output buffers and the stream maps reach their sizes.
  for (int k = 0; k < 2000; ++k) round();
  const std::size_t before = allocations.load();
  for (int k = 0; k < 2000; ++k) round();
  EXPECT_EQ(allocations.load() - before, 0u);
  EXPECT_EQ(echoed, 4000u * payload.size());
  EXPECT_FALSE(client.closed());
}
