#include "pubsub/mcache.hpp"

namespace converge::pubsub {

void message_cache::put(const message_id& id, const pb::Message& m) {
  if (msgs_.contains(id)) return;
  msgs_.emplace(id, entry{m, {}});
  windows_.front().emplace_back(id, m.topic());
}

const pb::Message* message_cache::get(const message_id& id) const {
  auto it = msgs_.find(id);
  return it == msgs_.end() ? nullptr : &it->second.msg;
}

const pb::Message* message_cache::get_for_peer(const message_id& id, const crypto::peer_id& peer,
                                               std::size_t max_transmissions) {
  auto it = msgs_.find(id);
  if (it == msgs_.end()) return nullptr;
  auto& n = it->second.asked[peer];
  if (n >= max_transmissions) return nullptr;
  ++n;
  return &it->second.msg;
}

std::vector<message_id> message_cache::gossip_ids(const std::string& topic) const {
  std::vector<message_id> out;
  for (std::size_t w = 0; w < gossip_ && w < windows_.size(); ++w)
    for (const auto& [id, t] : windows_[w])
      if (t == topic) out.push_back(id);
  return out;
}

void message_cache::shift() {
  for (const auto& [id, t] : windows_.back()) msgs_.erase(id);
  windows_.pop_back();
  windows_.emplace_front();
}

bool seen_cache::add(const message_id& id, instant now) {
  if (!ids_.insert(id).second) return false;
  order_.emplace_back(now + ttl_, id);
  return true;
}

void seen_cache::expire(instant now) {
  while (!order_.empty() && order_.front().first <= now) {
    ids_.erase(order_.front().second);
    order_.pop_front();
  }
}

}  // namespace converge::pubsub
