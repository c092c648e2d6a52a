#pragma once
// The message cache (gossipsub-v1.0.md "Message Cache"): the last mcache_len
// heartbeat windows of forwarded messages, served to IWANT; the newest
// mcache_gossip windows are advertised in IHAVE. It also counts how often a
// peer asked for each message (gossip_retransmission bound).
// And the seen cache: message IDs remembered for seen_ttl, duplicates dropped.
#include <cstddef>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "base/clock.hpp"
#include "crypto/peer_id.hpp"
#include "pubsub/message.hpp"

namespace converge::pubsub {

class message_cache {
 public:
  message_cache(std::size_t history, std::size_t gossip) : windows_(history), gossip_(gossip) {}
  void put(const message_id& id, const pb::Message& m);
  [[nodiscard]] const pb::Message* get(const message_id& id) const;
  // get() for an IWANT from `peer`: counts the request; nullptr past `max_transmissions`.
  const pb::Message* get_for_peer(const message_id& id, const crypto::peer_id& peer, std::size_t max_transmissions);
  [[nodiscard]] std::vector<message_id> gossip_ids(const std::string& topic) const;
  void shift();
  [[nodiscard]] std::size_t size() const { return msgs_.size(); }

 private:
  struct entry {
    pb::Message msg;
    std::map<crypto::peer_id, std::size_t> asked;
  };
  std::deque<std::vector<std::pair<message_id, std::string>>> windows_;
  std::size_t gossip_;
  std::unordered_map<message_id, entry> msgs_;
};

class seen_cache {
 public:
  explicit seen_cache(duration ttl) : ttl_(ttl) {}
  // True iff newly added.
  bool add(const message_id& id, instant now);
  [[nodiscard]] bool contains(const message_id& id) const { return ids_.contains(id); }
  void expire(instant now);
  [[nodiscard]] std::size_t size() const { return ids_.size(); }

 private:
  duration ttl_;
  std::unordered_set<message_id> ids_;
  std::deque<std::pair<instant, message_id>> order_;
};

}  // namespace converge::pubsub
