// gossip_router: construction, peers, the RPC entry point, the API calls and
// the output queues. Message handling, control handling and the heartbeat
// live in router_messages.cpp, router_control.cpp and router_heartbeat.cpp.
#include "pubsub/router.hpp"

#include <algorithm>

#include "pubsub/errors.hpp"

namespace converge::pubsub {

std::string_view protocol_id(protocol p) {
  switch (p) {
    case protocol::floodsub_v10: return "/floodsub/1.0.0";
    case protocol::meshsub_v10: return "/meshsub/1.0.0";
    case protocol::meshsub_v11: return "/meshsub/1.1.0";
    case protocol::meshsub_v12: return "/meshsub/1.2.0";
  }
  return "";
}

std::optional<protocol> parse_protocol_id(std::string_view id) {
  for (auto p : {protocol::floodsub_v10, protocol::meshsub_v10, protocol::meshsub_v11, protocol::meshsub_v12})
    if (protocol_id(p) == id) return p;
  return std::nullopt;
}

gossip_router::gossip_router(crypto::private_key key, rng& r, router_options options, instant now)
    : key_(std::move(key)),
      self_(crypto::peer_id::from_public_key(key_.public_key())),
      rng_(r),
      opt_(std::move(options)),
      mcache_(opt_.gossip.mcache_len, opt_.gossip.mcache_gossip),
      seen_(opt_.gossip.seen_ttl),
      seqno_(r.next_u64() >> 1),
      next_heartbeat_(now + opt_.gossip.heartbeat_initial_delay) {
  if (opt_.score) score_.emplace(*opt_.score, opt_.gossip.seen_ttl, now);
  if (!opt_.id_fn)
    opt_.id_fn = opt_.policy == signature_policy::strict_sign ? message_id_fn(default_message_id)
                                                               : message_id_fn(content_message_id);
}

result<void> validate_options(const router_options& o) {
  auto bad = [](const std::string& what) { return fail(pubsub_errc::invalid_argument, "router options: " + what); };
  const auto& g = o.gossip;
  if (!(g.d_low <= g.d && g.d <= g.d_high)) return bad("need D_low <= D <= D_high");
  if (!(g.d_out < g.d_low && g.d_out <= g.d / 2)) return bad("need D_out < D_low and D_out <= D/2");
  if (g.d_score > g.d) return bad("need D_score <= D");
  if (g.mcache_gossip > g.mcache_len || g.mcache_len == 0) return bad("need 0 < mcache_gossip <= mcache_len");
  if (g.heartbeat_interval <= duration::zero()) return bad("heartbeat_interval must be positive");
  if (g.gossip_factor < 0 || g.gossip_factor > 1) return bad("gossip_factor must be in [0, 1]");
  if (o.max_rpc_size == 0 || o.max_message_size >= o.max_rpc_size) return bad("need max_message_size < max_rpc_size");
  if (o.max_queued_rpcs == 0 || o.max_events == 0) return bad("queue bounds must be positive");
  const auto& t = o.thresholds;
  if (!(t.graylist_threshold <= t.publish_threshold && t.publish_threshold <= t.gossip_threshold &&
        t.gossip_threshold <= 0))
    return bad("need graylist_threshold <= publish_threshold <= gossip_threshold <= 0");
  if (t.accept_px_threshold < 0 || t.opportunistic_graft_threshold < 0)
    return bad("accept_px_threshold and opportunistic_graft_threshold must be >= 0");
  if (!o.score) return ok();
  const auto& s = *o.score;
  auto decay_ok = [](double d) { return d > 0 && d < 1; };
  if (s.ip_colocation_factor_weight > 0 || s.behaviour_penalty_weight > 0) return bad("P6 and P7 weights must be <= 0");
  if (!decay_ok(s.behaviour_penalty_decay)) return bad("behaviour_penalty_decay must be in (0, 1)");
  if (s.decay_interval <= duration::zero()) return bad("decay_interval must be positive");
  for (const auto& [topic, tp] : s.topics) {
    if (tp.topic_weight < 0 || tp.time_in_mesh_weight < 0 || tp.first_message_deliveries_weight < 0)
      return bad("topic " + topic + ": topic, P1 and P2 weights must be >= 0");
    if (tp.mesh_message_deliveries_weight > 0 || tp.mesh_failure_penalty_weight > 0 ||
        tp.invalid_message_deliveries_weight > 0)
      return bad("topic " + topic + ": P3, P3b and P4 weights must be <= 0");
    if (!decay_ok(tp.first_message_deliveries_decay) || !decay_ok(tp.mesh_message_deliveries_decay) ||
        !decay_ok(tp.mesh_failure_penalty_decay) || !decay_ok(tp.invalid_message_deliveries_decay))
      return bad("topic " + topic + ": decays must be in (0, 1)");
    if (tp.time_in_mesh_quantum <= duration::zero()) return bad("topic " + topic + ": time_in_mesh_quantum must be positive");
  }
  return ok();
}

result<std::unique_ptr<gossip_router>> gossip_router::create(crypto::private_key key, rng& r, router_options options,
                                                             instant now) {
  if (auto v = validate_options(options); !v) return fail(v.error());
  return std::make_unique<gossip_router>(std::move(key), r, std::move(options), now);
}

message_id gossip_router::id_of(const pb::Message& m) const { return opt_.id_fn(m); }

void gossip_router::shuffle(std::vector<crypto::peer_id>& v) {
  for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng_.uniform(i)]);
}

