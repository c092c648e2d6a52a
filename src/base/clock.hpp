#pragma once
// Time as protocol cores see it. Cores never read a clock: every call that
// depends on time takes `now` (an instant on a monotonic timeline) and, where
// wall-clock validity matters (TUF expiry, IPNS EOL), a wall_time. Drivers get
// both from a clock; tests use manual_clock and move time by hand.
#include <chrono>

namespace converge {

using instant = std::chrono::steady_clock::time_point;
using wall_time = std::chrono::system_clock::time_point;
using duration = std::chrono::nanoseconds;
using namespace std::chrono_literals;

class clock {
 public:
  virtual ~clock() = default;
  [[nodiscard]] virtual instant now() const = 0;
  [[nodiscard]] virtual wall_time wall_now() const = 0;
};

// The operating system's clocks.
class system_clock_source final : public clock {
 public:
  [[nodiscard]] instant now() const override { return std::chrono::steady_clock::now(); }
  [[nodiscard]] wall_time wall_now() const override { return std::chrono::system_clock::now(); }
};

// Virtual time: starts at the given wall time and an arbitrary monotonic origin,
// and moves only when told. Both timelines advance together.
class manual_clock final : public clock {
 public:
  explicit manual_clock(wall_time start = wall_time{std::chrono::seconds{1'700'000'000}}) : wall_(start) {}
  [[nodiscard]] instant now() const override { return mono_; }
  [[nodiscard]] wall_time wall_now() const override { return wall_; }
  void advance(duration d) {
    mono_ += d;
    wall_ += std::chrono::duration_cast<wall_time::duration>(d);
  }
  // Moves the monotonic clock to `t` if it is later (the simulator jumps to the next wake-up).
  void advance_to(instant t) {
    if (t > mono_) advance(t - mono_);
  }
  // Sets the wall clock alone, as a device whose clock is wrong would.
  void set_wall(wall_time t) { wall_ = t; }

 private:
  instant mono_{std::chrono::hours{24}};
  wall_time wall_;
};

}  // namespace converge
