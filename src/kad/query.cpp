#include "kad/query.hpp"

namespace converge::kad {

lookup::lookup(kad_key target, const crypto::peer_id& self, const std::vector<peer_info>& seeds, query_options o)
    : target_(target), self_(self), opts_(o) {
  for (const auto& p : seeds) add(p, 0);
}

void lookup::add(const peer_info& p, unsigned depth) {
  if (p.id == self_) return;
  auto d = distance(target_, kad_key::of(p.id.to_bytes()));
  auto [it, inserted] = candidates_.try_emplace(d, candidate{p, state::fresh, depth});
  if (!inserted) {
    if (it->second.peer.addrs.empty() && !p.addrs.empty()) it->second.peer.addrs = p.addrs;
    return;
  }
  // Over the bound: forget the farthest peer we have not asked yet.
  while (candidates_.size() > opts_.max_candidates) {
    auto victim = candidates_.end();
    for (auto r = candidates_.rbegin(); r != candidates_.rend(); ++r)
      if (r->second.st == state::fresh) {
        victim = std::prev(r.base());
        break;
      }
    if (victim == candidates_.end()) break;
    candidates_.erase(victim);
  }
}

lookup::candidate* lookup::find(const crypto::peer_id& peer) {
  auto it = candidates_.find(distance(target_, kad_key::of(peer.to_bytes())));
  return it == candidates_.end() || it->second.peer.id != peer ? nullptr : &it->second;
}

bool lookup::knows(const crypto::peer_id& peer) const {
  auto it = candidates_.find(distance(target_, kad_key::of(peer.to_bytes())));
  return it != candidates_.end() && it->second.peer.id == peer;
}

std::vector<peer_info> lookup::next() {
  std::vector<peer_info> out;
  if (stopped_ || done()) return out;
  // Only peers among the k closest live ones are worth asking: beyond them an
  // answer cannot change the result.
  std::size_t live = 0;
  for (auto& [d, c] : candidates_) {
    if (in_flight_ >= opts_.alpha || stats_.requests >= opts_.max_requests || live >= opts_.k) break;
    if (c.st == state::failed) continue;
    ++live;
    if (c.st != state::fresh) continue;
    c.st = state::waiting;
    ++in_flight_;
    ++stats_.requests;
    if (c.depth > stats_.hops) stats_.hops = c.depth;
    out.push_back(c.peer);
  }
  return out;
}

void lookup::on_success(const crypto::peer_id& peer, const std::vector<peer_info>& closer) {
  auto* c = find(peer);
  if (c == nullptr || c->st != state::waiting) return;
  c->st = state::succeeded;
  --in_flight_;
  ++stats_.successes;
  unsigned depth = c->depth + 1;
  if (!stopped_)
    for (const auto& p : closer) add(p, depth);
}

void lookup::on_failure(const crypto::peer_id& peer) {
  auto* c = find(peer);
  if (c == nullptr || c->st != state::waiting) return;
  c->st = state::failed;
  --in_flight_;
  ++stats_.failures;
}

bool lookup::done() const {
  if (stopped_) return in_flight_ == 0;
  std::size_t live = 0;
  bool can_ask = stats_.requests < opts_.max_requests;
  for (const auto& [d, c] : candidates_) {
    if (live >= opts_.k) break;
    if (c.st == state::failed) continue;
    ++live;
    if (c.st == state::waiting) return false;
    if (c.st == state::fresh && can_ask) return false;
  }
  return in_flight_ == 0 || live >= opts_.k;
}

std::vector<peer_info> lookup::closest_succeeded(std::size_t n) const {
  std::vector<peer_info> out;
  for (const auto& [d, c] : candidates_) {
    if (out.size() >= n) break;
    if (c.st == state::succeeded) out.push_back(c.peer);
  }
  return out;
}

}  // namespace converge::kad

