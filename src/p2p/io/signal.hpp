#pragma once
// A wake-up for coroutines on one executor: waiters sleep until notify().
// A generation counter closes the gap between checking a condition and
// starting to wait: wait(seen) returns at once if a notify happened since
// `seen` was read, so no wake-up is lost.
#include <cstdint>

#include "p2p/io/asio.hpp"

namespace converge::p2p::io {

class signal {
 public:
  explicit signal(const asio::any_io_executor& ex) : timer_(ex, asio::steady_timer::time_point::max()) {}

  [[nodiscard]] std::uint64_t generation() const { return generation_; }
  void notify() {
    ++generation_;
    timer_.cancel();
  }
  // Returns after the next notify() (or at once if one happened since `seen`).
  task<void> wait(std::uint64_t seen) {
    if (seen != generation_) co_return;
    co_await timer_.async_wait(use_tuple);
  }
  task<void> wait() { co_await wait(generation_); }

 private:
  asio::steady_timer timer_;
  std::uint64_t generation_ = 0;
};

}  // namespace converge::p2p::io
