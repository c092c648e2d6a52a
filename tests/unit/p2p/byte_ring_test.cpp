#include "p2p/byte_ring.hpp"

#include <gtest/gtest.h>

#include "p2p/ring_queue.hpp"

using namespace converge;
using namespace converge::p2p;

namespace {
std::string contents(const byte_ring& r) {
  auto [a, b] = r.peek();
  return std::string(as_chars(a)) + std::string(as_chars(b));
}
}  // namespace

TEST(byte_ring, wraps_and_grows_keeping_order) {
  byte_ring r;
  r.reserve(6, 4096);
  EXPECT_EQ(r.capacity(), 4096u);
  std::string expect;
  // Walk the head around the ring several times.
  for (int k = 0; k < 3000; ++k) {
    std::string piece = std::to_string(k) + ",";
    r.reserve(r.size() + piece.size(), 4096);
    r.push(as_bytes(piece));
    expect += piece;
    if (r.size() > 3000) {
      r.consume(1000);
      expect.erase(0, 1000);
    }
  }
  EXPECT_EQ(contents(r), expect);
  EXPECT_EQ(r.capacity(), 4096u);
  // Growth while wrapped keeps the bytes in order and respects the limit.
  r.reserve(5000, 6000);
  EXPECT_EQ(r.capacity(), 6000u);
  EXPECT_EQ(contents(r), expect);
  r.consume(r.size());
  EXPECT_TRUE(r.empty());
  r.release();
  EXPECT_EQ(r.capacity(), 0u);
}

TEST(ring_queue, fifo_across_growth) {
  ring_queue<int> q;
  int next_in = 0, next_out = 0;
  for (int round = 0; round < 50; ++round) {
    for (int k = 0; k < round; ++k) q.push_back(next_in++);
    for (int k = 0; k < round / 2; ++k) EXPECT_EQ(q.pop_front(), next_out++);
  }
  while (!q.empty()) EXPECT_EQ(q.pop_front(), next_out++);
  EXPECT_EQ(next_in, next_out);
}
