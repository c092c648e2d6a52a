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
  if (!lim_.limited() || now <= last_ || tokens_ >= lim_.burst) return {tokens_, std::max(now, last_)};
  auto elapsed = static_cast<u128>((now - last_).count());
  u128 added = elapsed * lim_.bytes_per_second / ns_per_s;
  if (added >= lim_.burst - tokens_) return {lim_.burst, now};
  // Advance `last` only by the time those whole tokens took, so the fraction of
  // a token earned since is kept for the next refill.
  auto used_ns = (added * ns_per_s + lim_.bytes_per_second - 1) / lim_.bytes_per_second;
  return {tokens_ + static_cast<std::uint64_t>(added), last_ + duration{static_cast<duration::rep>(used_ns)}};
}

bool token_bucket::try_consume(std::uint64_t n, instant now) {
  if (!lim_.limited()) return true;
  auto s = refilled(now);
  tokens_ = s.tokens;
  last_ = s.last;
  if (n > tokens_) return false;
  tokens_ -= n;
  return true;
}

duration token_bucket::time_until(std::uint64_t n, instant now) const {
  if (!lim_.limited()) return duration::zero();
  if (n > lim_.burst) return duration::max();
  auto s = refilled(now);
  if (n <= s.tokens) return duration::zero();
  u128 need = n - s.tokens;
  u128 wait = (need * ns_per_s + lim_.bytes_per_second - 1) / lim_.bytes_per_second;
  u128 partial = now > s.last ? static_cast<u128>((now - s.last).count()) : 0;
  wait = wait > partial ? wait - partial : 0;
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
  } else {
    tokens_ = lim.burst;
  }
  last_ = now;
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
