#include "kad/routing_table.hpp"

#include <algorithm>

namespace converge::kad {

routing_table::routing_table(const crypto::peer_id& self, routing_options o)
    : self_(self), self_key_(kad_key::of(self.to_bytes())), opts_(o) {}

routing_table::bucket* routing_table::bucket_of(const kad_key& key) {
  unsigned cpl = common_prefix_length(self_key_, key);
  return cpl >= 256 ? nullptr : &buckets_[cpl];
}

insert_result routing_table::observe(const peer_info& peer, instant now) {
  if (peer.id == self_) return insert_result::self;
  auto key = kad_key::of(peer.id.to_bytes());
  auto* b = bucket_of(key);
  if (b == nullptr) return insert_result::self;
  auto it = std::find_if(b->entries.begin(), b->entries.end(), [&](const auto& e) { return e.peer.id == peer.id; });
  if (it != b->entries.end()) {
    routing_entry e = std::move(*it);
    b->entries.erase(it);
    if (!peer.addrs.empty()) e.peer.addrs = peer.addrs;
    e.last_seen = now;
    e.failures = 0;
    e.checking = false;
    b->entries.push_back(std::move(e));
    return insert_result::updated;
  }
  routing_entry fresh{peer, key, now, 0, false};
  fresh.peer.connection = connection_type::not_connected;
  if (b->entries.size() < opts_.k) {
    b->entries.push_back(std::move(fresh));
    return insert_result::added;
  }
  // Full: the newcomer waits; the oldest entry is checked if it has gone quiet.
  auto rit = std::find_if(b->replacements.begin(), b->replacements.end(),
                          [&](const auto& e) { return e.peer.id == peer.id; });
  if (rit != b->replacements.end()) b->replacements.erase(rit);
  b->replacements.push_back(std::move(fresh));
  while (b->replacements.size() > opts_.replacement_cache) b->replacements.pop_front();
  auto& oldest = b->entries.front();
  if (!oldest.checking && now - oldest.last_seen >= opts_.liveness_interval) {
    oldest.checking = true;
    pending_checks_.push_back(oldest.peer.id);
  }
  return insert_result::cached;
}

void routing_table::promote(bucket& b) {
  if (b.replacements.empty() || b.entries.size() >= opts_.k) return;
  b.entries.push_back(std::move(b.replacements.back()));
  b.replacements.pop_back();
}

bool routing_table::remove(const crypto::peer_id& id) {
  auto* b = bucket_of(kad_key::of(id.to_bytes()));
  if (b == nullptr) return false;
  auto it = std::find_if(b->entries.begin(), b->entries.end(), [&](const auto& e) { return e.peer.id == id; });
  if (it == b->entries.end()) {
    auto rit = std::find_if(b->replacements.begin(), b->replacements.end(), [&](const auto& e) { return e.peer.id == id; });
    if (rit != b->replacements.end()) b->replacements.erase(rit);
    return false;
  }
  b->entries.erase(it);
  promote(*b);
  return true;
}

void routing_table::record_failure(const crypto::peer_id& id) {
  auto* b = bucket_of(kad_key::of(id.to_bytes()));
  if (b == nullptr) return;
  auto it = std::find_if(b->entries.begin(), b->entries.end(), [&](const auto& e) { return e.peer.id == id; });
  if (it == b->entries.end()) return;
  if (++it->failures >= opts_.max_failures) remove(id);
}

void routing_table::liveness_result(const crypto::peer_id& id, bool alive, instant now) {
  if (!alive) {
    remove(id);
    return;
  }
  auto* b = bucket_of(kad_key::of(id.to_bytes()));
  if (b == nullptr) return;
  auto it = std::find_if(b->entries.begin(), b->entries.end(), [&](const auto& e) { return e.peer.id == id; });
  if (it == b->entries.end()) return;
  peer_info p = it->peer;
  observe(p, now);
}

std::vector<peer_info> routing_table::take_liveness_checks(instant now) {
  std::vector<peer_info> out;
  for (const auto& id : pending_checks_)
    if (const auto* e = find(id)) out.push_back(e->peer);
  pending_checks_.clear();
  for (auto& b : buckets_)
    for (auto& e : b.entries)
      if (!e.checking && now - e.last_seen >= opts_.liveness_interval) {
        e.checking = true;
        out.push_back(e.peer);
      }
  return out;
}

std::vector<peer_info> routing_table::closest(const kad_key& target, std::size_t n) const {
  std::vector<std::pair<kad_key, const routing_entry*>> all;
  for (const auto& b : buckets_)
    for (const auto& e : b.entries) all.emplace_back(distance(target, e.key), &e);
  n = std::min(n, all.size());
  std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(n), all.end(),
                    [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<peer_info> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) out.push_back(all[i].second->peer);
  return out;
}

const routing_entry* routing_table::find(const crypto::peer_id& id) const {
  unsigned cpl = common_prefix_length(self_key_, kad_key::of(id.to_bytes()));
  if (cpl >= 256) return nullptr;
  for (const auto& e : buckets_[cpl].entries)
    if (e.peer.id == id) return &e;
  return nullptr;
}

std::size_t routing_table::size() const {
  std::size_t n = 0;
  for (const auto& b : buckets_) n += b.entries.size();
  return n;
}

std::optional<unsigned> routing_table::deepest_bucket() const {
  for (unsigned i = 256; i-- > 0;)
    if (!buckets_[i].entries.empty()) return i;
  return std::nullopt;
}

}  // namespace converge::kad
