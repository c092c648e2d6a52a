// gossip_router: subscriptions and the control messages IHAVE, IWANT, GRAFT,
// PRUNE (with backoff and PX) and IDONTWANT.
#include <algorithm>

#include "pubsub/router.hpp"

namespace converge::pubsub {

void gossip_router::handle_subscription(const crypto::peer_id& p, peer_state& ps, const pb::RPC::SubOpts& s,
                                        instant now) {
  const auto& topic = s.topicid();
  if (topic.empty() || topic.size() > opt_.max_topic_length) return;
  if (s.subscribe()) {
    if (ps.topics.size() < opt_.max_subscriptions_per_peer) ps.topics.insert(topic);
    return;
  }
  ps.topics.erase(topic);
  if (auto f = fanout_.find(topic); f != fanout_.end()) f->second.erase(p);
  if (auto m = mesh_.find(topic); m != mesh_.end() && m->second.erase(p)) {
    if (score_) score_->prune(p, topic);
    emit(prune_event{p, topic});
  }
  (void)now;
}

void gossip_router::handle_ihave(const crypto::peer_id& p, peer_state& ps, const pb::ControlIHave& ih,
                                 pb::ControlIWant& iwant, instant now) {
  if (score(p, now) < opt_.thresholds.gossip_threshold) return;
  if (++ps.ihave_count > opt_.gossip.max_ihave_messages) return;
  if (ps.iasked >= opt_.gossip.max_ihave_length) return;
  if (!mesh_.contains(ih.topicid())) return;
  std::vector<message_id> want;
  std::unordered_set<message_id> dedupe(iwant.messageids().begin(), iwant.messageids().end());
  for (const auto& id : ih.messageids()) {
    if (want.size() >= opt_.gossip.max_ihave_length) break;
    if (!seen_.contains(id) && !pending_.contains(id) && dedupe.insert(id).second) want.push_back(id);
  }
  if (want.empty()) return;
  for (std::size_t i = want.size(); i > 1; --i) std::swap(want[i - 1], want[rng_.uniform(i)]);
  want.resize(std::min(want.size(), opt_.gossip.max_ihave_length - ps.iasked));
  ps.iasked += want.size();
  // One promise per IHAVE, on a random requested ID (as go-libp2p's gossip tracer).
  auto& promise = promises_[want[rng_.uniform(want.size())]];
  promise.try_emplace(p, now + opt_.gossip.iwant_followup_time);
  for (auto& id : want) iwant.add_messageids(std::move(id));
}

void gossip_router::handle_iwant(const crypto::peer_id& p, peer_state& ps, const pb::ControlIWant& iw, pb::RPC& out,
                                 instant now) {
  if (score(p, now) < opt_.thresholds.gossip_threshold) return;
  for (const auto& id : iw.messageids()) {
    if (ps.iwant_served >= opt_.gossip.max_iwant_length) return;
    ++ps.iwant_served;
    if (const auto* m = mcache_.get_for_peer(id, p, opt_.gossip.gossip_retransmission)) {
      *out.add_publish() = *m;
      ++counters_.iwant_served;
    }
  }
}

void gossip_router::handle_graft(const crypto::peer_id& p, peer_state& ps, const pb::ControlGraft& g,
                                 std::vector<pb::ControlPrune>& prunes, instant now) {
  const auto& topic = g.topicid();
  auto mit = mesh_.find(topic);
  if (mit == mesh_.end() || mit->second.contains(p)) return;  // not subscribed, or already there
  if (opt_.direct_peers.contains(p)) {
    prunes.push_back(make_prune(topic, p, false, false, now));
    return;
  }
  if (in_backoff(topic, p, now)) {
    // P7: GRAFT during backoff; doubly so right after the PRUNE (graft flood).
    if (score_) {
      score_->add_penalty(p, 1);
      auto expiry = backoff_[topic][p];
      if (expiry - opt_.gossip.prune_backoff + opt_.gossip.graft_flood_threshold > now) score_->add_penalty(p, 1);
    }
    prunes.push_back(make_prune(topic, p, false, false, now));
    return;
  }
  if (score(p, now) < 0) {
    prunes.push_back(make_prune(topic, p, false, false, now));
    return;
  }
  if (mit->second.size() >= opt_.gossip.d_high && !ps.outbound) {
    prunes.push_back(make_prune(topic, p, true, false, now));
    return;
  }
  mit->second.insert(p);
  if (score_) score_->graft(p, topic, now);
  emit(graft_event{p, topic});
}

void gossip_router::handle_prune(const crypto::peer_id& p, const pb::ControlPrune& pr, instant now) {
  const auto& topic = pr.topicid();
  if (auto mit = mesh_.find(topic); mit != mesh_.end() && mit->second.erase(p)) {
    if (score_) score_->prune(p, topic);
    emit(prune_event{p, topic});
  }
  // The peer's backoff, capped at one hour so a hostile value cannot pin state.
  duration backoff = opt_.gossip.prune_backoff;
  if (pr.has_backoff()) backoff = std::chrono::seconds(std::min<std::uint64_t>(pr.backoff(), 3600));
  if (!topic.empty() && topic.size() <= opt_.max_topic_length) add_backoff(topic, p, backoff, now);
  if (pr.peers_size() == 0 || score(p, now) < opt_.thresholds.accept_px_threshold) return;
  px_event px{p, topic, {}};
  for (const auto& info : pr.peers()) {
    if (px.peers.size() >= opt_.gossip.prune_peers) break;
    if (!crypto::peer_id::from_bytes(as_bytes(info.peerid()))) continue;
    px.peers.emplace_back(to_bytes(info.peerid()), to_bytes(info.signedpeerrecord()));
  }
  if (!px.peers.empty()) emit(std::move(px));
}

void gossip_router::handle_idontwant(peer_state& ps, const pb::ControlIDontWant& idw) {
  for (const auto& id : idw.messageids()) {
    if (ps.dont_want.size() >= opt_.gossip.max_idontwant_messages) return;
    ps.dont_want.insert(id);
  }
}

}  // namespace converge::pubsub
