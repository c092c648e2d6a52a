#pragma once
// Adapter: a real gossip_router as a sim::node. Node i's peer ID is listed in
// a shared directory at index i, so the simulator's node indices and the
// router's peer IDs map both ways.
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/rng.hpp"
#include "crypto/keys.hpp"
#include "pubsub/router.hpp"
#include "sim/network.hpp"

namespace converge::sim::test {

struct directory {
  std::vector<crypto::peer_id> ids;
  std::unordered_map<crypto::peer_id, node_index> index;
  node_index add(const crypto::peer_id& id) {
    auto i = static_cast<node_index>(ids.size());
    ids.push_back(id);
    index.emplace(id, i);
    return i;
  }
};

class gossip_node final : public node {
 public:
  gossip_node(std::uint64_t seed, pubsub::router_options o, std::shared_ptr<directory> dir, instant now,
              std::string ip = {})
      : rng_(seed), dir_(std::move(dir)), ip_(std::move(ip)) {
    auto key = *crypto::private_key::generate(crypto::key_type::ed25519, rng_);
    router_ = std::make_unique<pubsub::gossip_router>(key, rng_, std::move(o), now);
    index_ = dir_->add(router_->local_peer());
  }

  void on_connect(node_index peer, bool outbound, instant now) override {
    (void)router_->add_peer(dir_->ids.at(peer), pubsub::protocol::meshsub_v12, outbound, now, ip_of(peer));
  }
  void on_disconnect(node_index peer, instant now) override { router_->remove_peer(dir_->ids.at(peer), now); }
  void on_message(node_index from, bytes payload, instant now) override {
    last_now_ = now;
    (void)router_->handle_rpc(dir_->ids.at(from), payload, now);
    take_events();
  }
  void on_timeout(instant now) override {
    last_now_ = now;
    // Async validations that are due (the app's verdicts arrive later than the messages).
    while (!validations_.empty() && validations_.front().due <= now) {
      auto v = std::move(validations_.front());
      validations_.erase(validations_.begin());
      (void)router_->report_validation(v.id, v.verdict, now);
    }
    router_->handle_timeout(now);
    if (spammer) {
      (void)router_->publish(topic, as_bytes("spam " + std::to_string(spam_sent++)), now);
    }
    take_events();
  }
  std::optional<instant> poll_timeout() override {
    auto t = router_->poll_timeout();
    if (!validations_.empty() && (!t || validations_.front().due < *t)) t = validations_.front().due;
    return t;
  }
  std::optional<std::pair<node_index, bytes>> poll_send() override {
    auto o = router_->poll_send();
    if (!o) return std::nullopt;
    return std::pair{dir_->index.at(o->peer), std::move(o->rpc)};
  }

  pubsub::gossip_router& router() { return *router_; }
  [[nodiscard]] node_index index() const { return index_; }
  // Times each message (by data) was delivered to the application, and when first.
  std::map<std::string, int> delivered;
  std::map<std::string, instant> first_delivered;
  std::vector<pubsub::px_event> px;
  std::string topic = "t";
  bool spammer = false;
  std::function<std::string(node_index)> ip_of_peer;
  // Set to validate asynchronously: the verdict for a message, given after `async_delay`.
  std::function<pubsub::validation_result(const pubsub::pb::Message&)> async_validator;
  duration async_delay = 50ms;

 private:
  std::string ip_of(node_index peer) const { return ip_of_peer ? ip_of_peer(peer) : std::string{}; }
  void take_events() {
    while (auto e = router_->poll_event()) {
      if (auto* v = std::get_if<pubsub::validation_request>(&*e); v && async_validator)
        validations_.push_back({v->id, async_validator(v->message), last_now_ + async_delay});
      if (auto* m = std::get_if<pubsub::message_event>(&*e)) {
        if (++delivered[m->message.data()] == 1) first_delivered[m->message.data()] = last_now_;
      }
      if (auto* p = std::get_if<pubsub::px_event>(&*e)) px.push_back(std::move(*p));
    }
  }
  deterministic_rng rng_;
  std::shared_ptr<directory> dir_;
  std::string ip_;
  std::unique_ptr<pubsub::gossip_router> router_;
  node_index index_ = 0;
  std::uint64_t spam_sent = 0;
  struct due_validation {
    pubsub::message_id id;
    pubsub::validation_result verdict;
    instant due;
  };
  std::vector<due_validation> validations_;  // in due order: one fixed delay
  instant last_now_{};
};

}  // namespace converge::sim::test
