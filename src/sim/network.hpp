#pragma once
// A deterministic network simulator for sans-IO cores (ARCHITECTURE.md
// principle 3). N nodes live in one process on a virtual clock
// (manual_clock); a network model delays, throttles, drops and partitions the
// payloads they exchange; the event loop jumps straight to the next wake-up:
// the earliest of the in-flight arrivals and the nodes' poll_timeout().
//
// A node is anything with the sim::node shape (connect/disconnect, message
// in, payloads out, timeouts), so GossipSub, Kademlia and Bitswap cores can
// each be wrapped in a small adapter and share this loop. Same seed, same
// topology, same calls: the same run, event for event.
//
// Model, per directed link (default_link() unless set_link() overrides):
//  * latency + uniform jitter in [0, jitter]; delivery on a link stays FIFO
//    (a later payload never overtakes an earlier one, as on one stream);
//  * bandwidth in bytes/s (0: unlimited): payloads serialise on the link;
//  * loss: each payload is dropped with this probability (a harsher model than
//    TCP, where loss shows up as delay: it exercises recovery paths);
//  * partitions: nodes carry a group; payloads between groups are dropped at
//    send and at arrival time while the partition lasts;
//  * churn: an offline node loses its connections, drops what arrives, and is
//    not woken until it comes back online.
// Payloads only flow over connections made with connect().
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <set>
#include <vector>

#include "base/bytes.hpp"
#include "base/clock.hpp"
#include "base/rng.hpp"

namespace converge::sim {

using node_index = std::uint32_t;

// The sans-IO shape the simulator drives. Calls come from one thread, in
// virtual time. on_timeout() must move poll_timeout() past `now` (or to
// nullopt), or the loop would spin at one instant.
class node {
 public:
  virtual ~node() = default;
  virtual void on_connect(node_index peer, bool outbound, instant now) = 0;
  virtual void on_disconnect(node_index peer, instant now) = 0;
  virtual void on_message(node_index from, bytes payload, instant now) = 0;
  virtual void on_timeout(instant now) = 0;
  [[nodiscard]] virtual std::optional<instant> poll_timeout() = 0;
  // One payload to send, or nullopt when nothing is queued.
  virtual std::optional<std::pair<node_index, bytes>> poll_send() = 0;
};

struct link_params {
  duration latency = 20ms;
  duration jitter = 0ms;
  std::uint64_t bandwidth = 0;  // bytes per second; 0 = unlimited
  double loss = 0;              // probability in [0, 1]
};

struct network_stats {
  std::uint64_t sent = 0, delivered = 0, bytes_delivered = 0;
  std::uint64_t lost = 0, partitioned = 0, offline = 0, not_connected = 0, timeouts = 0;
};

class network {
 public:
  explicit network(std::uint64_t seed, link_params defaults = {});

  node_index add_node(std::unique_ptr<node> n);
  [[nodiscard]] std::size_t size() const { return nodes_.size(); }
  template <class T>
  T& get(node_index i) { return static_cast<T&>(*nodes_.at(i).impl); }

  void set_default_link(link_params p) { defaults_ = p; }
  // Both directions between a and b.
  void set_link(node_index a, node_index b, link_params p);

  // `a` dials `b`: both sides get on_connect at once (a outbound).
  void connect(node_index a, node_index b);
  void disconnect(node_index a, node_index b);
  [[nodiscard]] bool connected(node_index a, node_index b) const;
  [[nodiscard]] const std::set<node_index>& connections(node_index a) const { return nodes_.at(a).conns; }

  // Assigns partition groups (index = node, missing entries are group 0); heal() merges all.
  void partition(const std::vector<int>& group_of);
  void heal();
  void set_online(node_index i, bool online);
  [[nodiscard]] bool online(node_index i) const { return nodes_.at(i).online; }

  [[nodiscard]] instant now() const { return clock_.now(); }
  [[nodiscard]] manual_clock& clock() { return clock_; }
  [[nodiscard]] rng& random() { return rng_; }
  [[nodiscard]] const network_stats& stats() const { return stats_; }

  // Runs events until virtual time `t` (inclusive), then leaves the clock at `t`.
  void run_until(instant t);
  void run_for(duration d) { run_until(now() + d); }
  // Delivers sends queued by API calls made on nodes outside the loop (publish, ...).
  void flush(node_index i);

 private:
  struct in_flight {
    instant at;
    std::uint64_t seq;
    node_index from, to;
    bytes payload;
    bool operator>(const in_flight& o) const { return at != o.at ? at > o.at : seq > o.seq; }
  };
  struct slot {
    std::unique_ptr<node> impl;
    bool online = true;
    int group = 0;
    std::set<node_index> conns;
    std::optional<instant> wake;
    std::uint64_t wake_gen = 0;  // bumped whenever wake changes: older heap entries are stale
  };
  // Timer heap: the earliest (wake, node) first; entries are never removed in
  // place, a stale one (its generation no longer the node's) is skipped when
  // it surfaces. Finding the next wake-up costs O(log n), not a scan of every
  // node per event (which made 10,000-node runs quadratic).
  struct wake_entry {
    instant at;
    node_index node;
    std::uint64_t gen;
    bool operator>(const wake_entry& o) const { return at != o.at ? at > o.at : node > o.node; }
  };
  struct link_state {
    instant free_at{};       // bandwidth: when the link finishes its current payload
    instant last_arrival{};  // FIFO
  };
  [[nodiscard]] const link_params& link(node_index a, node_index b) const;
  void drain(node_index i);
  void refresh(node_index i);
  // The earliest live wake-up, dropping stale heap entries on the way.
  std::optional<instant> next_wake();

  manual_clock clock_;
  deterministic_rng rng_;
  link_params defaults_;
  std::vector<slot> nodes_;
  std::map<std::pair<node_index, node_index>, link_params> links_;
  std::map<std::pair<node_index, node_index>, link_state> link_state_;
  std::priority_queue<in_flight, std::vector<in_flight>, std::greater<>> queue_;
  std::priority_queue<wake_entry, std::vector<wake_entry>, std::greater<>> wakes_;
  std::uint64_t seq_ = 0;
  network_stats stats_;
};

}  // namespace converge::sim
