#include "kad/dht.hpp"

#include <algorithm>

namespace converge::kad {

namespace {
message_type request_type(query_kind k) {
  switch (k) {
    case query_kind::get_value: return message_type::get_value;
    case query_kind::get_providers: return message_type::get_providers;
    default: return message_type::find_node;
  }
}
}  // namespace

dht::dht(const crypto::peer_id& self, std::shared_ptr<const validator_registry> validators,
         std::shared_ptr<record_store> store, const clock& wall_clock, rng& r, dht_options o, instant now)
    : self_(self),
      validators_(std::move(validators)),
      store_(std::move(store)),
      wall_(wall_clock),
      rng_(r),
      opts_(o),
      table_(self, o.routing),
      providers_(o.providers),
      next_refresh_(now + o.refresh_interval),
      next_provider_gc_(now + o.provider_gc_interval) {}

peer_info dht::self_info() const { return peer_info{self_, self_addrs_, connection_type::connected}; }

std::vector<peer_info> dht::closer_peers_for(bytes_view key, const crypto::peer_id& requester) const {
  auto peers = table_.closest(kad_key::of(key), opts_.routing.k + 1);
  std::erase_if(peers, [&](const auto& p) { return p.id == requester; });
  if (peers.size() > opts_.routing.k) peers.erase(peers.begin() + static_cast<std::ptrdiff_t>(opts_.routing.k), peers.end());
  return peers;
}

void dht::peer_connected(const peer_info& peer, bool is_server, instant now) {
  if (!is_server) return;
  table_.observe(peer, now);
  run_liveness(now);
}

void dht::run_liveness(instant now) {
  for (const auto& p : table_.take_liveness_checks(now)) {
    message m;
    m.type = message_type::ping;
    if (send(0, purpose::liveness, p, m, true, now) == 0) table_.liveness_result(p.id, false, now);
  }
}

// ---- server side -------------------------------------------------------------

result<std::optional<bytes>> dht::handle_request(const crypto::peer_id& from, bytes_view data, instant now) {
  if (opts_.mode == mode::client) return fail(kad_errc::client_mode, "client-mode node does not serve requests");
  auto m = decode_message(data, opts_.limits);
  if (!m) return fail(m.error());
  message resp;
  resp.type = m->type;
  resp.key = m->key;
  switch (m->type) {
    case message_type::ping: break;
    case message_type::find_node:
      resp.closer_peers = closer_peers_for(m->key, from);
      break;
    case message_type::get_value: {
      if (m->key.empty()) return fail(kad_errc::malformed_message, "GET_VALUE without a key");
      auto v = store_->get(m->key, wall_.wall_now());
      if (v && *v) resp.rec = record{m->key, std::move(**v), {}};
      resp.closer_peers = closer_peers_for(m->key, from);
      break;
    }
    case message_type::put_value: {
      if (!m->rec) return fail(kad_errc::malformed_message, "PUT_VALUE without a record");
      if (!equal(m->rec->key, m->key))
        return fail(kad_errc::malformed_message, "PUT_VALUE record key differs from the message key");
      auto put = store_->put(m->key, m->rec->value, wall_.wall_now());
      if (!put) return fail(put.error());
      // The spec's answer is the request echoed.
      return std::optional<bytes>{to_bytes(data)};
    }
    case message_type::get_providers:
      if (m->key.empty()) return fail(kad_errc::malformed_message, "GET_PROVIDERS without a key");
      resp.provider_peers = providers_.get(m->key, now, opts_.routing.k);
      resp.closer_peers = closer_peers_for(m->key, from);
      break;
    case message_type::add_provider: {
      if (m->key.empty()) return fail(kad_errc::malformed_message, "ADD_PROVIDER without a key");
      // Only the sender may announce itself (a peer cannot sign up others).
      for (const auto& p : m->provider_peers)
        if (p.id == from) providers_.add(m->key, p, now);
      return std::optional<bytes>{};
    }
  }
  return std::optional<bytes>{encode_message(resp)};
}

// ---- outbound requests ---------------------------------------------------------

request_id dht::send(query_id qid, purpose why, const peer_info& peer, const message& m, bool expects_response,
                     instant now) {
  if (outstanding_.size() + to_send_.size() >= opts_.max_pending_requests) return 0;
  request_id id = next_request_++;
  to_send_.push_back(outbound_request{id, peer, encode_message(m), expects_response});
  if (expects_response) outstanding_.emplace(id, pending{qid, why, peer, m.type, now + opts_.request_timeout});
  return id;
}

std::optional<outbound_request> dht::poll_request() {
  if (to_send_.empty()) return std::nullopt;
  auto r = std::move(to_send_.front());
  to_send_.pop_front();
  return r;
}

void dht::handle_response(request_id id, bytes_view data, instant now) {
  auto it = outstanding_.find(id);
  if (it == outstanding_.end()) return;  // timed out already, or never ours
  auto m = decode_message(data, opts_.limits);
  if (!m || m->type != it->second.type) {
    handle_request_failed(id, now);
    return;
  }
  pending p = std::move(it->second);
  outstanding_.erase(it);
  table_.observe(p.peer, now);  // it answered: alive, and a server
  if (p.query != 0) {
    auto q = queries_.find(p.query);
    if (q != queries_.end()) {
      if (p.why == purpose::query_step) {
        on_query_reply(p.query, q->second, p.peer.id, *m, now);
      } else if (p.why == purpose::deliver) {
        if (m->rec) ++q->second.stored;
        if (--q->second.delivering == 0) complete(p.query, q->second, now);
      }
    }
  }
  run_liveness(now);
}

void dht::handle_request_failed(request_id id, instant now) {
  auto it = outstanding_.find(id);
  if (it == outstanding_.end()) return;
  pending p = std::move(it->second);
  outstanding_.erase(it);
  if (p.why == purpose::liveness) {
    table_.liveness_result(p.peer.id, false, now);
    return;
  }
  table_.record_failure(p.peer.id);
  if (p.query == 0) return;
  auto q = queries_.find(p.query);
  if (q == queries_.end()) return;
  if (p.why == purpose::query_step) {
    q->second.walk.on_failure(p.peer.id);
    step(p.query, q->second, now);
  } else if (p.why == purpose::deliver) {
    if (--q->second.delivering == 0) complete(p.query, q->second, now);
  }
}

// ---- queries -----------------------------------------------------------------

result<query_id> dht::start(query_kind kind, bytes key, instant now) {
  if (queries_.size() >= opts_.max_queries)
    return fail(kad_errc::too_many_queries, "already " + std::to_string(queries_.size()) + " queries running");
  if (key.empty() || key.size() > opts_.limits.max_key_size)
    return fail(kad_errc::invalid_argument, "query key of " + std::to_string(key.size()) + " bytes");
  auto target = kad_key::of(key);
  query_id id = next_query_++;
  auto seeds = table_.closest(target, opts_.routing.k);
  queries_.emplace(id, query_state(kind, std::move(key), lookup(target, self_, seeds, opts_.query), now,
                                   now + opts_.query_timeout));
  return id;
}

result<query_id> dht::find_node(bytes key, instant now) {
  auto id = start(query_kind::find_node, std::move(key), now);
  if (id) step(*id, queries_.at(*id), now);
  return id;
}

result<query_id> dht::get_value(bytes key, std::size_t quorum, instant now) {
  auto id = start(query_kind::get_value, std::move(key), now);
  if (!id) return id;
  auto& q = queries_.at(*id);
  q.quorum = std::max<std::size_t>(quorum, 1);
  if (auto local = store_->get(q.key, wall_.wall_now()); local && *local) {
    q.values.push_back(value_reply{self_, std::move(**local)});
    q.have_local = true;
    if (q.values.size() >= q.quorum) q.walk.stop();
  }
  step(*id, q, now);
  return id;
}

result<query_id> dht::put_value(bytes key, bytes value, instant now) {
  auto put = store_->put(key, value, wall_.wall_now());
  if (!put) return fail(put.error());
  auto id = start(query_kind::put_value, std::move(key), now);
  if (!id) return id;
  auto& q = queries_.at(*id);
  q.value_to_put = std::move(value);
  step(*id, q, now);
  return id;
}

result<query_id> dht::provide(bytes key, instant now) {
  if (!local_provides_.contains(key) && local_provides_.size() >= opts_.max_local_provides)
    return fail(kad_errc::invalid_argument, "already providing " + std::to_string(local_provides_.size()) + " keys");
  auto id = start(query_kind::provide, key, now);
  if (!id) return id;
  providers_.add(key, self_info(), now);
  local_provides_[key] = now + opts_.provider_republish;
  step(*id, queries_.at(*id), now);
  return id;
}

result<query_id> dht::get_providers(bytes key, std::size_t count, instant now) {
  auto id = start(query_kind::get_providers, std::move(key), now);
  if (!id) return id;
  auto& q = queries_.at(*id);
  q.want = std::max<std::size_t>(count, 1);
  for (auto& p : providers_.get(q.key, now, q.want)) {
    q.provider_ids.insert(p.id);
    q.providers.push_back(std::move(p));
  }
  if (q.providers.size() >= q.want) q.walk.stop();
  step(*id, q, now);
  return id;
}

void dht::on_query_reply(query_id id, query_state& q, const crypto::peer_id& from, const message& m, instant now) {
  switch (q.kind) {
    case query_kind::find_node:
      if (from.to_bytes() == q.key) {
        const auto* e = table_.find(from);
        q.found = e ? e->peer : peer_info{from, {}, connection_type::connected};
        q.found->connection = connection_type::connected;
      }
      for (const auto& p : m.closer_peers)
        if (!q.found && p.id.to_bytes() == q.key) q.found = p;
      break;
    case query_kind::get_value:
      if (m.rec && equal(m.rec->key, q.key) && validators_->validate(q.key, m.rec->value, wall_.wall_now())) {
        q.values.push_back(value_reply{from, m.rec->value});
        if (q.values.size() >= q.quorum) q.walk.stop();
      }
      break;
    case query_kind::get_providers:
      for (const auto& p : m.provider_peers) {
        if (q.providers.size() >= q.want) break;
        if (q.provider_ids.insert(p.id).second) q.providers.push_back(p);
      }
      if (q.providers.size() >= q.want) q.walk.stop();
      break;
    default: break;
  }
  q.walk.on_success(from, m.closer_peers);
  step(id, q, now);
}

void dht::step(query_id id, query_state& q, instant now) {
  if (q.ph != phase::lookup) return;
  for (;;) {
    // Stopped (quorum met, enough providers): answer now; late replies are ignored.
    if (q.walk.done() || q.walk.stopped()) {
      complete(id, q, now);
      return;
    }
    auto next = q.walk.next();
    if (next.empty()) return;
    message m;
    m.type = request_type(q.kind);
    m.key = q.key;
    for (const auto& p : next)
      if (send(id, purpose::query_step, p, m, true, now) == 0) q.walk.on_failure(p.id);
  }
}

void dht::complete(query_id id, query_state& q, instant now) {
  switch (q.kind) {
    case query_kind::get_value: finish_get_value(id, q, now); return;
    case query_kind::put_value:
    case query_kind::provide:
      if (q.ph == phase::lookup) {
        begin_delivery(id, q, now);
        return;
      }
      finish(id, q, q.stored == 0 ? std::optional<error>{error{make_error_code(kad_errc::not_found),
                                                                   "no peer accepted the record"}}
                                  : std::nullopt,
             now);
      return;
    case query_kind::get_providers:
      finish(id, q, q.providers.empty() ? std::optional<error>{error{make_error_code(kad_errc::not_found),
                                                                     "no providers found"}}
                                        : std::nullopt,
             now);
      return;
    default: finish(id, q, std::nullopt, now); return;
  }
}

void dht::begin_delivery(query_id id, query_state& q, instant now) {
  q.ph = phase::deliver;
  q.walk.stop();
  auto peers = q.walk.closest_succeeded(opts_.routing.k);
  message m;
  m.key = q.key;
  if (q.kind == query_kind::put_value) {
    m.type = message_type::put_value;
    m.rec = record{q.key, *q.value_to_put, {}};
  } else {
    m.type = message_type::add_provider;
    m.provider_peers.push_back(self_info());
  }
  bool expects = q.kind == query_kind::put_value;
  for (const auto& p : peers) {
    if (send(id, purpose::deliver, p, m, expects, now) == 0) continue;
    if (expects) ++q.delivering;
    else ++q.stored;
  }
  if (q.delivering == 0) complete(id, q, now);
}

void dht::finish_get_value(query_id id, query_state& q, instant now) {
  if (q.values.empty()) {
    finish(id, q, error{make_error_code(kad_errc::not_found), "no valid record found"}, now);
    return;
  }
  std::vector<bytes> vals;
  vals.reserve(q.values.size());
  for (const auto& v : q.values) vals.push_back(v.value);
  auto best = validators_->select(q.key, vals);
  std::size_t b = best ? *best : 0;
  message fix;
  fix.type = message_type::put_value;
  fix.key = q.key;
  fix.rec = record{q.key, vals[b], {}};
  std::size_t corrected = 0;
  for (const auto& v : q.values) {
    if (equal(v.value, vals[b])) continue;
    if (v.from == self_) {
      (void)store_->put(q.key, vals[b], wall_.wall_now());
      continue;
    }
    const auto* e = table_.find(v.from);
    peer_info to = e ? e->peer : peer_info{v.from, {}, connection_type::not_connected};
    if (send(0, purpose::correction, to, fix, true, now) != 0) ++corrected;
  }
  q.corrected = corrected;
  q.value_to_put = vals[b];
  finish(id, q, std::nullopt, now);
}

void dht::finish(query_id id, query_state& q, std::optional<error> failure, instant now) {
  query_done d;
  d.id = id;
  d.kind = q.kind;
  d.failure = std::move(failure);
  d.closest = q.walk.closest_succeeded(opts_.routing.k);
  d.found = std::move(q.found);
  if (q.kind == query_kind::get_value) d.value = std::move(q.value_to_put);
  d.records = q.values.size();
  d.corrected = q.corrected;
  d.stored = q.stored;
  d.providers = std::move(q.providers);
  d.stats = q.walk.stats();
  d.elapsed = now - q.started;
  if (q.kind != query_kind::refresh) events_.emplace_back(std::move(d));
  queries_.erase(id);  // q dangles from here on
}

// ---- timers --------------------------------------------------------------------

std::optional<event> dht::poll_event() {
  if (events_.empty()) return std::nullopt;
  auto e = std::move(events_.front());
  events_.pop_front();
  return e;
}

std::optional<instant> dht::poll_timeout() const {
  instant t = std::min(next_refresh_, next_provider_gc_);
  for (const auto& [id, p] : outstanding_) t = std::min(t, p.deadline);
  for (const auto& [id, q] : queries_) t = std::min(t, q.deadline);
  for (const auto& [k, due] : local_provides_) t = std::min(t, due);
  return t;
}

void dht::handle_timeout(instant now) {
  std::vector<request_id> expired;
  for (const auto& [id, p] : outstanding_)
    if (p.deadline <= now) expired.push_back(id);
  for (auto id : expired) handle_request_failed(id, now);

  std::vector<query_id> late;
  for (const auto& [id, q] : queries_)
    if (q.deadline <= now) late.push_back(id);
  for (auto id : late) {
    auto it = queries_.find(id);
    if (it == queries_.end()) continue;
    it->second.walk.stop();
    if (it->second.ph == phase::deliver) it->second.delivering = 0;
    complete(id, it->second, now);
    // A put/provide that timed out in its lookup moves to delivery; give that its own time.
    if (auto again = queries_.find(id); again != queries_.end()) again->second.deadline = now + opts_.request_timeout;
  }

  for (auto& [key, due] : local_provides_) {
    if (due > now) continue;
    due = now + opts_.provider_republish;
    if (auto id = start(query_kind::provide, key, now)) {
      providers_.add(key, self_info(), now);
      step(*id, queries_.at(*id), now);
    }
  }
  if (now >= next_provider_gc_) {
    providers_.expire(now);
    next_provider_gc_ = now + opts_.provider_gc_interval;
  }
  if (now >= next_refresh_) {
    refresh(now);
    next_refresh_ = now + opts_.refresh_interval;
  }
}

void dht::bootstrap(instant now) {
  refresh(now);
  next_refresh_ = now + opts_.refresh_interval;
}

void dht::refresh(instant now) {
  run_liveness(now);
  if (auto id = start(query_kind::refresh, self_.to_bytes(), now)) step(*id, queries_.at(*id), now);
  auto deepest = table_.deepest_bucket();
  if (!deepest) return;
  // One random peer-ID-shaped key per bucket CPL 0..deepest: FIND_NODE keys
  // are hashed by the receiver, so we search preimages whose hash falls in
  // each bucket (about 2^(cpl+1) tries for CPL cpl), under a fixed budget.
  unsigned top = std::min<unsigned>(*deepest, static_cast<unsigned>(opts_.max_refresh_buckets) - 1);
  std::vector<std::optional<bytes>> keys(top + 1);
  std::size_t missing = keys.size();
  std::size_t budget = std::size_t{1} << std::min(top + 3, 18u);
  bytes cand(34);
  cand[0] = 0x12;
  cand[1] = 0x20;
  for (std::size_t i = 0; i < budget && missing > 0; ++i) {
    rng_.fill(std::span(cand).subspan(2));
    unsigned cpl = common_prefix_length(table_.self_key(), kad_key::of(cand));
    if (cpl <= top && !keys[cpl]) {
      keys[cpl] = cand;
      --missing;
    }
  }
  for (auto& k : keys)
    if (k)
      if (auto id = start(query_kind::refresh, std::move(*k), now)) step(*id, queries_.at(*id), now);
}

}  // namespace converge::kad
