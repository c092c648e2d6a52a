#include "sim/network.hpp"

#include <algorithm>

namespace converge::sim {

network::network(std::uint64_t seed, link_params defaults) : rng_(seed), defaults_(defaults) {}

node_index network::add_node(std::unique_ptr<node> n) {
  nodes_.push_back(slot{std::move(n), true, 0, {}, std::nullopt});
  auto i = static_cast<node_index>(nodes_.size() - 1);
  refresh(i);
  return i;
}

void network::set_link(node_index a, node_index b, link_params p) {
  links_[{a, b}] = p;
  links_[{b, a}] = p;
}

const link_params& network::link(node_index a, node_index b) const {
  auto it = links_.find({a, b});
  return it == links_.end() ? defaults_ : it->second;
}

void network::connect(node_index a, node_index b) {
  if (a == b || connected(a, b) || !nodes_.at(a).online || !nodes_.at(b).online) return;
  nodes_[a].conns.insert(b);
  nodes_[b].conns.insert(a);
  nodes_[a].impl->on_connect(b, true, now());
  nodes_[b].impl->on_connect(a, false, now());
  drain(a);
  drain(b);
}

void network::disconnect(node_index a, node_index b) {
  if (!connected(a, b)) return;
  nodes_[a].conns.erase(b);
  nodes_[b].conns.erase(a);
  nodes_[a].impl->on_disconnect(b, now());
  nodes_[b].impl->on_disconnect(a, now());
  drain(a);
  drain(b);
}

bool network::connected(node_index a, node_index b) const { return nodes_.at(a).conns.contains(b); }

void network::partition(const std::vector<int>& group_of) {
  for (std::size_t i = 0; i < nodes_.size(); ++i) nodes_[i].group = i < group_of.size() ? group_of[i] : 0;
}

void network::heal() {
  for (auto& n : nodes_) n.group = 0;
}

void network::set_online(node_index i, bool on) {
  auto& n = nodes_.at(i);
  if (n.online == on) return;
  if (!on) {
    for (auto peer : std::vector<node_index>(n.conns.begin(), n.conns.end())) disconnect(i, peer);
  }
  n.online = on;
  refresh(i);
}

void network::flush(node_index i) { drain(i); }

void network::drain(node_index i) {
  auto& n = nodes_[i];
  while (auto out = n.impl->poll_send()) {
    auto [to, payload] = std::move(*out);
    ++stats_.sent;
    if (!n.online) {
      ++stats_.offline;
      continue;
    }
    if (to >= nodes_.size() || !n.conns.contains(to)) {
      ++stats_.not_connected;
      continue;
    }
    if (nodes_[to].group != n.group) {
      ++stats_.partitioned;
      continue;
    }
    const auto& lp = link(i, to);
    if (lp.loss > 0) {
      constexpr double scale = 1.0 / 9007199254740992.0;  // 2^-53
      if (static_cast<double>(rng_.next_u64() >> 11) * scale < lp.loss) {
        ++stats_.lost;
        continue;
      }
    }
    auto& ls = link_state_[{i, to}];
    instant start = std::max(now(), ls.free_at);
    duration tx{0};
    if (lp.bandwidth > 0)
      tx = std::chrono::duration_cast<duration>(std::chrono::duration<double>(
          static_cast<double>(payload.size()) / static_cast<double>(lp.bandwidth)));
    ls.free_at = start + tx;
    duration jitter{0};
    if (lp.jitter.count() > 0) jitter = duration(static_cast<duration::rep>(rng_.uniform(static_cast<std::uint64_t>(lp.jitter.count()) + 1)));
    instant at = std::max(ls.free_at + lp.latency + jitter, ls.last_arrival);
    ls.last_arrival = at;
    queue_.push(in_flight{at, seq_++, i, to, std::move(payload)});
  }
  refresh(i);
}

void network::refresh(node_index i) {
  auto& n = nodes_[i];
  auto wake = n.online ? n.impl->poll_timeout() : std::nullopt;
  if (wake == n.wake) return;
  n.wake = wake;
  ++n.wake_gen;
  if (wake) wakes_.push(wake_entry{*wake, i, n.wake_gen});
}

std::optional<instant> network::next_wake() {
  while (!wakes_.empty()) {
    const auto& top = wakes_.top();
    const auto& n = nodes_[top.node];
    if (top.gen == n.wake_gen && n.wake) return top.at;
    wakes_.pop();
  }
  return std::nullopt;
}

void network::run_until(instant t) {
  for (;;) {
    std::optional<instant> next;
    if (!queue_.empty()) next = queue_.top().at;
    if (auto w = next_wake(); w && (!next || *w < *next)) next = w;
    if (!next || *next > t) break;
    clock_.advance_to(*next);
    // Arrivals first, then timers, both in a fixed order for determinism.
    if (!queue_.empty() && queue_.top().at <= now()) {
      // top() is const; moving out is safe because pop() follows before any comparison.
      auto m = std::move(const_cast<in_flight&>(queue_.top()));
      queue_.pop();
      auto& dst = nodes_[m.to];
      if (!dst.online) {
        ++stats_.offline;
      } else if (!dst.conns.contains(m.from)) {
        ++stats_.not_connected;
      } else if (dst.group != nodes_[m.from].group) {
        ++stats_.partitioned;
      } else {
        ++stats_.delivered;
        stats_.bytes_delivered += m.payload.size();
        dst.impl->on_message(m.from, std::move(m.payload), now());
        drain(m.to);
      }
      continue;
    }
    // Every node due now, in index order (the heap breaks ties by index).
    while (auto w = next_wake()) {
      if (*w > now()) break;
      const node_index i = wakes_.top().node;
      wakes_.pop();
      nodes_[i].wake.reset();  // the entry is consumed; drain() re-arms from poll_timeout()
      ++stats_.timeouts;
      nodes_[i].impl->on_timeout(now());
      drain(i);
    }
  }
  clock_.advance_to(t);
}

}  // namespace converge::sim
