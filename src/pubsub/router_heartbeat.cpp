// gossip_router: the heartbeat (gossipsub-v1.0.md "Heartbeat", v1.1 mesh
// maintenance with scores, outbound quotas and opportunistic grafting).
#include <algorithm>

#include "pubsub/router.hpp"

namespace converge::pubsub {

void gossip_router::heartbeat(instant now) {
  ++heartbeat_ticks_;
  next_heartbeat_ = now + opt_.gossip.heartbeat_interval;
  if (score_) score_->refresh(now);
  expire_validations(now);
  for (auto& [p, ps] : peers_) {
    ps.ihave_count = 0;
    ps.iasked = 0;
    ps.iwant_served = 0;
  }
  const auto slack = opt_.gossip.heartbeat_interval * static_cast<duration::rep>(opt_.gossip.backoff_slack);
  for (auto it = backoff_.begin(); it != backoff_.end();) {
    std::erase_if(it->second, [&](const auto& e) { return e.second + slack <= now; });
    it = it->second.empty() ? backoff_.erase(it) : std::next(it);
  }
  check_promises(now);

  std::map<crypto::peer_id, outgoing_control> ctl;
  for (auto& [topic, m] : mesh_) maintain_mesh(topic, m, ctl, now);
  maintain_fanout(now);
  for (const auto& [topic, m] : mesh_) emit_gossip(topic, m, ctl, now);
  for (const auto& [topic, f] : fanout_) emit_gossip(topic, f, ctl, now);
  for (auto& [p, c] : ctl) {
    pb::RPC rpc;
    auto* cm = rpc.mutable_control();
    for (auto& g : c.graft) *cm->add_graft() = std::move(g);
    for (auto& pr : c.prune) *cm->add_prune() = std::move(pr);
    for (auto& ih : c.ihave) *cm->add_ihave() = std::move(ih);
    send(p, std::move(rpc));
  }
  mcache_.shift();
  for (auto& [p, ps] : peers_) ps.dont_want.clear();
  seen_.expire(now);
  update_bands(now);
}

void gossip_router::maintain_mesh(const std::string& topic, std::set<crypto::peer_id>& mesh,
                                  std::map<crypto::peer_id, outgoing_control>& ctl, instant now) {
  const auto& g = opt_.gossip;
  const auto slack = g.heartbeat_interval * static_cast<duration::rep>(g.backoff_slack);
  auto graft = [&](const crypto::peer_id& p) {
    mesh.insert(p);
    pb::ControlGraft gr;
    gr.set_topicid(topic);
    ctl[p].graft.push_back(std::move(gr));
    if (score_) score_->graft(p, topic, now);
    emit(graft_event{p, topic});
  };
  auto prune = [&](const crypto::peer_id& p, bool px) {
    mesh.erase(p);
    ctl[p].prune.push_back(make_prune(topic, p, px, false, now));
    if (score_) score_->prune(p, topic);
    emit(prune_event{p, topic});
  };
  auto candidates = [&](auto&& pred) {
    std::vector<crypto::peer_id> out;
    for (const auto& p : topic_peers(topic)) {
      const auto& ps = peers_.at(p);
      if (!is_gossipsub(ps) || mesh.contains(p) || opt_.direct_peers.contains(p) || in_backoff(topic, p, now - slack))
        continue;
      double s = score(p, now);
      if (s < 0 || !pred(p, ps, s)) continue;
      out.push_back(p);
    }
    shuffle(out);
    return out;
  };
  auto any = [](const crypto::peer_id&, const peer_state&, double) { return true; };

  // Peers with a negative score leave the mesh (no PX for them).
  for (const auto& p : std::vector<crypto::peer_id>(mesh.begin(), mesh.end()))
    if (score(p, now) < 0) prune(p, false);

  if (mesh.size() < g.d_low) {
    auto c = candidates(any);
    for (std::size_t i = 0; i < c.size() && mesh.size() < g.d; ++i) graft(c[i]);
  }

  if (mesh.size() > g.d_high) {
    std::vector<crypto::peer_id> v(mesh.begin(), mesh.end());
    shuffle(v);
    {  // by score, best first; ties keep the shuffled order
      std::vector<std::pair<double, std::size_t>> order;
      for (std::size_t i = 0; i < v.size(); ++i) order.emplace_back(-score(v[i], now), i);
      std::sort(order.begin(), order.end());
      std::vector<crypto::peer_id> sorted;
      for (const auto& [s, i] : order) sorted.push_back(v[i]);
      v = std::move(sorted);
    }
    // Keep the best D_score by score, the rest of D at random.
    std::vector<crypto::peer_id> rest(v.begin() + static_cast<std::ptrdiff_t>(std::min(g.d_score, v.size())), v.end());
    shuffle(rest);
    std::vector<crypto::peer_id> keep(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(std::min(g.d_score, v.size())));
    for (const auto& p : rest) {
      if (keep.size() >= g.d) break;
      keep.push_back(p);
    }
    // Outbound quota: swap dropped outbound peers in for kept inbound ones (not the D_score best).
    auto is_out = [&](const crypto::peer_id& p) { return peers_.at(p).outbound; };
    std::size_t outbound = static_cast<std::size_t>(std::count_if(keep.begin(), keep.end(), is_out));
    if (outbound < g.d_out) {
      std::set<crypto::peer_id> kept(keep.begin(), keep.end());
      for (const auto& p : v) {
        if (outbound >= g.d_out) break;
        if (kept.contains(p) || !is_out(p)) continue;
        for (std::size_t i = keep.size(); i-- > std::min(g.d_score, keep.size());) {
          if (!is_out(keep[i])) {
            kept.erase(keep[i]);
            keep[i] = p;
            kept.insert(p);
            ++outbound;
            break;
          }
        }
      }
    }
    std::set<crypto::peer_id> kept(keep.begin(), keep.end());
    for (const auto& p : v)
      if (!kept.contains(p)) prune(p, true);
  }

  if (mesh.size() >= g.d_low) {
    std::size_t outbound = 0;
    for (const auto& p : mesh) outbound += peers_.at(p).outbound ? 1 : 0;
    if (outbound < g.d_out) {
      auto c = candidates([](const crypto::peer_id&, const peer_state& ps, double) { return ps.outbound; });
      for (std::size_t i = 0; i < c.size() && outbound < g.d_out; ++i, ++outbound) graft(c[i]);
    }
  }

  if (score_ && g.opportunistic_graft_ticks > 0 && heartbeat_ticks_ % g.opportunistic_graft_ticks == 0 &&
      mesh.size() > 1) {
    std::vector<double> scores;
    for (const auto& p : mesh) scores.push_back(score(p, now));
    std::sort(scores.begin(), scores.end());
    double median = scores[scores.size() / 2];
    if (median < opt_.thresholds.opportunistic_graft_threshold) {
      auto c = candidates([&](const crypto::peer_id&, const peer_state&, double s) { return s > median; });
      for (std::size_t i = 0; i < c.size() && i < g.opportunistic_graft_peers; ++i) graft(c[i]);
    }
  }
}

void gossip_router::maintain_fanout(instant now) {
  for (auto it = fanout_.begin(); it != fanout_.end();) {
    auto lp = fanout_last_pub_.find(it->first);
    if (lp == fanout_last_pub_.end() || lp->second + opt_.gossip.fanout_ttl < now) {
      if (lp != fanout_last_pub_.end()) fanout_last_pub_.erase(lp);
      it = fanout_.erase(it);
      continue;
    }
    auto& f = it->second;
    std::erase_if(f, [&](const crypto::peer_id& p) {
      return !peer_subscribed(p, it->first) || score(p, now) < opt_.thresholds.publish_threshold;
    });
    if (f.size() < opt_.gossip.d) {
      std::vector<crypto::peer_id> c;
      for (const auto& p : topic_peers(it->first))
        if (!f.contains(p) && is_gossipsub(peers_.at(p)) && !opt_.direct_peers.contains(p) &&
            score(p, now) >= opt_.thresholds.publish_threshold)
          c.push_back(p);
      shuffle(c);
      for (std::size_t i = 0; i < c.size() && f.size() < opt_.gossip.d; ++i) f.insert(c[i]);
    }
    ++it;
  }
}

void gossip_router::emit_gossip(const std::string& topic, const std::set<crypto::peer_id>& exclude,
                                std::map<crypto::peer_id, outgoing_control>& ctl, instant now) {
  auto ids = mcache_.gossip_ids(topic);
  if (ids.empty()) return;
  std::vector<crypto::peer_id> c;
  for (const auto& p : topic_peers(topic))
    if (!exclude.contains(p) && !opt_.direct_peers.contains(p) && is_gossipsub(peers_.at(p)) &&
        score(p, now) >= opt_.thresholds.gossip_threshold)
      c.push_back(p);
  // Adaptive dissemination: at least D_lazy, or gossip_factor of the eligible peers.
  auto target = std::max(opt_.gossip.d_lazy,
                         static_cast<std::size_t>(opt_.gossip.gossip_factor * static_cast<double>(c.size())));
  shuffle(c);
  if (c.size() > target) c.erase(c.begin() + static_cast<std::ptrdiff_t>(target), c.end());
  for (const auto& p : c) {
    if (ids.size() > opt_.gossip.max_ihave_length) {
      for (std::size_t i = ids.size(); i > 1; --i) std::swap(ids[i - 1], ids[rng_.uniform(i)]);
    }
    pb::ControlIHave ih;
    ih.set_topicid(topic);
    for (std::size_t i = 0; i < ids.size() && i < opt_.gossip.max_ihave_length; ++i) ih.add_messageids(ids[i]);
    ctl[p].ihave.push_back(std::move(ih));
    ++counters_.ihave_sent;
  }
}

void gossip_router::check_promises(instant now) {
  for (auto it = promises_.begin(); it != promises_.end();) {
    for (auto p = it->second.begin(); p != it->second.end();) {
      if (p->second <= now) {
        ++counters_.broken_promises;
        if (score_) score_->add_penalty(p->first, 1);
        p = it->second.erase(p);
      } else {
        ++p;
      }
    }
    it = it->second.empty() ? promises_.erase(it) : std::next(it);
  }
}

void gossip_router::expire_validations(instant now) {
  while (!pending_order_.empty() && pending_order_.front().first <= now) {
    auto id = std::move(pending_order_.front().second);
    pending_order_.pop_front();
    auto it = pending_.find(id);
    if (it == pending_.end()) continue;  // answered in time
    auto pv = std::move(it->second);
    pending_.erase(it);
    ++counters_.validation_timeouts;
    finish_validation(pv.source, id, pv.msg, validation_result::ignore, now);
  }
}

void gossip_router::update_bands(instant now) {
  if (!score_) return;
  const auto& t = opt_.thresholds;
  std::vector<crypto::peer_id> ids;
  for (const auto& [p, ps] : peers_) ids.push_back(p);
  std::sort(ids.begin(), ids.end());
  for (const auto& p : ids) {
    double s = score(p, now);
    score_band b = s < t.graylist_threshold ? score_band::below_graylist
                   : s < t.publish_threshold ? score_band::below_publish
                   : s < t.gossip_threshold  ? score_band::below_gossip
                   : s < 0                   ? score_band::below_zero
                                             : score_band::healthy;
    auto& ps = peers_.at(p);
    if (b != ps.band) {
      ps.band = b;
      emit(score_event{p, s, b});
    }
  }
}

}  // namespace converge::pubsub