double gossip_router::score(const crypto::peer_id& p, instant now) const {
  return score_ ? score_->score(p, now) : 0.0;
}

bool gossip_router::peer_subscribed(const crypto::peer_id& p, const std::string& topic) const {
  auto it = peers_.find(p);
  return it != peers_.end() && it->second.topics.contains(topic);
}

std::set<crypto::peer_id> gossip_router::mesh(const std::string& topic) const {
  auto it = mesh_.find(topic);
  return it == mesh_.end() ? std::set<crypto::peer_id>{} : it->second;
}

std::set<crypto::peer_id> gossip_router::fanout(const std::string& topic) const {
  auto it = fanout_.find(topic);
  return it == fanout_.end() ? std::set<crypto::peer_id>{} : it->second;
}

std::size_t gossip_router::queued_rpcs(const crypto::peer_id& p) const {
  auto it = peers_.find(p);
  return it == peers_.end() ? 0 : it->second.queued;
}

bool gossip_router::in_backoff(const std::string& topic, const crypto::peer_id& p, instant now) const {
  auto t = backoff_.find(topic);
  if (t == backoff_.end()) return false;
  auto it = t->second.find(p);
  return it != t->second.end() && it->second > now;
}

void gossip_router::add_backoff(const std::string& topic, const crypto::peer_id& p, duration d, instant now) {
  auto& slot = backoff_[topic][p];
  slot = std::max(slot, now + d);
}

std::vector<crypto::peer_id> gossip_router::topic_peers(const std::string& topic) const {
  std::vector<crypto::peer_id> out;
  for (const auto& [p, ps] : peers_)
    if (ps.topics.contains(topic)) out.push_back(p);
  std::sort(out.begin(), out.end());  // determinism: unordered_map order is not specified
  return out;
}

void gossip_router::emit(router_event e) {
  if (events_.size() >= opt_.max_events) {
    ++counters_.dropped_events;
    return;
  }
  events_.push_back(std::move(e));
}

void gossip_router::send(const crypto::peer_id& p, pb::RPC&& rpc) {
  auto it = peers_.find(p);
  if (it == peers_.end()) return;
  bytes data = encode_rpc(rpc);
  if (data.size() > opt_.max_rpc_size) {
    // Too big as one RPC: send the messages one per RPC and the rest alone.
    if (rpc.publish_size() > 1) {
      auto msgs = std::move(*rpc.mutable_publish());
      rpc.clear_publish();
      for (auto& m : msgs) {
        pb::RPC one;
        *one.add_publish() = std::move(m);
        send(p, std::move(one));
      }
      if (rpc.subscriptions_size() > 0 || rpc.has_control()) send(p, std::move(rpc));
      return;
    }
    ++counters_.dropped_rpcs;
    return;
  }
  if (it->second.queued >= opt_.max_queued_rpcs) {
    ++counters_.dropped_rpcs;
    return;
  }
  ++it->second.queued;
  out_.emplace_back(p, std::move(data));
}

