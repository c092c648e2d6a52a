#pragma once
// The Kademlia routing table (libp2p/specs kad-dht/README.md, "Kademlia
// routing table"): 256 buckets indexed by the common prefix length of
// sha256(peer ID) with our own key, each holding at most k peers ordered from
// least to most recently seen, plus a bounded replacement cache of peers that
// arrived while the bucket was full.
//
// Liveness (the original Kademlia rule, which keeps long-lived peers): when a
// new peer finds its bucket full, it waits in the replacement cache, and if
// the bucket's least recently seen peer has not been seen for
// `liveness_interval` the table asks for that peer to be checked
// (take_liveness_checks()). A failed check, or `max_failures` failed requests
// in a row, evicts the peer and promotes the newest replacement. Only peers
// that answered us or connected as DHT servers are inserted: peers merely
// named in closerPeers are not (they might not exist).
#include <array>
#include <cstddef>
#include <deque>
#include <optional>
#include <vector>

#include "base/clock.hpp"
#include "crypto/peer_id.hpp"
#include "kad/key.hpp"
#include "kad/message.hpp"

namespace converge::kad {

struct routing_options {
  std::size_t k = 20;                   // bucket size
  std::size_t replacement_cache = 20;   // per bucket
  duration liveness_interval = 10min;   // a peer unseen this long is checked before it may be kept
  unsigned max_failures = 2;            // consecutive failed requests before eviction
};

struct routing_entry {
  peer_info peer;
  kad_key key;
  instant last_seen{};
  unsigned failures = 0;
  bool checking = false;  // a liveness check is outstanding
};

enum class insert_result { added, updated, cached, self };

class routing_table {
 public:
  routing_table(const crypto::peer_id& self, routing_options o = {});

  // A peer proved alive (answered a request, or connected as a server).
  insert_result observe(const peer_info& peer, instant now);
  // A request to the peer failed; evicts it after max_failures in a row.
  void record_failure(const crypto::peer_id& id);
  // Outcome of a liveness check asked for by take_liveness_checks().
  void liveness_result(const crypto::peer_id& id, bool alive, instant now);
  // Drops the peer and promotes a replacement; false if it was not in the table.
  bool remove(const crypto::peer_id& id);

  // Peers to check now (each handed out once until liveness_result). Also
  // includes table entries not seen for liveness_interval (periodic checks).
  std::vector<peer_info> take_liveness_checks(instant now);

  // Up to n entries closest to target, nearest first.
  [[nodiscard]] std::vector<peer_info> closest(const kad_key& target, std::size_t n) const;
  [[nodiscard]] const routing_entry* find(const crypto::peer_id& id) const;
  [[nodiscard]] bool contains(const crypto::peer_id& id) const { return find(id) != nullptr; }
  [[nodiscard]] std::size_t size() const;
  [[nodiscard]] std::size_t bucket_size(unsigned cpl) const { return buckets_.at(cpl).entries.size(); }
  [[nodiscard]] std::size_t replacements(unsigned cpl) const { return buckets_.at(cpl).replacements.size(); }
  // Highest common prefix length of a non-empty bucket, nullopt when empty.
  [[nodiscard]] std::optional<unsigned> deepest_bucket() const;
  [[nodiscard]] const kad_key& self_key() const { return self_key_; }
  [[nodiscard]] const crypto::peer_id& self() const { return self_; }
  [[nodiscard]] const routing_options& options() const { return opts_; }

 private:
  struct bucket {
    std::vector<routing_entry> entries;       // least recently seen first
    std::deque<routing_entry> replacements;   // newest last
  };
  bucket* bucket_of(const kad_key& key);
  void promote(bucket& b);

  crypto::peer_id self_;
  kad_key self_key_;
  routing_options opts_;
  std::array<bucket, 256> buckets_;
  std::vector<crypto::peer_id> pending_checks_;
};

}  // namespace converge::kad
