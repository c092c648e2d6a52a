#pragma once
// A deadline for a sequence of socket operations: when it passes, the
// callback runs (it closes the socket, so the pending operation fails and the
// coroutine unwinds). disarm() before the guarded objects go away; the
// callback never runs after disarm(), even if the timer already fired.
#include <functional>
#include <memory>

#include "base/clock.hpp"
#include "p2p/io/asio.hpp"

namespace converge::p2p::io {

class watchdog {
 public:
  watchdog(const asio::any_io_executor& ex, duration timeout, std::function<void()> on_expiry)
      : state_(std::make_shared<state>(ex, std::move(on_expiry))) {
    state_->timer.expires_after(timeout);
    state_->timer.async_wait([s = state_](const boost::system::error_code& ec) {
      if (ec || s->disarmed) return;
      s->fired = true;
      if (s->on_expiry) s->on_expiry();
    });
  }
  watchdog(const watchdog&) = delete;
  watchdog& operator=(const watchdog&) = delete;
  ~watchdog() { disarm(); }

  void disarm() {
    state_->disarmed = true;
    state_->on_expiry = nullptr;
    state_->timer.cancel();
  }
  [[nodiscard]] bool fired() const { return state_->fired; }

 private:
  struct state {
    state(const asio::any_io_executor& ex, std::function<void()> f) : timer(ex), on_expiry(std::move(f)) {}
    asio::steady_timer timer;
    std::function<void()> on_expiry;
    bool disarmed = false;
    bool fired = false;
  };
  std::shared_ptr<state> state_;
};

}  // namespace converge::p2p::io
