#pragma once
// Two sans-IO cores wired back to back on a virtual network: transmits travel
// with a fixed latency, arrive in chunks of at most `chunk` bytes, and time
// jumps straight to the next delivery or wake-up (nothing ever sleeps). A cut
// after N delivered bytes models the transport dying at that step: both sides
// get handle_eof() and nothing more is delivered.
//
// A core needs: bool poll_transmit(bytes&), void handle_input(bytes_view, instant),
// void handle_eof(), std::optional<instant> poll_timeout(), void handle_timeout(instant).
#include <gtest/gtest.h>

#include <cstddef>
#include <deque>
#include <functional>
#include <optional>

#include "base/bytes.hpp"
#include "base/clock.hpp"

namespace converge::p2p::testing {

inline instant test_start() { return instant{std::chrono::hours{1}}; }

template <class A, class B>
class pair {
 public:
  pair(A& a, B& b, instant start = test_start()) : now(start), a_(a), b_(b) {}

  instant now;
  duration latency{0};
  std::size_t chunk = SIZE_MAX;
  std::optional<std::size_t> cut_after;  // total bytes delivered before the link breaks
  // Called after every step, so a test can drain events and act on them.
  std::function<void()> react;

  [[nodiscard]] bool broken() const { return broken_; }
  [[nodiscard]] std::size_t delivered() const { return delivered_; }
  [[nodiscard]] std::size_t in_flight() const { return bytes_in(to_a_) + bytes_in(to_b_); }

  // Moves both sides' pending transmits onto the wire.
  bool collect() {
    bool any = false;
    while (a_.poll_transmit(buf_)) any |= send(to_b_, buf_);
    while (b_.poll_transmit(buf_)) any |= send(to_a_, buf_);
    return any;
  }
  // Bytes an application writes straight to the transport (behind whatever was collected).
  void inject_to_b(bytes_view data) { send(to_b_, data); }
  void inject_to_a(bytes_view data) { send(to_a_, data); }

  // One unit of progress at the current instant; false if there was none.
  bool step() {
    bool any = collect();
    any |= deliver(to_b_, b_) ;
    any |= deliver(to_a_, a_);
    if (any && react) react();
    return any;
  }
  // Steps until nothing more can happen at this instant.
  void drive(std::size_t max_steps = 10'000'000) {
    for (std::size_t i = 0; i < max_steps; ++i)
      if (!step()) return;
    ADD_FAILURE() << "pair did not go quiet after " << max_steps << " steps";
  }
  // Jumps to the next delivery or wake-up and handles it; false if nothing is scheduled.
  bool advance() {
    std::optional<instant> next;
    auto consider = [&](std::optional<instant> t) {
      if (t && (!next || *t < *next)) next = t;
    };
    if (!to_b_.empty()) consider(to_b_.front().at);
    if (!to_a_.empty()) consider(to_a_.front().at);
    consider(a_.poll_timeout());
    consider(b_.poll_timeout());
    if (!next) return false;
    if (*next > now) now = *next;
    a_.handle_timeout(now);
    b_.handle_timeout(now);
    if (react) react();
    return true;
  }
  // Runs until `done()` holds, nothing is scheduled, or virtual time passes `limit`.
  bool run_until(const std::function<bool()>& done, duration limit = std::chrono::hours{1}) {
    const instant stop = now + limit;
    for (std::size_t i = 0; i < 10'000'000; ++i) {
      drive();
      if (done()) return true;
      if (now > stop || !advance()) return done();
    }
    return done();
  }
  void run(duration limit = std::chrono::hours{1}) {
    run_until([] { return false; }, limit);
  }

 private:
  struct packet {
    instant at;
    bytes data;
    std::size_t offset = 0;
  };
  static std::size_t bytes_in(const std::deque<packet>& q) {
    std::size_t n = 0;
    for (const auto& p : q) n += p.data.size() - p.offset;
    return n;
  }
  bool send(std::deque<packet>& q, bytes_view data) {
    if (broken_ || data.empty()) return false;
    q.push_back({now + latency, to_bytes(data)});
    return true;
  }
  template <class Core>
  bool deliver(std::deque<packet>& q, Core& to) {
    if (broken_ || q.empty() || q.front().at > now) return false;
    auto& p = q.front();
    std::size_t n = std::min(chunk, p.data.size() - p.offset);
    if (cut_after) n = std::min(n, *cut_after - delivered_);
    if (n > 0) {
      to.handle_input(bytes_view(p.data).subspan(p.offset, n), now);
      p.offset += n;
      delivered_ += n;
      if (p.offset == p.data.size()) q.pop_front();
    }
    if (cut_after && delivered_ == *cut_after) {
      broken_ = true;
      to_a_.clear();
      to_b_.clear();
      a_.handle_eof();
      b_.handle_eof();
    }
    return true;
  }

  A& a_;
  B& b_;
  bytes buf_;
  std::deque<packet> to_a_, to_b_;
  std::size_t delivered_ = 0;
  bool broken_ = false;
};

}  // namespace converge::p2p::testing
