#pragma once
// The iterative lookup (libp2p/specs kad-dht/README.md, "Peer routing"): a
// pure state machine over candidate peers sorted by XOR distance to a target.
// It hands out at most `alpha` peers to ask at a time (closest uncontacted
// first), learns closer peers from the answers, and is done when the `k`
// closest peers that did not fail have all answered, or when nothing is left
// to ask. It does no I/O and keeps no time: the owner sends the requests,
// applies timeouts (a timeout is a failure) and may stop it early (quorum).
//
// Bounds: at most max_candidates peers are tracked (the farthest uncontacted
// are forgotten first); at most max_requests peers are ever asked.
#include <cstddef>
#include <map>
#include <vector>

#include "crypto/peer_id.hpp"
#include "kad/key.hpp"
#include "kad/message.hpp"

namespace converge::kad {

struct query_options {
  std::size_t alpha = 3;
  std::size_t k = 20;
  std::size_t max_candidates = 256;
  std::size_t max_requests = 512;
};

struct query_stats {
  std::size_t requests = 0, successes = 0, failures = 0;
  unsigned hops = 0;  // longest chain of answers that led to a peer we asked
};

class lookup {
 public:
  lookup(kad_key target, const crypto::peer_id& self, const std::vector<peer_info>& seeds, query_options o = {});

  // Peers to ask now (marked in flight), so that at most alpha are in flight.
  std::vector<peer_info> next();
  // The peer answered with these closer peers (we ignore ourselves and known peers).
  void on_success(const crypto::peer_id& peer, const std::vector<peer_info>& closer);
  void on_failure(const crypto::peer_id& peer);
  // Stops asking (quorum reached, caller gave up); in-flight answers are then ignored.
  void stop() { stopped_ = true; }

  [[nodiscard]] bool done() const;
  [[nodiscard]] bool stopped() const { return stopped_; }
  [[nodiscard]] std::size_t in_flight() const { return in_flight_; }
  // Up to n peers that answered, nearest first.
  [[nodiscard]] std::vector<peer_info> closest_succeeded(std::size_t n) const;
  [[nodiscard]] bool knows(const crypto::peer_id& peer) const;
  [[nodiscard]] const query_stats& stats() const { return stats_; }
  [[nodiscard]] const kad_key& target() const { return target_; }

 private:
  enum class state { fresh, waiting, succeeded, failed };
  struct candidate {
    peer_info peer;
    state st = state::fresh;
    unsigned depth = 0;
  };
  void add(const peer_info& p, unsigned depth);
  candidate* find(const crypto::peer_id& peer);

  kad_key target_;
  crypto::peer_id self_;
  query_options opts_;
  std::map<kad_key, candidate> candidates_;  // by distance to target
  std::size_t in_flight_ = 0;
  bool stopped_ = false;
  query_stats stats_;
};

}  // namespace converge::kad
