#include "p2p/limits/token_bucket.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace converge::p2p::limits {
namespace {

__extension__ typedef unsigned __int128 u128;
constexpr u128 ns_per_s = 1'000'000'000;

}  // namespace

token_bucket::state token_bucket::refilled(instant now) const {
  if (!lim_.limited() || tokens_ >= lim_.burst) return {tokens_, 0};
  u128 elapsed = now > last_ ? static_cast<u128>((now - last_).count()) : 0;
  u128 units = elapsed * lim_.bytes_per_second + frac_;  // billionths of a token
  u128 added = units / ns_per_s;
  if (added >= lim_.burst - tokens_) return {lim_.burst, 0};
  return {tokens_ + static_cast<std::uint64_t>(added), static_cast<std::uint64_t>(units % ns_per_s)};
}

bool token_bucket::try_consume(std::uint64_t n, instant now) {
  if (!lim_.limited()) return true;
  auto s = refilled(now);
  tokens_ = s.tokens;
  frac_ = s.frac;
  last_ = std::max(last_, now);
  if (n > tokens_) return false;
  tokens_ -= n;
  return true;
}

duration token_bucket::time_until(std::uint64_t n, instant now) const {
  if (!lim_.limited()) return duration::zero();
  if (n > lim_.burst) return duration::max();
  auto s = refilled(now);
  if (n <= s.tokens) return duration::zero();
  u128 units = static_cast<u128>(n - s.tokens) * ns_per_s - s.frac;
  u128 wait = (units + lim_.bytes_per_second - 1) / lim_.bytes_per_second;
  auto cap = static_cast<u128>(duration::max().count());
  return duration{static_cast<duration::rep>(std::min(wait, cap))};
}

std::uint64_t token_bucket::available(instant now) const {
  if (!lim_.limited()) return std::numeric_limits<std::uint64_t>::max();
  return refilled(now).tokens;
}

void token_bucket::set_limit(rate_limit lim, instant now) {
  if (lim_.limited()) {
    auto s = refilled(now);
    tokens_ = std::min(s.tokens, lim.burst);
    frac_ = tokens_ == lim.burst ? 0 : s.frac;
  } else {
    tokens_ = lim.burst;
    frac_ = 0;
  }
  last_ = std::max(last_, now);
  lim_ = lim;
}

void rate_meter::record(std::uint64_t n, instant now) {
  if (started_ && now > last_) {
    double dt = std::chrono::duration<double>(now - last_).count();
    level_ *= std::exp(-dt / std::chrono::duration<double>(tau_).count());
  }
  if (!started_ || now > last_) last_ = now;
  started_ = true;
  level_ += static_cast<double>(n);
  total_ += n;
}

double rate_meter::rate(instant now) const {
  if (!started_) return 0;
  double tau = std::chrono::duration<double>(tau_).count();
  double level = level_;
  if (now > last_) level *= std::exp(-std::chrono::duration<double>(now - last_).count() / tau);
  return level / tau;
}

}  // namespace converge::p2p::limits
