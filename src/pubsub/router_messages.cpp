// gossip_router: receiving, validating and forwarding messages.
#include "pubsub/router.hpp"

namespace converge::pubsub {

void gossip_router::handle_message(const crypto::peer_id& from, const pb::Message& m, instant now) {
  // Malformed messages are protocol violations by the sender; we count them, no more.
  if (!m.has_topic() || m.topic().empty() || m.topic().size() > opt_.max_topic_length ||
      m.data().size() > opt_.max_message_size) {
    ++counters_.rejected;
    return;
  }
  const auto& topic = m.topic();
  if (!subscriptions_.contains(topic)) return;  // we relay only topics we are in
  auto id = id_of(m);
  // Our own message coming back that we do not remember (a restart, or a forger).
  if (m.from().size() == self_.to_bytes().size() && as_chars(self_.to_bytes()) == m.from() && !seen_.contains(id)) {
    ++counters_.rejected;
    return;
  }
  if (seen_.contains(id)) {
    ++counters_.duplicates;
    if (score_) score_->duplicate_message(from, id, topic, now);
    if (auto it = promises_.find(id); it != promises_.end()) it->second.erase(from);
    return;
  }
  if (auto v = verify_message(m, opt_.policy); v != verify_outcome::ok) {
    // Not marked seen: a forgery must not hide an authentic copy with the same ID.
    ++counters_.invalid_signatures;
    if (score_) score_->reject_message(from, id, topic, reject_reason::invalid_signature);
    return;
  }
  seen_.add(id, now);
  promises_.erase(id);
  if (score_) score_->validate_message(from, id, now);
  if (m.data().size() >= opt_.gossip.idontwant_message_size_threshold) send_idontwant(from, id, topic);
  auto vit = validators_.find(topic);
  if (vit == validators_.end()) {
    finish_validation(from, id, m, validation_result::accept, now);
    return;
  }
  switch (vit->second(from, m)) {
    case validator_verdict::accept: finish_validation(from, id, m, validation_result::accept, now); return;
    case validator_verdict::reject: finish_validation(from, id, m, validation_result::reject, now); return;
    case validator_verdict::ignore: finish_validation(from, id, m, validation_result::ignore, now); return;
    case validator_verdict::defer: break;
  }
  if (pending_.size() >= opt_.max_pending_validations) {
    ++counters_.validation_throttled;
    if (score_) score_->reject_message(from, id, topic, reject_reason::validation_throttled);
    return;
  }
  pending_.emplace(id, pending_validation{from, m, now + opt_.validation_timeout});
  pending_order_.emplace_back(now + opt_.validation_timeout, id);
  // Answered IDs behind an unanswered one stay queued; keep the queue near the pending bound.
  if (pending_order_.size() > 2 * opt_.max_pending_validations + 16)
    std::erase_if(pending_order_, [&](const auto& e) { return !pending_.contains(e.second); });
  emit(validation_request{id, from, m});
}

void gossip_router::finish_validation(const crypto::peer_id& source, const message_id& id, const pb::Message& m,
                                      validation_result r, instant now) {
  switch (r) {
    case validation_result::accept:
      ++counters_.delivered;
      mcache_.put(id, m);
      if (score_) score_->deliver_message(source, id, m.topic(), now);
      if (subscriptions_.contains(m.topic())) emit(message_event{id, source, m});
      forward(id, m, &source, now);
      return;
    case validation_result::reject:
      ++counters_.rejected;
      if (score_) score_->reject_message(source, id, m.topic(), reject_reason::validator_reject);
      return;
    case validation_result::ignore:
      ++counters_.ignored;
      if (score_) score_->reject_message(source, id, m.topic(), reject_reason::validator_ignore);
      return;
  }
}

void gossip_router::forward(const message_id& id, const pb::Message& m, const crypto::peer_id* source, instant now) {
  const auto& topic = m.topic();
  const bool own = source == nullptr;
  std::set<crypto::peer_id> to;
  auto all = topic_peers(topic);
  for (const auto& p : all) {
    const auto& ps = peers_.at(p);
    if (opt_.direct_peers.contains(p)) to.insert(p);
    else if (!is_gossipsub(ps) && score(p, now) >= opt_.thresholds.publish_threshold) to.insert(p);
  }
  if (own && opt_.gossip.flood_publish) {
    for (const auto& p : all)
      if (score(p, now) >= opt_.thresholds.publish_threshold) to.insert(p);
  } else if (auto mit = mesh_.find(topic); mit != mesh_.end()) {
    to.insert(mit->second.begin(), mit->second.end());
  } else if (own) {
    auto& f = fanout_[topic];
    if (f.empty()) {
      std::vector<crypto::peer_id> cands;
      for (const auto& p : all)
        if (is_gossipsub(peers_.at(p)) && !opt_.direct_peers.contains(p) &&
            score(p, now) >= opt_.thresholds.publish_threshold)
          cands.push_back(p);
      shuffle(cands);
      for (std::size_t i = 0; i < cands.size() && i < opt_.gossip.d; ++i) f.insert(cands[i]);
    }
    fanout_last_pub_[topic] = now;
    to.insert(f.begin(), f.end());
  }
  for (const auto& p : to) {
    if (source && p == *source) continue;
    if (p.to_bytes().size() == m.from().size() && as_chars(p.to_bytes()) == m.from()) continue;  // the author
    auto& ps = peers_.at(p);
    if (ps.dont_want.contains(id)) {
      ++counters_.idontwant_skips;
      continue;
    }
    pb::RPC rpc;
    *rpc.add_publish() = m;
    send(p, std::move(rpc));
  }
}

void gossip_router::send_idontwant(const crypto::peer_id& from, const message_id& id, const std::string& topic) {
  auto mit = mesh_.find(topic);
  if (mit == mesh_.end()) return;
  for (const auto& p : mit->second) {
    if (p == from || peers_.at(p).proto != protocol::meshsub_v12) continue;
    pb::RPC rpc;
    rpc.mutable_control()->add_idontwant()->add_messageids(id);
    send(p, std::move(rpc));
    ++counters_.idontwant_sent;
  }
}

}  // namespace converge::pubsub
