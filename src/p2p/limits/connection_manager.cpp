#include "p2p/limits/connection_manager.hpp"

#include <algorithm>
#include <limits>

namespace converge::p2p::limits {

std::int64_t connection_manager::peer_info::value() const {
  std::int64_t sum = 0;
  for (const auto& [_, v] : tags) {
    // Saturate: a hostile or buggy tagger must not wrap a peer's value around.
    if (v > 0 && sum > std::numeric_limits<std::int64_t>::max() - v) sum = std::numeric_limits<std::int64_t>::max();
    else if (v < 0 && sum < std::numeric_limits<std::int64_t>::min() - v)
      sum = std::numeric_limits<std::int64_t>::min();
    else sum += v;
  }
  return sum;
}

result<connection_manager::peer_info*> connection_manager::tracked(const crypto::peer_id& p) {
  auto it = peers_.find(p);
  if (it != peers_.end()) return &it->second;
  // Peers with connections are always tracked (connected() never fails); the
  // bound is on the others, which only tags and protections create.
  std::size_t without_conns = 0;
  for (const auto& [_, info] : peers_)
    if (info.conns.empty()) ++without_conns;
  if (without_conns >= cfg_.max_tracked_peers)
    return fail(limits_errc::invalid_argument, "connection manager tracks " + std::to_string(cfg_.max_tracked_peers) +
                                                   " peers without connections already; not tagging " + p.to_string());
  return &peers_[p];
}

void connection_manager::collect(const crypto::peer_id& p) {
  auto it = peers_.find(p);
  if (it != peers_.end() && it->second.idle()) peers_.erase(it);
}

void connection_manager::connected(connection_id id, const crypto::peer_id& p, instant now) {
  if (conns_.contains(id)) return;
  auto& info = peers_[p];
  if (info.conns.empty()) info.first_seen = now;
  info.conns.insert(id);
  conns_.emplace(id, p);
}

void connection_manager::disconnected(connection_id id) {
  auto it = conns_.find(id);
  if (it == conns_.end()) return;
  auto p = it->second;
  conns_.erase(it);
  if (auto pi = peers_.find(p); pi != peers_.end()) pi->second.conns.erase(id);
  collect(p);
}

result<void> connection_manager::tag_peer(const crypto::peer_id& p, std::string_view tag, std::int64_t value) {
  auto info = tracked(p);
  if (!info) return fail(info.error());
  auto& tags = (*info)->tags;
  if (auto it = tags.find(tag); it != tags.end()) {
    it->second = value;
    return ok();
  }
  if (tags.size() >= cfg_.max_tags_per_peer) {
    collect(p);
    return fail(limits_errc::invalid_argument, "peer " + p.to_string() + " already has " +
                                                   std::to_string(cfg_.max_tags_per_peer) + " tags; not adding \"" +
                                                   std::string(tag) + "\"");
  }
  tags.emplace(std::string(tag), value);
  return ok();
}

void connection_manager::untag_peer(const crypto::peer_id& p, std::string_view tag) {
  auto it = peers_.find(p);
  if (it == peers_.end()) return;
  if (auto t = it->second.tags.find(tag); t != it->second.tags.end()) it->second.tags.erase(t);
  collect(p);
}

result<void> connection_manager::protect(const crypto::peer_id& p, std::string_view tag) {
  auto info = tracked(p);
  if (!info) return fail(info.error());
  auto& prot = (*info)->protections;
  if (prot.contains(tag)) return ok();
  if (prot.size() >= cfg_.max_tags_per_peer) {
    collect(p);
    return fail(limits_errc::invalid_argument, "peer " + p.to_string() + " already has " +
                                                   std::to_string(cfg_.max_tags_per_peer) + " protections");
  }
  prot.emplace(tag);
  return ok();
}

bool connection_manager::unprotect(const crypto::peer_id& p, std::string_view tag) {
  auto it = peers_.find(p);
  if (it == peers_.end()) return false;
  if (auto t = it->second.protections.find(tag); t != it->second.protections.end()) it->second.protections.erase(t);
  bool still = !it->second.protections.empty();
  collect(p);
  return still;
}

bool connection_manager::is_protected(const crypto::peer_id& p) const {
  auto it = peers_.find(p);
  return it != peers_.end() && !it->second.protections.empty();
}

std::int64_t connection_manager::peer_value(const crypto::peer_id& p) const {
  auto it = peers_.find(p);
  return it == peers_.end() ? 0 : it->second.value();
}

std::size_t connection_manager::connections_of(const crypto::peer_id& p) const {
  auto it = peers_.find(p);
  return it == peers_.end() ? 0 : it->second.conns.size();
}

std::vector<trim_decision> connection_manager::trim(instant now) {
  std::vector<trim_decision> out;
  std::size_t count = conns_.size();
  if (count <= cfg_.high_water) return out;
  if (last_trim_ && now < *last_trim_ + cfg_.silence_period) return out;

  struct candidate {
    const crypto::peer_id* peer;
    const peer_info* info;
    std::int64_t value;
  };
  std::vector<candidate> cands;
  for (const auto& [p, info] : peers_) {
    if (info.conns.empty() || !info.protections.empty()) continue;
    if (now < info.first_seen + cfg_.grace_period) continue;
    cands.push_back({&p, &info, info.value()});
  }
  std::sort(cands.begin(), cands.end(), [](const candidate& a, const candidate& b) {
    if (a.value != b.value) return a.value < b.value;
    if (a.info->conns.size() != b.info->conns.size()) return a.info->conns.size() > b.info->conns.size();
    if (a.info->first_seen != b.info->first_seen) return a.info->first_seen > b.info->first_seen;
    return *a.peer < *b.peer;
  });

  std::size_t remaining = count;
  std::vector<crypto::peer_id> trimmed;
  for (const auto& c : cands) {
    if (remaining <= cfg_.low_water) break;
    std::string reason = "connection manager: " + std::to_string(count) + " connections over high water " +
                         std::to_string(cfg_.high_water) + " (trimming to " + std::to_string(cfg_.low_water) +
                         "); peer value " + std::to_string(c.value);
    for (auto id : c.info->conns) out.push_back({id, *c.peer, reason});
    remaining -= std::min(remaining, c.info->conns.size());
    trimmed.push_back(*c.peer);
  }
  for (const auto& d : out) conns_.erase(d.id);
  for (const auto& p : trimmed) {
    peers_[p].conns.clear();
    collect(p);
  }
  if (!out.empty()) last_trim_ = now;
  return out;
}

std::optional<instant> connection_manager::next_trim_at(instant now) const {
  if (conns_.size() <= cfg_.high_water) return std::nullopt;
  std::optional<instant> grace_end;
  bool candidate_now = false;
  for (const auto& [_, info] : peers_) {
    if (info.conns.empty() || !info.protections.empty()) continue;
    auto end = info.first_seen + cfg_.grace_period;
    if (end <= now) candidate_now = true;
    else if (!grace_end || end < *grace_end) grace_end = end;
  }
  instant at = now;
  if (!candidate_now) {
    if (!grace_end) return std::nullopt;  // only protected peers: nothing will ever be trimmable
    at = *grace_end;
  }
  if (last_trim_) at = std::max(at, *last_trim_ + cfg_.silence_period);
  return at;
}

}  // namespace converge::p2p::limits
