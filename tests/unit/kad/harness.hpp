#pragma once
// Test helpers for the kad core: a toy "/v/" namespace whose values are
// "seq:<n>" (higher wins, anything else invalid), and a mesh that wires dht
// cores back to back with instant delivery, offline peers that never answer
// (their requests time out) and a per-node request log.
#include <charconv>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/clock.hpp"
#include "base/rng.hpp"
#include "crypto/keys.hpp"
#include "kad/dht.hpp"

namespace converge::kad::test {

class seq_validator final : public validator {
 public:
  static std::optional<std::uint64_t> seq_of(bytes_view v) {
    auto s = as_chars(v);
    if (s.substr(0, 4) != "seq:") return std::nullopt;
    std::uint64_t n = 0;
    auto r = std::from_chars(s.data() + 4, s.data() + s.size(), n);
    if (r.ec != std::errc{} || r.ptr != s.data() + s.size()) return std::nullopt;
    return n;
  }
  result<void> validate(bytes_view, bytes_view value, wall_time) const override {
    if (!seq_of(value)) return fail(kad_errc::invalid_record, "not seq:<n>");
    return ok();
  }
  std::size_t select(bytes_view, std::span<const bytes> values) const override {
    std::size_t best = 0;
    for (std::size_t i = 1; i < values.size(); ++i)
      if (*seq_of(values[i]) > *seq_of(values[best])) best = i;
    return best;
  }
  std::size_t max_value_size() const override { return 64; }
};

inline std::shared_ptr<validator_registry> test_registry() {
  auto reg = std::make_shared<validator_registry>();
  reg->add("v", std::make_shared<seq_validator>());
  reg->add("pk", std::make_shared<public_key_validator>());
  return reg;
}

inline crypto::peer_id make_peer(rng& r) {
  auto k = *crypto::private_key::generate(crypto::key_type::ed25519, r);
  return crypto::peer_id::from_public_key(k.public_key());
}

struct mesh {
  manual_clock clock;
  deterministic_rng rng{7};
  std::shared_ptr<validator_registry> reg = test_registry();
  struct member {
    std::unique_ptr<dht> core;
    std::shared_ptr<memory_record_store> store;
    bool online = true;
    std::vector<message_type> served;  // request types this node answered
  };
  std::map<crypto::peer_id, member> nodes;
  std::vector<crypto::peer_id> order;
  std::vector<std::pair<crypto::peer_id, query_done>> done;
  std::map<request_id, crypto::peer_id> unanswered;  // to offline peers: they time out

  crypto::peer_id add(dht_options o = {}) {
    auto id = make_peer(rng);
    auto store = std::make_shared<memory_record_store>(reg);
    auto core = std::make_unique<dht>(id, reg, store, clock, rng, o, clock.now());
    nodes.emplace(id, member{std::move(core), store, true, {}});
    order.push_back(id);
    return id;
  }
  dht& at(const crypto::peer_id& id) { return *nodes.at(id).core; }
  dht& at(std::size_t i) { return at(order.at(i)); }
  // a learns b as a server (as after identify).
  void introduce(const crypto::peer_id& a, const crypto::peer_id& b) {
    if (nodes.at(b).core->options().mode == mode::server) at(a).peer_connected(peer_info{b, {}, {}}, true, clock.now());
  }

  // Delivers every queued request until quiet.
  void pump() {
    for (bool busy = true; busy;) {
      busy = false;
      for (auto& id : order) {
        auto& m = nodes.at(id);
        while (auto req = m.core->poll_request()) {
          busy = true;
          auto target = nodes.find(req->peer.id);
          if (target == nodes.end() || !target->second.online) {
            if (req->expects_response) unanswered.emplace(req->id, id);
            continue;
          }
          if (auto msg = decode_message(req->message)) target->second.served.push_back(msg->type);
          auto resp = target->second.core->handle_request(id, req->message, clock.now());
          if (!req->expects_response) continue;
          if (resp && *resp) m.core->handle_response(req->id, **resp, clock.now());
          else m.core->handle_request_failed(req->id, clock.now());
        }
        while (auto e = m.core->poll_event()) done.emplace_back(id, std::get<query_done>(*e));
      }
    }
  }
  // Moves time to the earliest wake-up among online nodes (at most `limit` ahead) and fires it.
  void advance(duration limit) {
    instant until = clock.now() + limit;
    std::optional<instant> t;
    for (auto& [id, m] : nodes)
      if (m.online)
        if (auto w = m.core->poll_timeout(); w && (!t || *w < *t)) t = w;
    if (!t || *t > until) t = until;
    clock.advance_to(*t);
    for (auto& id : order)
      if (nodes.at(id).online) nodes.at(id).core->handle_timeout(clock.now());
    pump();
  }
  void run_for(duration d) {
    instant until = clock.now() + d;
    while (clock.now() < until) advance(until - clock.now());
  }
  std::optional<query_done> result_of(const crypto::peer_id& who, query_id q) {
    for (auto& [by, d] : done)
      if (by == who && d.id == q) return d;
    return std::nullopt;
  }
  // Runs until the query on node `who` finishes (bounded by virtual time).
  std::optional<query_done> wait(const crypto::peer_id& who, query_id q, duration limit = 5min) {
    pump();
    instant until = clock.now() + limit;
    while (!result_of(who, q) && clock.now() < until) advance(until - clock.now());
    return result_of(who, q);
  }
};

}  // namespace converge::kad::test
