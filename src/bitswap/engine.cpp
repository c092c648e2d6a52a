#include "bitswap/engine.hpp"

#include <algorithm>
#include <limits>

#include "bitswap/errors.hpp"

namespace converge::bitswap {

namespace {
p2p::limits::rate_limit normalised(p2p::limits::rate_limit l, std::size_t max_block) {
  // A block must fit the bucket or it could never be sent.
  std::uint64_t floor = max_block + 1024;
  if (l.limited() && l.burst < floor) l.burst = floor;
  return l;
}
}  // namespace

engine::engine(block_provider& provider, links_fn links, engine_options options)
    : provider_(provider),
      links_(std::move(links)),
      options_(options),
      total_bucket_(normalised(options.upload_total, options.limits.max_block_bytes), instant{}),
      budget_(normalised(options.upload_budget, options.limits.max_block_bytes), instant{}),
      download_bucket_(normalised(options.download_total, options.limits.max_block_bytes), instant{}) {}

void engine::set_upload_budget(p2p::limits::rate_limit budget, instant now) {
  options_.upload_budget = budget;
  budget_.set_limit(normalised(budget, options_.limits.max_block_bytes), now);
}

void engine::set_download_limit(p2p::limits::rate_limit limit, instant now) {
  options_.download_total = limit;
  download_bucket_.set_limit(normalised(limit, options_.limits.max_block_bytes), now);
  if (!limit.limited()) {
    download_debt_ = 0;
    download_wake_.reset();
  }
  schedule_all(now);
}

bool engine::take_download_tokens(instant now) {
  if (!options_.download_total.limited()) return true;
  if (download_wake_ && *download_wake_ > now) return false;
  download_wake_.reset();
  if (download_debt_ > 0) {
    auto pay = std::min(download_debt_, download_bucket_.available(now));
    (void)download_bucket_.try_consume(pay, now);
    download_debt_ -= pay;
  }
  auto need = std::min<std::uint64_t>(download_estimate_, download_bucket_.burst());
  if (download_debt_ == 0 && download_bucket_.try_consume(need, now)) return true;
  download_wake_ = now + download_bucket_.time_until(download_debt_ > 0 ? std::min(download_debt_, download_bucket_.burst()) : need, now);
  return false;
}

void engine::pay_download(std::size_t block_bytes, instant now) {
  (void)now;
  window_max_ = std::max<std::uint64_t>(window_max_, block_bytes);
  if (++window_count_ == 32) {
    download_estimate_ = std::max<std::uint64_t>(window_max_, 1024);
    window_max_ = 0;
    window_count_ = 0;
  }
  if (block_bytes <= download_estimate_) return;
  // The want took download_estimate_ tokens (as it was then); a larger block owes the rest.
  if (options_.download_total.limited()) download_debt_ += block_bytes - download_estimate_;
  download_estimate_ = block_bytes;
}

result<void> engine::peer_connected(peer_key peer, protocol_version version, instant now) {
  if (peers_.contains(peer)) return ok();
  if (peers_.size() >= options_.max_peers)
    return fail(bitswap_errc::too_large, "peer limit of " + std::to_string(options_.max_peers) + " reached");
  ledger l{version, p2p::limits::token_bucket(normalised(options_.upload_per_peer, options_.limits.max_block_bytes), now), {}, {}, {}, 0, std::nullopt, {}};
  l.stats.version = version;
  peers_.emplace(peer, std::move(l));
  // Blocks nobody had may be with the newcomer.
  for (auto& [sid, s] : sessions_) {
    for (const auto& c : s.stalled) {
      s.tried[c].clear();
      s.queue.push_front(c);
    }
    s.stalled.clear();
  }
  schedule_all(now);
  return ok();
}

void engine::peer_disconnected(peer_key peer, instant now) {
  auto it = peers_.find(peer);
  if (it == peers_.end()) return;
  outstanding_total_ -= std::min(it->second.outstanding, outstanding_total_);  // its unwritten messages are gone with it
  peers_.erase(it);
  for (auto& [sid, s] : sessions_) {
    s.providers.erase(peer);
    for (auto r = s.inflight.begin(); r != s.inflight.end();) {
      if (r->second.peer == peer) {
        s.queue.push_front(r->first);
        r = s.inflight.erase(r);
      } else {
        ++r;
      }
    }
  }
  schedule_all(now);
}

void engine::cancel_at_tried(session_state& s, const mf::cid& id, std::optional<peer_key> except) {
  auto t = s.tried.find(id);
  if (t == s.tried.end()) return;
  for (auto p : t->second) {
    if (p == except) continue;
    auto it = peers_.find(p);
    if (it == peers_.end()) continue;
    wantlist_entry e{id};
    e.cancel = true;
    e.priority = 0;
    it->second.outgoing.push_back(std::move(e));
  }
  s.tried.erase(t);
}

void engine::downgrade(ledger& l, const mf::cid& id) {
  // Our want-block becomes a want-have: rather than send the whole block
  // once it has it (by then another peer may have), the peer says HAVE and
  // we ask it again if we still need to. Peers on 1.0.0/1.1.0 have no HAVE:
  // the want is cancelled.
  wantlist_entry e{id};
  if (l.version == protocol_version::v1_2_0) {
    e.type = want_type::have;
    e.send_dont_have = false;
  } else {
    e.cancel = true;
    e.priority = 0;
  }
  l.outgoing.push_back(std::move(e));
}

void engine::release(const request& r, const mf::cid& id, bool cancel) {
  auto it = peers_.find(r.peer);
  if (it == peers_.end()) return;
  auto& l = it->second;
  if (l.stats.inflight > 0) --l.stats.inflight;
  if (cancel) {
    wantlist_entry e{id};
    e.cancel = true;
    e.priority = 0;
    l.outgoing.push_back(std::move(e));
  }
}

void engine::handle_message(peer_key from, bytes_view payload, instant now) {
  auto it = peers_.find(from);
  if (it == peers_.end()) return;
  auto m = decode_message(payload, options_.limits);
  if (!m) {
    drop_peer(from, "malformed message: " + m.error().detail, now);
    return;
  }
  on_wantlist(from, it->second, *m);
  for (const auto& p : m->presences) on_presence(from, it->second, p, now);
  for (auto& b : m->blocks) {
    if (!on_block(from, it->second, std::move(b), now)) break;
  }
  schedule_all(now);
}

void engine::on_wantlist(peer_key, ledger& l, const message& m) {
  if (m.full) {
    l.wants.clear();
    l.queue.clear();
  }
  for (const auto& e : m.wantlist) {
    if (e.cancel) {
      l.wants.erase(e.cid);
      std::erase_if(l.queue, [&](const task& t) { return t.cid == e.cid; });
      continue;
    }
    if (l.queue.size() >= options_.max_wantlist_per_peer) continue;  // over the bound: ignored
    bool queued = std::any_of(l.queue.begin(), l.queue.end(), [&](const task& t) { return t.cid == e.cid; });
    if (provider_.has(e.cid)) {
      l.wants.erase(e.cid);
      if (!queued) l.queue.push_back({e.cid, e.type == want_type::block ? task_kind::block : task_kind::have});
      continue;
    }
    if (e.send_dont_have && l.version == protocol_version::v1_2_0 && !queued) l.queue.push_back({e.cid, task_kind::dont_have});
    if (l.wants.size() < options_.max_wantlist_per_peer || l.wants.contains(e.cid)) l.wants.insert_or_assign(e.cid, e);
  }
  l.stats.wantlist_size = l.wants.size();
}

void engine::on_presence(peer_key from, ledger& l, const block_presence& p, instant now) {
  (void)now;
  if (p.type == presence_type::dont_have) ++l.stats.dont_haves_received;
  for (auto& [sid, s] : sessions_) {
    if (!s.pending.contains(p.cid)) continue;
    if (p.type == presence_type::have) {
      s.providers.insert(from);
      // The peer has it now (the answer to a want-have, see downgrade): it may be asked again.
      if (auto t = s.tried.find(p.cid); t != s.tried.end()) t->second.erase(from);
      if (s.stalled.erase(p.cid) > 0) s.queue.push_front(p.cid);
      continue;
    }
    s.providers.erase(from);
    auto r = s.inflight.find(p.cid);
    if (r != s.inflight.end() && r->second.peer == from) {
      release(r->second, p.cid, false);
      downgrade(l, p.cid);
      s.inflight.erase(r);
      s.queue.push_front(p.cid);
    }
  }
}

bool engine::on_block(peer_key from, ledger& l, blocks::block b, instant now) {
  l.stats.blocks_received++;
  l.stats.bytes_received += b.data.size();
  totals_.blocks_received++;
  totals_.bytes_received += b.data.size();
  pay_download(b.data.size(), now);
  if (auto v = blocks::verify_block(b.id, b.data); !v) return !strike(from, l, "bad block: " + v.error().detail, now);
  bool wanted = false, emitted = false;
  std::vector<session_id> touched, failed;
  for (auto& [sid, s] : sessions_) {
    if (!s.pending.contains(b.id)) continue;
    wanted = true;
    s.pending.erase(b.id);
    s.stalled.erase(b.id);
    if (auto r = s.inflight.find(b.id); r != s.inflight.end()) {
      release(r->second, b.id, r->second.peer != from);
      s.inflight.erase(r);
    }
    cancel_at_tried(s, b.id, from);
    s.providers.insert(from);
    s.stats.blocks_fetched++;
    s.stats.bytes_fetched += b.data.size();
    if (!emitted) {
      // Emitted before the session's outcome so the driver stores it first.
      events_.push_back(events::block_received{sid, from, b});
      emitted = true;
    }
    if (auto w = walk(sid, s, b.id, b.data); !w) {
      events_.push_back(events::session_failed{sid, w.error()});
      failed.push_back(sid);
      continue;
    }
    touched.push_back(sid);
  }
  if (wanted) {
    remember(b.id);
    for (auto sid : failed) cancel_session(sid);
    for (auto sid : touched) finish_if_done(sid);
    return true;
  }
  if (recent_.contains(b.id)) {
    for (auto& [sid, s] : sessions_) s.stats.duplicates++;
    return true;
  }
  return !strike(from, l, "unwanted block " + b.id.to_string(), now);
}

bool engine::strike(peer_key p, ledger& l, const std::string& why, instant now) {
  l.stats.strikes++;
  if (l.stats.strikes < options_.max_strikes) return false;
  drop_peer(p, why + " (" + std::to_string(l.stats.strikes) + " strikes)", now);
  return true;
}

void engine::drop_peer(peer_key p, const std::string& why, instant now) {
  events_.push_back(events::peer_penalised{p, why});
  peer_disconnected(p, now);
}

result<void> engine::walk(session_id sid, session_state& s, const mf::cid& id, bytes_view data) {
  (void)sid;
  auto children = links_(id, data);
  if (!children) return fail(with_context(children.error(), "walking " + id.to_string()));
  for (auto& c : *children) {
    if (!s.seen.insert(c).second) continue;
    if (provider_.has(c)) {
      auto local = provider_.get(c);
      if (local) {
        s.stats.blocks_local++;
        if (auto r = walk(sid, s, c, *local); !r) return r;
        continue;
      }
      // A corrupt local copy was dropped by the store: fetch it again.
    }
    s.pending.insert(c);
    s.queue.push_back(std::move(c));
  }
  return ok();
}

void engine::schedule_all(instant now) {
  std::vector<session_id> ids;
  for (auto& [sid, s] : sessions_) ids.push_back(sid);
  for (auto sid : ids) {
    auto it = sessions_.find(sid);
    if (it != sessions_.end()) schedule(sid, it->second, now);
  }
}

void engine::schedule(session_id sid, session_state& s, instant now) {
  std::size_t inflight_all = 0;
  for (const auto& [id, x] : sessions_) inflight_all += x.inflight.size();
  const std::uint64_t max_all = std::max<std::uint64_t>(1, options_.max_inflight_bytes / download_estimate_);
  // A peer that has not delivered yet counts as `penalty` requests busier; at
  // most half the requests the node may have in flight, so that a proven
  // peer's load can reach it and the others are still tried.
  const std::size_t penalty = std::min<std::size_t>(options_.non_provider_penalty, max_all / 2);
  while (!s.queue.empty() && s.inflight.size() < options_.max_inflight_per_session && inflight_all < max_all) {
    const mf::cid c = s.queue.front();
    if (!s.pending.contains(c) || s.inflight.contains(c) || s.stalled.contains(c)) {
      s.queue.pop_front();
      continue;
    }
    auto& tried = s.tried[c];
    peer_key best = 0;
    ledger* best_l = nullptr;
    bool untried_exists = false;
    for (auto& [p, l] : peers_) {
      if (tried.contains(p)) continue;
      untried_exists = true;
      if (l.stats.inflight >= options_.max_inflight_per_peer) continue;
      // Load (with a penalty for unproven peers), then a per-CID hash so
      // that equal peers share the blocks instead of all asking the first.
      auto load = [&](peer_key k, const ledger& x) {
        return x.stats.inflight + (s.providers.contains(k) ? 0 : penalty);
      };
      auto spread = [&](peer_key k) { return (std::hash<mf::cid>{}(c) ^ (k * 0x9e3779b97f4a7c15ull)) * 0xbf58476d1ce4e5b9ull; };
      auto better = [&] {
        if (!best_l) return true;
        auto a = load(p, l), b = load(best, *best_l);
        if (a != b) return a < b;
        return spread(p) < spread(best);
      };
      if (better()) {
        best = p;
        best_l = &l;
      }
    }
    if (!best_l) {
      if (untried_exists) break;  // every untried peer is busy: wait for answers
      s.queue.pop_front();
      s.stalled.insert(c);
      events_.push_back(events::need_providers{sid, c});
      continue;
    }
    if (!take_download_tokens(now)) break;  // the download cap: wait for download_wake_
    s.queue.pop_front();
    tried.insert(best);
    s.inflight.emplace(c, request{best, now + options_.request_timeout});
    ++inflight_all;
    best_l->stats.inflight++;
    wantlist_entry e{c};
    e.type = want_type::block;
    e.send_dont_have = best_l->version == protocol_version::v1_2_0;
    best_l->outgoing.push_back(std::move(e));
  }
}

bool engine::finish_if_done(session_id sid) {
  auto it = sessions_.find(sid);
  if (it == sessions_.end() || !it->second.pending.empty()) return false;
  events_.push_back(events::session_done{sid, it->second.root, it->second.stats});
  sessions_.erase(it);
  return true;
}

void engine::remember(const mf::cid& id) {
  if (recent_.insert(id).second) {
    recent_order_.push_back(id);
    if (recent_order_.size() > options_.recent_cids) {
      recent_.erase(recent_order_.front());
      recent_order_.pop_front();
    }
  }
}

void engine::block_added(const mf::cid& id, instant now) {
  for (auto& [p, l] : peers_) {
    auto w = l.wants.find(id);
    if (w == l.wants.end()) continue;
    std::erase_if(l.queue, [&](const task& t) { return t.cid == id; });
    if (l.queue.size() < options_.max_wantlist_per_peer)
      l.queue.push_back({id, w->second.type == want_type::block ? task_kind::block : task_kind::have});
    l.wants.erase(w);
    l.stats.wantlist_size = l.wants.size();
  }
  // A session waiting for it (fetched by another session or imported) walks it locally.
  std::vector<session_id> touched, failed;
  for (auto& [sid, s] : sessions_) {
    if (!s.pending.contains(id)) continue;
    auto data = provider_.get(id);
    if (!data) continue;
    s.pending.erase(id);
    s.stalled.erase(id);
    if (auto r = s.inflight.find(id); r != s.inflight.end()) {
      release(r->second, id, true);
      s.inflight.erase(r);
    }
    cancel_at_tried(s, id, std::nullopt);
    s.stats.blocks_local++;
    if (auto w = walk(sid, s, id, *data); !w) {
      events_.push_back(events::session_failed{sid, w.error()});
      failed.push_back(sid);
      continue;
    }
    touched.push_back(sid);
  }
  for (auto sid : failed) cancel_session(sid);
  for (auto sid : touched) finish_if_done(sid);
  schedule_all(now);
}

result<session_id> engine::start_session(const mf::cid& root, instant now) {
  if (sessions_.size() >= options_.max_sessions)
    return fail(bitswap_errc::session_limit, "session limit of " + std::to_string(options_.max_sessions) + " reached");
  session_id sid = next_session_++;
  auto& s = sessions_.emplace(sid, session_state{root, {}, {}, {}, {}, {}, {}, {}, {}}).first->second;
  s.seen.insert(root);
  bool local = false;
  if (provider_.has(root)) {
    if (auto data = provider_.get(root); data) {
      local = true;
      s.stats.blocks_local++;
      if (auto w = walk(sid, s, root, *data); !w) {
        sessions_.erase(sid);
        return fail(w.error());
      }
    }
  }
  if (!local) {
    s.pending.insert(root);
    s.queue.push_back(root);
  }
  if (!finish_if_done(sid)) schedule(sid, s, now);
  return sid;
}

void engine::cancel_session(session_id id) {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return;
  for (const auto& [c, r] : it->second.inflight) {
    release(r, c, true);
    // We asked for it: a copy already on its way is late, not unwanted (no strike).
    remember(c);
  }
  // The want-haves left with peers that said DONT_HAVE go too.
  std::vector<mf::cid> asked;
  for (const auto& [c, peers] : it->second.tried)
    if (!it->second.inflight.contains(c)) asked.push_back(c);
  for (const auto& c : asked) cancel_at_tried(it->second, c, std::nullopt);
  sessions_.erase(it);
}

const session_stats* engine::session(session_id id) const {
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : &it->second.stats;
}

const peer_stats* engine::peer(peer_key p) const {
  auto it = peers_.find(p);
  return it == peers_.end() ? nullptr : &it->second.stats;
}

std::optional<event> engine::poll_event() {
  if (events_.empty()) return std::nullopt;
  auto e = std::move(events_.front());
  events_.pop_front();
  return e;
}

std::optional<instant> engine::poll_timeout() const {
  std::optional<instant> t;
  auto take = [&](instant x) {
    if (!t || x < *t) t = x;
  };
  for (const auto& [sid, s] : sessions_)
    for (const auto& [c, r] : s.inflight) take(r.deadline);
  bool queued = false;
  for (const auto& [p, l] : peers_) {
    if (l.bucket_wake && !l.queue.empty()) take(*l.bucket_wake);
    queued = queued || !l.queue.empty();
  }
  if (total_wake_ && queued) take(*total_wake_);
  if (download_wake_ && !sessions_.empty()) take(*download_wake_);
  return t;
}

void engine::handle_timeout(instant now) {
  for (auto& [sid, s] : sessions_) {
    for (auto r = s.inflight.begin(); r != s.inflight.end();) {
      if (r->second.deadline <= now) {
        release(r->second, r->first, false);
        if (auto pl = peers_.find(r->second.peer); pl != peers_.end()) {
          pl->second.stats.timeouts++;
          downgrade(pl->second, r->first);  // a slow peer may still say HAVE
        }
        s.stats.retries++;
        s.queue.push_front(r->first);
        r = s.inflight.erase(r);
      } else {
        ++r;
      }
    }
  }
  for (auto& [p, l] : peers_)
    if (l.bucket_wake && *l.bucket_wake <= now) l.bucket_wake.reset();
  if (total_wake_ && *total_wake_ <= now) total_wake_.reset();
  if (download_wake_ && *download_wake_ <= now) download_wake_.reset();
  schedule_all(now);
}

void engine::sent(peer_key peer, std::size_t n) {
  auto it = peers_.find(peer);
  if (it == peers_.end()) return;
  auto done = std::min<std::uint64_t>(n, it->second.outstanding);
  it->second.outstanding -= done;
  outstanding_total_ -= std::min(done, outstanding_total_);
}

std::optional<outbound> engine::poll_transmit(instant now) {
  if (peers_.empty()) return std::nullopt;
  // Round robin: start after the peer served last.
  auto start = peers_.upper_bound(rr_cursor_);
  for (std::size_t i = 0; i < peers_.size(); ++i) {
    if (start == peers_.end()) start = peers_.begin();
    auto& [p, l] = *start;
    if (auto out = build(p, l, now)) {
      rr_cursor_ = p;
      return out;
    }
    ++start;
  }
  return std::nullopt;
}

std::optional<outbound> engine::build(peer_key p, ledger& l, instant now) {
  message m;
  std::size_t size = 0;
  while (!l.outgoing.empty() && m.wantlist.size() < options_.limits.max_entries) {
    size += l.outgoing.front().cid.to_bytes().size() + 16;
    m.wantlist.push_back(std::move(l.outgoing.front()));
    l.outgoing.erase(l.outgoing.begin());
  }
  while (!l.queue.empty() && l.outstanding + size < options_.max_outstanding_bytes_per_peer &&
         outstanding_total_ + size < options_.max_outstanding_bytes_total) {
    if (l.bucket_wake && *l.bucket_wake > now) break;
    auto& t = l.queue.front();
    if (t.kind != task_kind::block) {
      if (l.version == protocol_version::v1_2_0) {
        m.presences.push_back({t.cid, t.kind == task_kind::have ? presence_type::have : presence_type::dont_have});
        size += t.cid.to_bytes().size() + 6;
      }
      l.queue.pop_front();
      continue;
    }
    auto bsize = provider_.size(t.cid);
    if (!bsize || (l.version == protocol_version::v1_0_0 && t.cid.version() != 0)) {
      l.queue.pop_front();  // gone since it was asked for, or unnameable in 1.0.0
      continue;
    }
    auto esz = encoded_block_size(t.cid, *bsize);
    if (!m.blocks.empty() && size + esz > options_.target_message_bytes) break;
    if (size + esz > options_.limits.max_message_bytes) {
      l.queue.pop_front();
      continue;
    }
    if (budget_.time_until(esz, now) > duration::zero()) {
      // Beyond the upload budget: say so now rather than make the asker wait.
      if (l.version == protocol_version::v1_2_0) {
        m.presences.push_back({t.cid, presence_type::dont_have});
        size += t.cid.to_bytes().size() + 6;
      }
      totals_.budget_refusals++;
      l.queue.pop_front();
      continue;
    }
    if (total_wake_ && *total_wake_ > now) break;
    if (total_bucket_.time_until(esz, now) > duration::zero()) {
      total_wake_ = now + total_bucket_.time_until(esz, now);
      break;
    }
    if (!l.bucket.try_consume(esz, now)) {
      l.bucket_wake = now + l.bucket.time_until(esz, now);
      break;
    }
    (void)total_bucket_.try_consume(esz, now);
    (void)budget_.try_consume(esz, now);
    auto data = provider_.get(t.cid);
    if (!data) {
      l.queue.pop_front();
      continue;
    }
    m.blocks.push_back({t.cid, std::move(*data)});
    size += esz;
    l.stats.blocks_sent++;
    totals_.blocks_sent++;
    l.queue.pop_front();
  }
  if (m.empty()) return std::nullopt;
  auto payload = encode_message(m, l.version);
  l.outstanding += payload.size();
  outstanding_total_ += payload.size();
  l.stats.bytes_sent += payload.size();
  totals_.bytes_sent += payload.size();
  return outbound{p, std::move(payload)};
}

}  // namespace converge::bitswap