std::optional<outgoing_rpc> gossip_router::poll_send() {
  if (out_.empty()) return std::nullopt;
  outgoing_rpc o{std::move(out_.front().first), std::move(out_.front().second)};
  out_.pop_front();
  auto it = peers_.find(o.peer);
  if (it != peers_.end() && it->second.queued > 0) --it->second.queued;
  return o;
}

std::optional<router_event> gossip_router::poll_event() {
  if (events_.empty()) return std::nullopt;
  auto e = std::move(events_.front());
  events_.pop_front();
  return e;
}

result<void> gossip_router::add_peer(const crypto::peer_id& p, protocol proto, bool outbound, instant now,
                                     std::string ip) {
  if (p == self_) return fail(pubsub_errc::invalid_argument, "add_peer: cannot add the local peer");
  if (peers_.contains(p)) return fail(pubsub_errc::duplicate_peer, "add_peer: " + p.to_string() + " already added");
  peers_.emplace(p, peer_state{proto, outbound, {}, 0, 0, 0, 0, {}, {}, score_band::healthy});
  if (score_) score_->add_peer(p, ip, now);
  // The hello: our subscriptions.
  if (!subscriptions_.empty()) {
    pb::RPC rpc;
    for (const auto& t : subscriptions_) {
      auto* s = rpc.add_subscriptions();
      s->set_subscribe(true);
      s->set_topicid(t);
    }
    send(p, std::move(rpc));
  }
  return ok();
}

void gossip_router::remove_peer(const crypto::peer_id& p, instant now) {
  if (!peers_.contains(p)) return;
  for (auto& [t, m] : mesh_) m.erase(p);
  for (auto& [t, f] : fanout_) f.erase(p);
  for (auto& [id, ps] : promises_) ps.erase(p);
  if (score_) score_->remove_peer(p, now);
  peers_.erase(p);
  std::erase_if(out_, [&](const auto& e) { return e.first == p; });
}

result<void> gossip_router::handle_rpc(const crypto::peer_id& p, bytes_view payload, instant now) {
  if (!peers_.contains(p)) return fail(pubsub_errc::unknown_peer, "handle_rpc: " + p.to_string() + " is not a peer");
  auto rpc = decode_rpc(payload, opt_.max_rpc_size);
  if (!rpc) {
    ++counters_.malformed_rpcs;
    if (score_) score_->add_penalty(p, 1);
    return fail(rpc.error());
  }
  return handle_rpc(p, *rpc, now);
}

result<void> gossip_router::handle_rpc(const crypto::peer_id& p, const pb::RPC& rpc, instant now) {
  auto it = peers_.find(p);
  if (it == peers_.end()) return fail(pubsub_errc::unknown_peer, "handle_rpc: " + p.to_string() + " is not a peer");
  // Graylisted peers are not listened to at all (gossipsub-v1.1.md).
  if (const double s = opt_.direct_peers.contains(p) ? 0 : score(p, now); s < opt_.thresholds.graylist_threshold) {
    ++counters_.graylisted_rpcs;
    // The band changes when an RPC is first ignored, not at the next heartbeat:
    // the score may have decayed above the threshold again by then.
    if (it->second.band != score_band::below_graylist) {
      it->second.band = score_band::below_graylist;
      emit(score_event{p, s, score_band::below_graylist});
    }
    return ok();
  }
  auto& ps = it->second;
  for (const auto& s : rpc.subscriptions()) handle_subscription(p, ps, s, now);
  for (const auto& m : rpc.publish()) handle_message(p, m, now);
  if (!rpc.has_control() || !is_gossipsub(ps)) return ok();
  const auto& ctl = rpc.control();
  pb::RPC reply;
  pb::ControlIWant iwant;
  for (const auto& ih : ctl.ihave()) handle_ihave(p, ps, ih, iwant, now);
  for (const auto& iw : ctl.iwant()) handle_iwant(p, ps, iw, reply, now);
  std::vector<pb::ControlPrune> prunes;
  for (const auto& g : ctl.graft()) handle_graft(p, ps, g, prunes, now);
  for (const auto& pr : ctl.prune()) handle_prune(p, pr, now);
  for (const auto& idw : ctl.idontwant()) handle_idontwant(ps, idw);
  if (iwant.messageids_size() > 0) *reply.mutable_control()->add_iwant() = std::move(iwant);
  for (auto& pr : prunes) *reply.mutable_control()->add_prune() = std::move(pr);
  if (reply.publish_size() > 0 || reply.has_control()) send(p, std::move(reply));
  return ok();
}

