#include "pubsub/score.hpp"

#include <algorithm>
#include <cmath>

namespace converge::pubsub {

peer_score::peer_score(score_params params, duration delivery_record_ttl, instant now)
    : params_(std::move(params)), record_ttl_(delivery_record_ttl), next_decay_(now + params_.decay_interval) {}

void peer_score::add_peer(const crypto::peer_id& p, const std::string& ip, instant) {
  auto& ps = peers_[p];  // a retained record comes back with its history
  ps.connected = true;
  if (!ps.ip.empty()) by_ip_[ps.ip].erase(p);
  ps.ip = ip;
  if (!ip.empty()) by_ip_[ip].insert(p);
}

void peer_score::remove_peer(const crypto::peer_id& p, instant now) {
  auto it = peers_.find(p);
  if (it == peers_.end()) return;
  if (!it->second.ip.empty()) {
    auto ip = by_ip_.find(it->second.ip);
    if (ip != by_ip_.end()) {
      ip->second.erase(p);
      if (ip->second.empty()) by_ip_.erase(ip);
    }
  }
  // A well-behaved peer is forgotten; a penalised one is retained.
  if (score(p, now) > 0) {
    peers_.erase(it);
    return;
  }
  auto& ps = it->second;
  for (auto& [t, ts] : ps.topics) {
    ts.first_message_deliveries = 0;
    if (ts.in_mesh) prune(p, t);
  }
  ps.connected = false;
  ps.expire = now + params_.retain_score;
}

const peer_score::peer_stats* peer_score::stats(const crypto::peer_id& p) const {
  auto it = peers_.find(p);
  return it == peers_.end() ? nullptr : &it->second;
}

score_params daemon_score_params() {
  score_params p;
  p.default_topic = topic_score_params{};
  p.ip_colocation_factor_whitelist = {"127.0.0.1", "::1"};
  return p;
}

const topic_score_params* peer_score::topic_params(const std::string& t) const {
  auto it = params_.topics.find(t);
  if (it != params_.topics.end()) return &it->second;
  return params_.default_topic ? &*params_.default_topic : nullptr;
}

peer_score::topic_stats* peer_score::topic(const crypto::peer_id& p, const std::string& t) {
  if (!topic_params(t)) return nullptr;
  auto it = peers_.find(p);
  if (it == peers_.end()) return nullptr;
  return &it->second.topics[t];
}

void peer_score::update_activation(topic_stats& ts, const topic_score_params& tp, instant now) const {
  if (ts.in_mesh && now - ts.graft_time >= tp.mesh_message_deliveries_activation) ts.mesh_deliveries_active = true;
}

double peer_score::score(const crypto::peer_id& p, instant now) const {
  auto it = peers_.find(p);
  if (it == peers_.end()) return 0;
  const auto& ps = it->second;
  double topics = 0;
  for (const auto& [t, ts] : ps.topics) {
    const auto* tpp = topic_params(t);
    if (!tpp) continue;
    const auto& tp = *tpp;
    double s = 0;
    if (ts.in_mesh) {
      double q = std::chrono::duration<double>(now - ts.graft_time) /
                 std::chrono::duration<double>(tp.time_in_mesh_quantum);
      s += tp.time_in_mesh_weight * std::min(q, tp.time_in_mesh_cap);
    }
    s += tp.first_message_deliveries_weight * ts.first_message_deliveries;
    bool active = ts.mesh_deliveries_active ||
                  (ts.in_mesh && now - ts.graft_time >= tp.mesh_message_deliveries_activation);
    if (active && ts.mesh_message_deliveries < tp.mesh_message_deliveries_threshold) {
      double deficit = tp.mesh_message_deliveries_threshold - ts.mesh_message_deliveries;
      s += tp.mesh_message_deliveries_weight * deficit * deficit;
    }
    s += tp.mesh_failure_penalty_weight * ts.mesh_failure_penalty;
    s += tp.invalid_message_deliveries_weight * ts.invalid_message_deliveries * ts.invalid_message_deliveries;
    topics += tp.topic_weight * s;
  }
  if (params_.topic_score_cap > 0) topics = std::min(topics, params_.topic_score_cap);
  double total = topics + params_.app_specific_weight * ps.app_score;
  if (!ps.ip.empty() && !params_.ip_colocation_factor_whitelist.contains(ps.ip)) {
    auto ip = by_ip_.find(ps.ip);
    double n = ip == by_ip_.end() ? 0 : static_cast<double>(ip->second.size());
    if (n > params_.ip_colocation_factor_threshold) {
      double surplus = n - params_.ip_colocation_factor_threshold;
      total += params_.ip_colocation_factor_weight * surplus * surplus;
    }
  }
  if (ps.behaviour_penalty > params_.behaviour_penalty_threshold) {
    double excess = ps.behaviour_penalty - params_.behaviour_penalty_threshold;
    total += params_.behaviour_penalty_weight * excess * excess;
  }
  return total;
}

void peer_score::graft(const crypto::peer_id& p, const std::string& t, instant now) {
  auto* ts = topic(p, t);
  if (!ts) return;
  ts->in_mesh = true;
  ts->graft_time = now;
  ts->mesh_deliveries_active = false;
}

void peer_score::prune(const crypto::peer_id& p, const std::string& t) {
  auto* ts = topic(p, t);
  if (!ts) return;
  const auto& tp = *topic_params(t);
  // P3b: leaving the mesh with a delivery deficit is remembered.
  if (ts->mesh_deliveries_active && ts->mesh_message_deliveries < tp.mesh_message_deliveries_threshold) {
    double deficit = tp.mesh_message_deliveries_threshold - ts->mesh_message_deliveries;
    ts->mesh_failure_penalty += deficit * deficit;
  }
  ts->in_mesh = false;
  ts->mesh_deliveries_active = false;
}

peer_score::delivery_record& peer_score::record(const message_id& id, instant now) {
  auto [it, inserted] = records_.try_emplace(id);
  if (inserted) {
    it->second.first_seen = now;
    record_order_.emplace_back(now + record_ttl_, id);
  }
  return it->second;
}

void peer_score::validate_message(const crypto::peer_id&, const message_id& id, instant now) { record(id, now); }

void peer_score::mark_first(const crypto::peer_id& p, const std::string& t) {
  auto* ts = topic(p, t);
  if (!ts) return;
  const auto& tp = *topic_params(t);
  ts->first_message_deliveries = std::min(ts->first_message_deliveries + 1, tp.first_message_deliveries_cap);
  if (ts->in_mesh)
    ts->mesh_message_deliveries = std::min(ts->mesh_message_deliveries + 1, tp.mesh_message_deliveries_cap);
}

void peer_score::mark_duplicate(const crypto::peer_id& p, const std::string& t, std::optional<instant> validated,
                                instant now) {
  auto* ts = topic(p, t);
  if (!ts || !ts->in_mesh) return;
  const auto& tp = *topic_params(t);
  if (validated && now - *validated > tp.mesh_message_deliveries_window) return;
  ts->mesh_message_deliveries = std::min(ts->mesh_message_deliveries + 1, tp.mesh_message_deliveries_cap);
}

void peer_score::mark_invalid(const crypto::peer_id& p, const std::string& t) {
  if (auto* ts = topic(p, t)) ts->invalid_message_deliveries += 1;
}

void peer_score::deliver_message(const crypto::peer_id& from, const message_id& id, const std::string& t,
                                 instant now) {
  auto& r = record(id, now);
  if (r.status != delivery_status::validating) return;
  r.status = delivery_status::valid;
  r.validated = now;
  mark_first(from, t);
  // Peers that sent it while it was being validated get their near-first delivery.
  for (const auto& p : r.peers)
    if (p != from) mark_duplicate(p, t, std::nullopt, now);
}

void peer_score::reject_message(const crypto::peer_id& from, const message_id& id, const std::string& t,
                                reject_reason why) {
  switch (why) {
    case reject_reason::invalid_signature:
      // No record: a forged message must not poison the ID for an honest copy.
      mark_invalid(from, t);
      return;
    case reject_reason::validation_throttled:
      return;
    case reject_reason::validator_ignore: {
      auto it = records_.find(id);
      if (it != records_.end() && it->second.status == delivery_status::validating) {
        it->second.status = delivery_status::ignored;
        it->second.peers.clear();
      }
      return;
    }
    case reject_reason::validator_reject: {
      auto it = records_.find(id);
      mark_invalid(from, t);
      if (it == records_.end() || it->second.status != delivery_status::validating) return;
      it->second.status = delivery_status::invalid;
      for (const auto& p : it->second.peers) mark_invalid(p, t);
      it->second.peers.clear();
      return;
    }
  }
}

void peer_score::duplicate_message(const crypto::peer_id& from, const message_id& id, const std::string& t,
                                   instant now) {
  auto it = records_.find(id);
  if (it == records_.end()) return;
  auto& r = it->second;
  if (r.peers.contains(from)) return;
  switch (r.status) {
    case delivery_status::validating:
      // Bounded by the number of connected peers.
      r.peers.insert(from);
      break;
    case delivery_status::valid:
      r.peers.insert(from);
      mark_duplicate(from, t, r.validated, now);
      break;
    case delivery_status::invalid:
      mark_invalid(from, t);
      break;
    case delivery_status::ignored:
      break;
  }
}

void peer_score::add_penalty(const crypto::peer_id& p, double count) {
  auto it = peers_.find(p);
  if (it != peers_.end()) it->second.behaviour_penalty += count;
}

void peer_score::set_app_score(const crypto::peer_id& p, double v) {
  auto it = peers_.find(p);
  if (it != peers_.end()) it->second.app_score = v;
}

void peer_score::refresh(instant now) {
  while (!record_order_.empty() && record_order_.front().first <= now) {
    records_.erase(record_order_.front().second);
    record_order_.pop_front();
  }
  if (now < next_decay_) return;
  next_decay_ = now + params_.decay_interval;
  auto decay = [&](double& v, double factor) {
    v *= factor;
    if (std::abs(v) < params_.decay_to_zero) v = 0;
  };
  for (auto it = peers_.begin(); it != peers_.end();) {
    auto& ps = it->second;
    if (!ps.connected && ps.expire <= now) {
      it = peers_.erase(it);
      continue;
    }
    for (auto& [t, ts] : ps.topics) {
      const auto* tpp = topic_params(t);
      if (!tpp) continue;
      const auto& tp = *tpp;
      decay(ts.first_message_deliveries, tp.first_message_deliveries_decay);
      decay(ts.mesh_message_deliveries, tp.mesh_message_deliveries_decay);
      decay(ts.mesh_failure_penalty, tp.mesh_failure_penalty_decay);
      decay(ts.invalid_message_deliveries, tp.invalid_message_deliveries_decay);
      update_activation(ts, tp, now);
    }
    decay(ps.behaviour_penalty, params_.behaviour_penalty_decay);
    ++it;
  }
}

}  // namespace converge::pubsub
