#include "p2p/limits/token_bucket.hpp"

#include <gtest/gtest.h>

using namespace converge;
using namespace converge::p2p::limits;

TEST(limits_token_bucket, starts_full_and_allows_a_burst) {
  manual_clock clk;
  token_bucket b({1000, 500}, clk.now());
  EXPECT_EQ(b.available(clk.now()), 500u);
  EXPECT_TRUE(b.try_consume(300, clk.now()));
  EXPECT_TRUE(b.try_consume(200, clk.now()));
  EXPECT_FALSE(b.try_consume(1, clk.now()));
  EXPECT_EQ(b.available(clk.now()), 0u);
}

TEST(limits_token_bucket, refills_at_rate_up_to_burst) {
  manual_clock clk;
  token_bucket b({1000, 500}, clk.now());
  ASSERT_TRUE(b.try_consume(500, clk.now()));
  clk.advance(100ms);
  EXPECT_EQ(b.available(clk.now()), 100u);
  EXPECT_FALSE(b.try_consume(101, clk.now()));  // a refused request takes nothing
  EXPECT_TRUE(b.try_consume(100, clk.now()));
  clk.advance(10s);
  EXPECT_EQ(b.available(clk.now()), 500u);  // capped at burst
}

TEST(limits_token_bucket, fractional_refill_is_exact_over_many_small_steps) {
  manual_clock clk;
  token_bucket b({3, 10}, clk.now());  // one token every 333.33 ms
  ASSERT_TRUE(b.try_consume(10, clk.now()));
  int got = 0;
  for (int i = 0; i < 1000; ++i) {  // 1000 steps of 1 ms: exactly 3 tokens
    clk.advance(1ms);
    if (b.try_consume(1, clk.now())) ++got;
  }
  EXPECT_EQ(got, 3);
}

TEST(limits_token_bucket, time_until_says_when_to_come_back) {
  manual_clock clk;
  token_bucket b({1000, 500}, clk.now());
  EXPECT_EQ(b.time_until(500, clk.now()), duration::zero());
  ASSERT_TRUE(b.try_consume(500, clk.now()));
  EXPECT_EQ(b.time_until(250, clk.now()), 250ms);
  clk.advance(100ms);
  auto wait = b.time_until(250, clk.now());
  EXPECT_EQ(wait, 150ms);
  clk.advance(wait - 1ns);
  EXPECT_FALSE(b.try_consume(250, clk.now()));
  clk.advance(1ns);
  EXPECT_TRUE(b.try_consume(250, clk.now()));
  EXPECT_EQ(b.time_until(501, clk.now()), duration::max());  // can never be met at once
}

TEST(limits_token_bucket, time_until_counts_the_partial_token) {
  manual_clock clk;
  token_bucket b({3, 3}, clk.now());
  ASSERT_TRUE(b.try_consume(3, clk.now()));
  clk.advance(200ms);  // 0.6 of a token earned
  auto wait = b.time_until(1, clk.now());
  EXPECT_EQ(wait, 333'333'334ns - 200ms);
  clk.advance(wait);
  EXPECT_TRUE(b.try_consume(1, clk.now()));
}

TEST(limits_token_bucket, unlimited_and_reconfigured) {
  manual_clock clk;
  token_bucket u({}, clk.now());
  EXPECT_TRUE(u.try_consume(1ull << 40, clk.now()));
  EXPECT_EQ(u.time_until(1ull << 40, clk.now()), duration::zero());
  token_bucket b({100, 100}, clk.now());
  b.set_limit({10, 20}, clk.now());
  EXPECT_EQ(b.available(clk.now()), 20u);  // clamped to the new burst
  ASSERT_TRUE(b.try_consume(20, clk.now()));
  clk.advance(1s);
  EXPECT_EQ(b.available(clk.now()), 10u);
}

TEST(limits_token_bucket, huge_rates_and_times_do_not_overflow) {
  manual_clock clk;
  token_bucket b({~0ull, ~0ull}, clk.now());
  ASSERT_TRUE(b.try_consume(~0ull, clk.now()));
  clk.advance(std::chrono::hours{24 * 365 * 100});
  EXPECT_EQ(b.available(clk.now()), ~0ull);
  token_bucket slow({1, 1}, clk.now());
  ASSERT_TRUE(slow.try_consume(1, clk.now()));
  EXPECT_EQ(slow.time_until(1, clk.now()), 1s);
}

TEST(limits_rate_meter, smooths_toward_a_steady_rate) {
  manual_clock clk;
  rate_meter m(1s);
  EXPECT_EQ(m.rate(clk.now()), 0.0);
  for (int i = 0; i < 10'000; ++i) {  // 1000 bytes every 10 ms = 100 kB/s for 100 s
    m.record(1000, clk.now());
    clk.advance(10ms);
  }
  EXPECT_NEAR(m.rate(clk.now()), 100'000.0, 1'000.0);
  EXPECT_EQ(m.total(), 10'000'000u);
  clk.advance(5s);  // silence decays the rate: e^-5
  EXPECT_LT(m.rate(clk.now()), 1'000.0);
  EXPECT_EQ(m.total(), 10'000'000u);
}
