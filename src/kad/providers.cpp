#include "kad/providers.hpp"

#include <algorithm>

namespace converge::kad {

bool provider_store::add(bytes_view key, const peer_info& provider, instant now) {
  auto k = to_bytes(key);
  auto it = by_key_.find(k);
  if (it == by_key_.end()) {
    if (by_key_.size() >= opts_.max_keys) return false;
    it = by_key_.emplace(std::move(k), std::vector<entry>{}).first;
  }
  auto& list = it->second;
  auto same = std::find_if(list.begin(), list.end(), [&](const auto& e) { return e.peer.id == provider.id; });
  if (same != list.end()) list.erase(same);
  if (list.size() >= opts_.max_per_key) {
    auto soonest = std::min_element(list.begin(), list.end(), [](const auto& a, const auto& b) { return a.expires < b.expires; });
    list.erase(soonest);
  }
  peer_info p = provider;
  p.connection = connection_type::not_connected;
  list.push_back(entry{std::move(p), now, now + opts_.ttl});
  return true;
}

std::vector<peer_info> provider_store::get(bytes_view key, instant now, std::size_t n) const {
  std::vector<peer_info> out;
  auto it = by_key_.find(to_bytes(key));
  if (it == by_key_.end()) return out;
  for (auto e = it->second.rbegin(); e != it->second.rend() && out.size() < n; ++e)
    if (e->expires > now) out.push_back(e->peer);
  return out;
}

std::size_t provider_store::expire(instant now) {
  std::size_t gone = 0;
  for (auto it = by_key_.begin(); it != by_key_.end();) {
    auto& list = it->second;
    auto before = list.size();
    std::erase_if(list, [&](const auto& e) { return e.expires <= now; });
    gone += before - list.size();
    it = list.empty() ? by_key_.erase(it) : std::next(it);
  }
  return gone;
}

std::optional<instant> provider_store::next_expiry() const {
  std::optional<instant> t;
  for (const auto& [k, list] : by_key_)
    for (const auto& e : list)
      if (!t || e.expires < *t) t = e.expires;
  return t;
}

}  // namespace converge::kad
