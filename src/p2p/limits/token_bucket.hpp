#pragma once
// Token buckets and a smoothed rate meter, both in virtual time.
//
// token_bucket: `rate` tokens (bytes) per second accrue up to `burst`; a new
// bucket starts full. Arithmetic is exact integer nanosecond accounting, so a
// bucket refilled in many small steps holds exactly what one big step gives.
// A rate of 0 means unlimited (every request succeeds, time_until is zero).
//
// rate_meter: an exponentially weighted moving average of a byte rate with
// time constant tau: every byte adds 1/tau to the rate, and the rate decays
// by e^(-dt/tau). A steady flow of r bytes/s reads r after a few tau.
#include <cstdint>

#include "base/clock.hpp"

namespace converge::p2p::limits {

struct rate_limit {
  std::uint64_t bytes_per_second = 0;  // 0 = unlimited
  std::uint64_t burst = 0;             // bucket size in bytes; >= 1 when limited
  [[nodiscard]] bool limited() const { return bytes_per_second != 0; }
  friend bool operator==(const rate_limit&, const rate_limit&) = default;
};

class token_bucket {
 public:
  token_bucket(rate_limit lim, instant now) : lim_(lim), tokens_(lim.burst), last_(now) {}

  // Takes n tokens if that many are there; otherwise takes nothing.
  bool try_consume(std::uint64_t n, instant now);
  // How long until n tokens are there (zero if now). duration::max() when
  // n > burst: such a request can never be met; split it (see burst()).
  [[nodiscard]] duration time_until(std::uint64_t n, instant now) const;
  [[nodiscard]] std::uint64_t available(instant now) const;
  [[nodiscard]] std::uint64_t burst() const { return lim_.burst; }
  [[nodiscard]] const rate_limit& limit() const { return lim_; }
  // Changes rate and burst, keeping the tokens (clamped to the new burst).
  void set_limit(rate_limit lim, instant now);

 private:
  struct state {
    std::uint64_t tokens;
    std::uint64_t frac;  // the next token's earned part, in billionths of a token
  };
  [[nodiscard]] state refilled(instant now) const;

  rate_limit lim_;
  std::uint64_t tokens_;
  std::uint64_t frac_ = 0;
  instant last_;
};

class rate_meter {
 public:
  explicit rate_meter(duration tau = std::chrono::seconds{10}) : tau_(tau) {}
  void record(std::uint64_t n, instant now);
  // Bytes per second, smoothed.
  [[nodiscard]] double rate(instant now) const;
  [[nodiscard]] std::uint64_t total() const { return total_; }

 private:
  duration tau_;
  double level_ = 0;  // decayed byte sum: rate = level / tau
  instant last_{};
  bool started_ = false;
  std::uint64_t total_ = 0;
};

}  // namespace converge::p2p::limits