result<void> gossip_router::subscribe(const std::string& topic, instant now) {
  if (topic.empty() || topic.size() > opt_.max_topic_length)
    return fail(pubsub_errc::invalid_topic, "topic of " + std::to_string(topic.size()) + " bytes (1.." +
                                                std::to_string(opt_.max_topic_length) + " allowed)");
  if (subscriptions_.contains(topic)) return ok();
  if (subscriptions_.size() + fanout_.size() >= opt_.max_topics)
    return fail(pubsub_errc::invalid_argument, "subscribe: already in max_topics " + std::to_string(opt_.max_topics));
  subscriptions_.insert(topic);
  for (const auto& [p, ps] : peers_) {
    pb::RPC rpc;
    auto* s = rpc.add_subscriptions();
    s->set_subscribe(true);
    s->set_topicid(topic);
    send(p, std::move(rpc));
  }
  // Join (gossipsub-v1.0.md): fanout peers first, then other topic peers, up to D.
  auto& m = mesh_[topic];
  auto fit = fanout_.find(topic);
  if (fit != fanout_.end()) {
    for (const auto& p : fit->second)
      if (m.size() < opt_.gossip.d && score(p, now) >= 0 && !in_backoff(topic, p, now)) m.insert(p);
    fanout_.erase(fit);
    fanout_last_pub_.erase(topic);
  }
  if (m.size() < opt_.gossip.d) {
    auto cands = topic_peers(topic);
    shuffle(cands);
    for (const auto& p : cands) {
      if (m.size() >= opt_.gossip.d) break;
      const auto& ps = peers_.at(p);
      if (!is_gossipsub(ps) || opt_.direct_peers.contains(p) || m.contains(p) || in_backoff(topic, p, now) ||
          score(p, now) < 0)
        continue;
      m.insert(p);
    }
  }
  for (const auto& p : m) {
    pb::RPC rpc;
    rpc.mutable_control()->add_graft()->set_topicid(topic);
    send(p, std::move(rpc));
    if (score_) score_->graft(p, topic, now);
    emit(graft_event{p, topic});
  }
  return ok();
}

result<void> gossip_router::unsubscribe(const std::string& topic, instant now) {
  if (!subscriptions_.erase(topic)) return fail(pubsub_errc::not_subscribed, "unsubscribe: not in topic " + topic);
  for (const auto& [p, ps] : peers_) {
    pb::RPC rpc;
    auto* s = rpc.add_subscriptions();
    s->set_subscribe(false);
    s->set_topicid(topic);
    send(p, std::move(rpc));
  }
  auto m = std::move(mesh_[topic]);
  mesh_.erase(topic);
  for (const auto& p : m) {
    pb::RPC rpc;
    *rpc.mutable_control()->add_prune() = make_prune(topic, p, true, true, now);
    send(p, std::move(rpc));
    if (score_) score_->prune(p, topic);
    emit(prune_event{p, topic});
  }
  return ok();
}

