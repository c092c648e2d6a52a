#pragma once
// TCP for libp2p: multiaddr <-> endpoint conversion, listening, and dialling
// several addresses of one peer raced (happy-eyeballs-lite: attempt i starts
// i x stagger after the first; the first connected socket wins and the other
// attempts are cancelled).
#include <optional>
#include <vector>

#include "base/clock.hpp"
#include "base/error.hpp"
#include "crypto/peer_id.hpp"
#include "multiformats/multiaddr.hpp"
#include "p2p/io/asio.hpp"

namespace converge::p2p::io {

// /ip4|ip6/<addr>/tcp/<port>, optionally followed by /p2p/<id>; anything else is invalid_address.
result<tcp::endpoint> to_endpoint(const mf::multiaddr& addr);
mf::multiaddr to_multiaddr(const tcp::endpoint& ep);
// The /p2p/<id> at the end of `addr`, if any (invalid_address if it does not parse).
result<std::optional<crypto::peer_id>> peer_of(const mf::multiaddr& addr);
// `addr` without its trailing /p2p/<id>.
mf::multiaddr without_peer(const mf::multiaddr& addr);

struct dial_options {
  duration timeout = std::chrono::seconds{10};  // per attempt, TCP connect only
  duration stagger = std::chrono::milliseconds{250};
  std::size_t max_addresses = 16;  // addresses beyond it are ignored
};

// Connects to the first of `endpoints` that answers. Fails with dial_failed
// (every reason in the detail) or timeout.
task<result<tcp::socket>> dial_tcp(std::vector<tcp::endpoint> endpoints, dial_options options);

// Binds and listens; port 0 picks a free port (read it from local_endpoint()).
result<tcp::acceptor> listen_tcp(const asio::any_io_executor& ex, const mf::multiaddr& addr);

}  // namespace converge::p2p::io
