#pragma once
// The bandwidth manager: byte counters and smoothed rates per direction,
// globally, per peer and per protocol; and token-bucket rate limits
// (global, every peer, chosen protocols) that callers such as Bitswap and the
// update agent consult before they send or read.
//
// Use by a driver:
//   if (auto r = bw.try_consume(direction::outbound, peer, proto, n, now); !r) {
//     wait bw.time_until(direction::outbound, peer, proto, n, now), then retry;
//   }
//   ... write n bytes ...
//   bw.record(direction::outbound, peer, proto, n, now);
// try_consume takes from every applicable bucket or from none; a request
// larger than the smallest burst can never pass: split it into chunks of at
// most max_chunk(...) bytes (try_consume says so with invalid_argument).
// An empty protocol means "no protocol yet": only the global and peer
// buckets and counters apply.
//
// Bounded: at most max_tracked_peers peers and max_tracked_protocols
// protocols have counters and buckets; a new one past the bound evicts the
// one idle longest (its counters restart from zero if it returns).
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "crypto/peer_id.hpp"
#include "p2p/limits/errors.hpp"
#include "p2p/limits/gater.hpp"
#include "p2p/limits/token_bucket.hpp"

namespace converge::p2p::limits {

struct directional_limit {
  rate_limit inbound;
  rate_limit outbound;
  [[nodiscard]] const rate_limit& operator[](direction d) const { return d == direction::inbound ? inbound : outbound; }
  friend bool operator==(const directional_limit&, const directional_limit&) = default;
};

struct bandwidth_config {
  directional_limit global;
  directional_limit peer;  // each peer
  std::map<std::string, directional_limit, std::less<>> protocols;  // only these protocols are limited
  duration rate_time_constant = std::chrono::seconds{10};
  std::size_t max_tracked_peers = 4096;
  std::size_t max_tracked_protocols = 256;
  friend bool operator==(const bandwidth_config&, const bandwidth_config&) = default;
};

struct traffic_stats {
  std::uint64_t total_inbound = 0;
  std::uint64_t total_outbound = 0;
  double rate_inbound = 0;  // bytes per second, smoothed
  double rate_outbound = 0;
};

class bandwidth_manager {
 public:
  bandwidth_manager(bandwidth_config cfg, instant now);

  // Counts n bytes that moved.
  void record(direction dir, const crypto::peer_id& p, std::string_view protocol, std::uint64_t n, instant now);

  // Takes n bytes from the global, peer and (if limited) protocol buckets, or
  // from none: rate_limited (detail names the bucket and the wait) or
  // invalid_argument when n exceeds max_chunk().
  result<void> try_consume(direction dir, const crypto::peer_id& p, std::string_view protocol, std::uint64_t n,
                           instant now);
  // The longest wait among the applicable buckets; duration::max() if n > max_chunk().
  [[nodiscard]] duration time_until(direction dir, const crypto::peer_id& p, std::string_view protocol,
                                    std::uint64_t n, instant now) const;
  // How many bytes try_consume would grant right now (the fewest tokens among
  // the applicable buckets; unlimited if none limits), for writers that send
  // what they may instead of waiting for a whole chunk.
  [[nodiscard]] std::uint64_t available(direction dir, const crypto::peer_id& p, std::string_view protocol,
                                        instant now) const;
  // The largest request try_consume can ever grant (the smallest burst); unlimited if none limits.
  [[nodiscard]] std::uint64_t max_chunk(direction dir, std::string_view protocol) const;

  [[nodiscard]] traffic_stats totals(instant now) const;
  [[nodiscard]] traffic_stats peer_stats(const crypto::peer_id& p, instant now) const;
  [[nodiscard]] traffic_stats protocol_stats(std::string_view protocol, instant now) const;
  [[nodiscard]] std::size_t tracked_peers() const { return peers_.size(); }
  [[nodiscard]] std::size_t tracked_protocols() const { return protocols_.size(); }
  [[nodiscard]] const bandwidth_config& config() const { return cfg_; }

 private:
  struct entry {
    entry(const directional_limit& lim, duration tau, instant now)
        : in_bucket(lim.inbound, now), out_bucket(lim.outbound, now), in_meter(tau), out_meter(tau), last_active(now) {}
    token_bucket in_bucket;
    token_bucket out_bucket;
    rate_meter in_meter;
    rate_meter out_meter;
    instant last_active;
    token_bucket& bucket(direction d) { return d == direction::inbound ? in_bucket : out_bucket; }
    [[nodiscard]] const token_bucket& bucket(direction d) const {
      return d == direction::inbound ? in_bucket : out_bucket;
    }
    rate_meter& meter(direction d) { return d == direction::inbound ? in_meter : out_meter; }
    [[nodiscard]] traffic_stats stats(instant now) const;
  };
  template <class Map, class Key>
  entry& lookup(Map& m, const Key& key, const directional_limit& lim, std::size_t bound, instant now);
  [[nodiscard]] const directional_limit& protocol_limit(std::string_view protocol) const;

  bandwidth_config cfg_;
  entry global_;
  std::map<crypto::peer_id, entry> peers_;
  std::map<std::string, entry, std::less<>> protocols_;
};

}  // namespace converge::p2p::limits
