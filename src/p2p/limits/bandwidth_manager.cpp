#include "p2p/limits/bandwidth_manager.hpp"

#include <algorithm>
#include <array>
#include <limits>

namespace converge::p2p::limits {
namespace {

const directional_limit no_limit{};

std::string millis(duration d) {
  if (d == duration::max()) return "forever";
  auto ms = std::chrono::ceil<std::chrono::milliseconds>(d).count();
  return std::to_string(ms) + " ms";
}

}  // namespace

bandwidth_manager::bandwidth_manager(bandwidth_config cfg, instant now)
    : cfg_(std::move(cfg)), global_(cfg_.global, cfg_.rate_time_constant, now) {}

traffic_stats bandwidth_manager::entry::stats(instant now) const {
  return {in_meter.total(), out_meter.total(), in_meter.rate(now), out_meter.rate(now)};
}

const directional_limit& bandwidth_manager::protocol_limit(std::string_view protocol) const {
  auto it = cfg_.protocols.find(protocol);
  return it == cfg_.protocols.end() ? no_limit : it->second;
}

template <class Map, class Key>
bandwidth_manager::entry& bandwidth_manager::lookup(Map& m, const Key& key, const directional_limit& lim,
                                                    std::size_t bound, instant now) {
  auto it = m.find(key);
  if (it == m.end()) {
    if (m.size() >= bound && !m.empty()) {
      auto oldest = std::min_element(m.begin(), m.end(), [](const auto& a, const auto& b) {
        return a.second.last_active < b.second.last_active;
      });
      m.erase(oldest);
    }
    it = m.emplace(typename Map::key_type(key), entry(lim, cfg_.rate_time_constant, now)).first;
  }
  it->second.last_active = std::max(it->second.last_active, now);
  return it->second;
}

void bandwidth_manager::record(direction dir, const crypto::peer_id& p, std::string_view protocol, std::uint64_t n,
                               instant now) {
  global_.meter(dir).record(n, now);
  lookup(peers_, p, cfg_.peer, cfg_.max_tracked_peers, now).meter(dir).record(n, now);
  if (!protocol.empty())
    lookup(protocols_, protocol, protocol_limit(protocol), cfg_.max_tracked_protocols, now).meter(dir).record(n, now);
}

std::uint64_t bandwidth_manager::max_chunk(direction dir, std::string_view protocol) const {
  std::uint64_t chunk = std::numeric_limits<std::uint64_t>::max();
  for (const auto* lim : {&cfg_.global[dir], &cfg_.peer[dir], &protocol_limit(protocol)[dir]})
    if (lim->limited()) chunk = std::min(chunk, lim->burst);
  return chunk;
}

result<void> bandwidth_manager::try_consume(direction dir, const crypto::peer_id& p, std::string_view protocol,
                                            std::uint64_t n, instant now) {
  if (n > max_chunk(dir, protocol))
    return fail(limits_errc::invalid_argument, std::to_string(n) + " bytes " + to_string(dir) +
                                                   " exceed the smallest burst (" +
                                                   std::to_string(max_chunk(dir, protocol)) + "); split the request");
  auto& peer = lookup(peers_, p, cfg_.peer, cfg_.max_tracked_peers, now);
  entry* proto = protocol.empty()
                     ? nullptr
                     : &lookup(protocols_, protocol, protocol_limit(protocol), cfg_.max_tracked_protocols, now);
  struct named {
    token_bucket* bucket;
    std::string name;
  };
  std::array<named, 3> buckets{named{&global_.bucket(dir), "global"}, named{&peer.bucket(dir), "peer " + p.to_string()},
                               named{proto ? &proto->bucket(dir) : nullptr, "protocol " + std::string(protocol)}};
  for (const auto& b : buckets) {
    if (!b.bucket) continue;
    auto wait = b.bucket->time_until(n, now);
    if (wait > duration::zero())
      return fail(limits_errc::rate_limited, b.name + " " + to_string(dir) + " rate limit " +
                                                 std::to_string(b.bucket->limit().bytes_per_second) +
                                                 " B/s: " + std::to_string(n) + " bytes available in " + millis(wait));
  }
  for (const auto& b : buckets)
    if (b.bucket) b.bucket->try_consume(n, now);
  return ok();
}

duration bandwidth_manager::time_until(direction dir, const crypto::peer_id& p, std::string_view protocol,
                                       std::uint64_t n, instant now) const {
  if (n > max_chunk(dir, protocol)) return duration::max();
  auto wait = global_.bucket(dir).time_until(n, now);
  // A peer or protocol not tracked yet would start with a full bucket.
  if (auto it = peers_.find(p); it != peers_.end()) wait = std::max(wait, it->second.bucket(dir).time_until(n, now));
  if (!protocol.empty())
    if (auto it = protocols_.find(protocol); it != protocols_.end())
      wait = std::max(wait, it->second.bucket(dir).time_until(n, now));
  return wait;
}

std::uint64_t bandwidth_manager::available(direction dir, const crypto::peer_id& p, std::string_view protocol,
                                          instant now) const {
  // Untracked peers and protocols would start with full buckets: their burst.
  auto fresh = [](const rate_limit& lim) {
    return lim.limited() ? lim.burst : std::numeric_limits<std::uint64_t>::max();
  };
  auto n = global_.bucket(dir).available(now);
  if (auto it = peers_.find(p); it != peers_.end()) n = std::min(n, it->second.bucket(dir).available(now));
  else n = std::min(n, fresh(cfg_.peer[dir]));
  if (!protocol.empty()) {
    if (auto it = protocols_.find(protocol); it != protocols_.end())
      n = std::min(n, it->second.bucket(dir).available(now));
    else n = std::min(n, fresh(protocol_limit(protocol)[dir]));
  }
  return n;
}

traffic_stats bandwidth_manager::totals(instant now) const { return global_.stats(now); }

traffic_stats bandwidth_manager::peer_stats(const crypto::peer_id& p, instant now) const {
  auto it = peers_.find(p);
  return it == peers_.end() ? traffic_stats{} : it->second.stats(now);
}

traffic_stats bandwidth_manager::protocol_stats(std::string_view protocol, instant now) const {
  auto it = protocols_.find(protocol);
  return it == protocols_.end() ? traffic_stats{} : it->second.stats(now);
}

}  // namespace converge::p2p::limits
