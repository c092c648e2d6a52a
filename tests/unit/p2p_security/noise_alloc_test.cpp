// The transport hot path allocates nothing once warm: frames are encrypted in
// place in the output buffer (swapped with the driver's), and decrypted in
// place in the input buffer. Counted with a replaced global operator new.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "p2p/security/noise_session.hpp"
#include "test_support.hpp"

namespace {
std::atomic<std::size_t> allocations{0};
}  // namespace

void* operator new(std::size_t n) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

using namespace converge;
using namespace converge::p2p::security;
using namespace converge::p2p::security::testing;

TEST(noise_alloc, steady_transport_allocates_nothing) {
  deterministic_rng ri(1), rr(2);
  noise_session a(role::initiator, noise_config(make_key(1)), ri, t0());
  noise_session b(role::responder, noise_config(make_key(2)), rr, t0());
  bytes wire;
  for (int i = 0; i < 3; ++i) {
    while (a.poll_transmit(wire)) b.handle_input(wire, t0());
    while (b.poll_transmit(wire)) a.handle_input(wire, t0());
  }
  ASSERT_EQ(a.state(), channel_state::established);
  ASSERT_EQ(b.state(), channel_state::established);
  while (a.poll_event()) {
  }
  while (b.poll_event()) {
  }
  bytes payload(100'000, 0x5a);
  std::size_t received = 0;
  auto round = [&] {
    if (!a.send(payload)) std::abort();
    while (a.poll_transmit(wire)) {
      // Deliver in uneven pieces, reading as we go, as a socket would.
      for (std::size_t off = 0; off < wire.size(); off += 8191) {
        b.handle_input(bytes_view(wire).subspan(off, std::min<std::size_t>(8191, wire.size() - off)), t0());
        while (auto v = b.poll_read()) received += v->size();
      }
    }
  };
  for (int i = 0; i < 3; ++i) round();  // warm-up: buffers reach their working size
  std::size_t before = allocations.load();
  for (int i = 0; i < 50; ++i) round();
  std::size_t after = allocations.load();
  EXPECT_EQ(after - before, 0u);
  EXPECT_EQ(received, 53u * payload.size());
}
