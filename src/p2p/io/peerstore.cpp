#include "p2p/io/peerstore.hpp"

#include <algorithm>

namespace converge::p2p::io {

peerstore::entry* peerstore::find_or_add(const crypto::peer_id& peer) {
  auto it = peers_.find(peer);
  if (it != peers_.end()) return &it->second;
  if (peers_.size() >= limits_.max_peers) return nullptr;
  return &peers_.emplace(peer, entry{}).first->second;
}

const peerstore::entry* peerstore::find(const crypto::peer_id& peer) const {
  auto it = peers_.find(peer);
  return it == peers_.end() ? nullptr : &it->second;
}

void peerstore::add_addrs(const crypto::peer_id& peer, const std::vector<mf::multiaddr>& addrs, duration ttl,
                          instant now) {
  auto* e = find_or_add(peer);
  if (!e) return;
  for (auto it = e->addrs.begin(); it != e->addrs.end();) it = it->second <= now ? e->addrs.erase(it) : std::next(it);
  instant expiry = ttl >= instant::max() - now ? instant::max() : now + ttl;
  for (const auto& a : addrs) {
    auto it = e->addrs.find(a);
    if (it != e->addrs.end()) {
      it->second = std::max(it->second, expiry);
    } else if (e->addrs.size() < limits_.max_addrs) {
      e->addrs.emplace(a, expiry);
    }
  }
}

std::vector<mf::multiaddr> peerstore::addrs(const crypto::peer_id& peer, instant now) const {
  std::vector<std::pair<instant, mf::multiaddr>> live;
  if (const auto* e = find(peer))
    for (const auto& [a, expiry] : e->addrs)
      if (expiry > now) live.emplace_back(expiry, a);
  // Latest expiry first; ties in address order (std::sort: stable_sort trips clang's deprecation of libstdc++ internals).
  std::sort(live.begin(), live.end(),
            [](const auto& x, const auto& y) { return x.first != y.first ? x.first > y.first : x.second < y.second; });
  std::vector<mf::multiaddr> out;
  for (auto& [expiry, a] : live) out.push_back(std::move(a));
  return out;
}

void peerstore::set_protocols(const crypto::peer_id& peer, std::vector<std::string> protocols) {
  auto* e = find_or_add(peer);
  if (!e) return;
  if (protocols.size() > limits_.max_protocols) protocols.resize(limits_.max_protocols);
  e->protocols = std::move(protocols);
}

std::vector<std::string> peerstore::protocols(const crypto::peer_id& peer) const {
  const auto* e = find(peer);
  return e ? e->protocols : std::vector<std::string>{};
}

bool peerstore::supports(const crypto::peer_id& peer, std::string_view protocol) const {
  const auto* e = find(peer);
  return e && std::find(e->protocols.begin(), e->protocols.end(), protocol) != e->protocols.end();
}

void peerstore::set_key(const crypto::peer_id& peer, const crypto::public_key& key) {
  if (auto* e = find_or_add(peer)) e->key = key;
}

std::optional<crypto::public_key> peerstore::key(const crypto::peer_id& peer) const {
  const auto* e = find(peer);
  return e ? e->key : std::nullopt;
}

void peerstore::set_agent(const crypto::peer_id& peer, std::string agent, std::string protocol_version) {
  if (auto* e = find_or_add(peer)) {
    e->agent = std::move(agent);
    e->protocol_version = std::move(protocol_version);
  }
}

std::string peerstore::agent(const crypto::peer_id& peer) const {
  const auto* e = find(peer);
  return e ? e->agent : std::string{};
}

void peerstore::set_record(const crypto::peer_id& peer, const crypto::peer_record& record, bytes signed_envelope) {
  auto* e = find_or_add(peer);
  if (e && (!e->record || e->record->seq < record.seq)) {
    e->record = record;
    e->signed_record = std::move(signed_envelope);
  }
}

bytes peerstore::signed_record(const crypto::peer_id& peer) const {
  const auto* e = find(peer);
  return e ? e->signed_record : bytes{};
}

std::optional<crypto::peer_record> peerstore::record(const crypto::peer_id& peer) const {
  const auto* e = find(peer);
  return e ? e->record : std::nullopt;
}

}  // namespace converge::p2p::io
