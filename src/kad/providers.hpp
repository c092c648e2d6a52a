#pragma once
// Provider records (libp2p/specs kad-dht/README.md, "Content provider
// advertisement and discovery"): who says they hold the content under a key
// (a multihash). Each record expires `ttl` after it was added (48 h); a
// provider re-adds itself every 22 h (the DHT core's republish timer).
//
// Bounded: at most max_keys keys and max_per_key providers per key. When a
// key is full, the provider whose record expires soonest makes room; when the
// key table is full, new keys are refused (existing ones still refresh).
#include <cstddef>
#include <map>
#include <optional>
#include <vector>

#include "base/clock.hpp"
#include "crypto/peer_id.hpp"
#include "kad/message.hpp"

namespace converge::kad {

struct provider_options {
  duration ttl = 48h;
  std::size_t max_keys = 100'000;
  std::size_t max_per_key = 64;
};

class provider_store {
 public:
  explicit provider_store(provider_options o = {}) : opts_(o) {}

  // False when the key table is full and `key` is new.
  bool add(bytes_view key, const peer_info& provider, instant now);
  // Live providers of `key`, most recently added first, at most n.
  [[nodiscard]] std::vector<peer_info> get(bytes_view key, instant now, std::size_t n = SIZE_MAX) const;
  // Drops expired records; returns how many went.
  std::size_t expire(instant now);
  // Earliest expiry, for the owner's timer.
  [[nodiscard]] std::optional<instant> next_expiry() const;
  [[nodiscard]] std::size_t keys() const { return by_key_.size(); }

 private:
  struct entry {
    peer_info peer;
    instant added, expires;
  };
  provider_options opts_;
  std::map<bytes, std::vector<entry>> by_key_;
};

}  // namespace converge::kad
