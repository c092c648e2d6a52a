#pragma once
// Runs p2p hosts on one io_context in the test's thread. run() drives the
// loop until the given coroutine finishes; nothing waits on wall-clock time
// except the hosts' own timeouts that a test configures.
#include <gtest/gtest.h>

#include <exception>
#include <optional>

#include "base/rng.hpp"
#include "p2p/io/host.hpp"

namespace converge::p2p::io::testing {

inline void run_void(asio::io_context& io, task<void> t) {
  std::exception_ptr ep;
  bool done = false;
  asio::co_spawn(io, std::move(t), [&](std::exception_ptr e) {
    ep = e;
    done = true;
  });
  io.restart();
  while (!done && io.run_one() > 0) {
  }
  if (ep) std::rethrow_exception(ep);
  if (!done) throw std::runtime_error("io_context ran out of work before the task finished");
}

template <class T>
task<void> capture(task<T> t, std::optional<T>& out) {
  out.emplace(co_await std::move(t));
}

template <class T>
T run(asio::io_context& io, task<T> t) {
  std::optional<T> out;
  run_void(io, capture(std::move(t), out));
  return std::move(*out);
}

inline crypto::private_key test_key(std::uint64_t seed) {
  deterministic_rng r(seed);
  return *crypto::private_key::generate(crypto::key_type::ed25519, r);
}

inline mf::multiaddr loopback() { return *mf::multiaddr::parse("/ip4/127.0.0.1/tcp/0"); }

inline host_config test_config(std::uint64_t seed) {
  host_config c(test_key(seed));
  c.listen_addrs = {loopback()};
  c.dial_backoff = std::chrono::milliseconds{0};
  return c;
}

inline std::shared_ptr<host> make_host(asio::io_context& io, host_config c, bool listen = true) {
  auto h = host::create(io.get_executor(), std::move(c));
  EXPECT_TRUE(h.has_value());
  if (listen) {
    EXPECT_TRUE((*h)->listen().has_value());
  }
  return *h;
}

inline mf::multiaddr dial_addr(const host& h) {
  return *h.listen_addrs().front().encapsulate(*mf::multiaddr::parse("/p2p/" + h.id().to_string()));
}

// Waits for the next event of type E on `h` (other events are skipped).
template <class E>
task<E> next_of(std::shared_ptr<host> h) {
  while (true) {
    auto e = co_await h->next_event();
    if (auto* x = std::get_if<E>(&e)) co_return std::move(*x);
  }
}

}  // namespace converge::p2p::io::testing