pb::ControlPrune gossip_router::make_prune(const std::string& topic, const crypto::peer_id& to, bool px,
                                           bool unsubscribe, instant now) {
  pb::ControlPrune pr;
  pr.set_topicid(topic);
  auto it = peers_.find(to);
  if (it == peers_.end() || it->second.proto == protocol::meshsub_v10 || !is_gossipsub(it->second)) return pr;
  auto backoff = unsubscribe ? opt_.gossip.unsubscribe_backoff : opt_.gossip.prune_backoff;
  pr.set_backoff(static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(backoff).count()));
  // We also stay away for the same time, so the peer does not see a GRAFT in its backoff.
  add_backoff(topic, to, backoff, now);
  if (px && opt_.gossip.do_px) {
    auto cands = topic_peers(topic);
    shuffle(cands);
    for (const auto& c : cands) {
      if (pr.peers_size() >= static_cast<int>(opt_.gossip.prune_peers)) break;
      if (c == to || score(c, now) < 0) continue;
      auto* info = pr.add_peers();
      info->set_peerid(c.to_bytes().data(), c.to_bytes().size());
      const auto& rec = peers_.at(c).signed_record;
      if (!rec.empty()) info->set_signedpeerrecord(rec.data(), rec.size());
    }
  }
  return pr;
}

result<message_id> gossip_router::publish(const std::string& topic, bytes_view data, instant now) {
  if (topic.empty() || topic.size() > opt_.max_topic_length)
    return fail(pubsub_errc::invalid_topic, "publish: topic of " + std::to_string(topic.size()) + " bytes");
  if (data.size() > opt_.max_message_size)
    return fail(pubsub_errc::message_too_large, "publish: " + std::to_string(data.size()) +
                                                     " bytes over max_message_size " + std::to_string(opt_.max_message_size));
  if (!subscriptions_.contains(topic) && !fanout_.contains(topic) &&
      subscriptions_.size() + fanout_.size() >= opt_.max_topics)
    return fail(pubsub_errc::invalid_argument, "publish: fanout topics at max_topics");
  pb::Message m;
  m.set_data(data.data(), data.size());
  m.set_topic(topic);
  if (opt_.policy == signature_policy::strict_sign) {
    m.set_from(self_.to_bytes().data(), self_.to_bytes().size());
    std::uint64_t s = ++seqno_;
    std::string seq(8, '\0');
    for (int i = 7; i >= 0; --i, s >>= 8) seq[static_cast<std::size_t>(i)] = static_cast<char>(s & 0xff);
    m.set_seqno(seq);
    if (auto r = sign_message(m, key_); !r) return fail(r.error());
  }
  auto id = id_of(m);
  if (!seen_.add(id, now)) return fail(pubsub_errc::invalid_argument, "publish: a message with this ID was already seen");
  mcache_.put(id, m);
  forward(id, m, nullptr, now);
  return id;
}

void gossip_router::set_validator(const std::string& topic, validator_fn fn) {
  if (fn)
    validators_[topic] = std::move(fn);
  else
    validators_.erase(topic);
}

result<void> gossip_router::set_signed_peer_record(const crypto::peer_id& p, bytes record) {
  auto it = peers_.find(p);
  if (it == peers_.end()) return fail(pubsub_errc::unknown_peer, "set_signed_peer_record: " + p.to_string());
  if (record.size() > 4096)
    return fail(pubsub_errc::invalid_argument, "signed peer record of " + std::to_string(record.size()) + " bytes over 4096");
  it->second.signed_record = std::move(record);
  return ok();
}

bool gossip_router::has_signed_record(const crypto::peer_id& p) const {
  auto it = peers_.find(p);
  return it != peers_.end() && !it->second.signed_record.empty();
}

void gossip_router::set_app_score(const crypto::peer_id& p, double v) {
  if (score_) score_->set_app_score(p, v);
}

result<void> gossip_router::report_validation(const message_id& id, validation_result r, instant now) {
  auto it = pending_.find(id);
  if (it == pending_.end()) return fail(pubsub_errc::unknown_message, "report_validation: message not pending");
  auto pv = std::move(it->second);
  pending_.erase(it);
  while (!pending_order_.empty() && !pending_.contains(pending_order_.front().second)) pending_order_.pop_front();
  finish_validation(pv.source, id, pv.msg, r, now);
  return ok();
}

std::optional<instant> gossip_router::poll_timeout() const {
  if (!pending_order_.empty() && pending_order_.front().first < next_heartbeat_) return pending_order_.front().first;
  return next_heartbeat_;
}

void gossip_router::handle_timeout(instant now) {
  expire_validations(now);
  if (now >= next_heartbeat_) heartbeat(now);
}

}  // namespace converge::pubsub
