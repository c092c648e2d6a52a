#pragma once
// Adapter: a kad::dht core as a sim::node. A simulated payload is one kad
// request or response: [kind: 0 request, 1 response, 2 refused][u64 request
// ID, big-endian][Message]. Node i's peer ID sits at index i of a shared
// directory. Connections in the simulator mean "can dial"; the core learns
// peers through peer_connected() (bootstrap, and inbound requests from
// servers, as identify would report) and through its own lookups.
#include <map>
#include <memory>
#include <unordered_map>
#include <vector>

#include "harness.hpp"
#include "sim/network.hpp"

namespace converge::kad::test {

struct directory {
  std::vector<crypto::peer_id> ids;
  std::unordered_map<crypto::peer_id, sim::node_index> index;
  std::vector<bool> server;  // what identify would tell: the node speaks /ipfs/kad/1.0.0
};

class kad_sim_node final : public sim::node {
 public:
  kad_sim_node(std::uint64_t seed, std::shared_ptr<directory> dir, const clock& wall, dht_options o, instant now)
      : rng_(seed), dir_(std::move(dir)) {
    auto id = make_peer(rng_);
    auto reg = test_registry();
    store_ = std::make_shared<memory_record_store>(reg);
    core_ = std::make_unique<dht>(id, reg, store_, wall, rng_, o, now);
    index_ = static_cast<sim::node_index>(dir_->ids.size());
    dir_->ids.push_back(id);
    dir_->server.push_back(o.mode == mode::server);
    dir_->index.emplace(id, index_);
  }

  void on_connect(sim::node_index, bool, instant) override {}
  void on_disconnect(sim::node_index, instant) override {}
  void on_message(sim::node_index from, bytes payload, instant now) override {
    if (payload.size() < 9) return;
    std::uint64_t id = 0;
    for (int i = 1; i <= 8; ++i) id = (id << 8) | payload[static_cast<std::size_t>(i)];
    bytes_view body = bytes_view(payload).subspan(9);
    if (payload[0] == 0) {
      // An inbound stream: the driver has identified the peer by now.
      core_->peer_connected(peer_info{dir_->ids.at(from), {}, {}}, dir_->server.at(from), now);
      auto resp = core_->handle_request(dir_->ids.at(from), body, now);
      if (resp && !*resp) return;  // no answer expected
      out_.emplace_back(from, frame(resp ? 1 : 2, id, resp ? bytes_view(**resp) : bytes_view{}));
    } else if (payload[0] == 1) {
      core_->handle_response(id, body, now);
    } else {
      core_->handle_request_failed(id, now);
    }
    collect();
  }
  void on_timeout(instant now) override {
    core_->handle_timeout(now);
    collect();
  }
  std::optional<instant> poll_timeout() override { return core_->poll_timeout(); }
  std::optional<std::pair<sim::node_index, bytes>> poll_send() override {
    collect();
    if (out_.empty()) return std::nullopt;
    auto o = std::move(out_.front());
    out_.erase(out_.begin());
    return o;
  }

  dht& core() { return *core_; }
  memory_record_store& store() { return *store_; }
  [[nodiscard]] sim::node_index index() const { return index_; }
  [[nodiscard]] const crypto::peer_id& id() const { return dir_->ids.at(index_); }
  std::map<query_id, query_done> done;

 private:
  static bytes frame(std::uint8_t kind, std::uint64_t id, bytes_view body) {
    bytes out{kind};
    for (int i = 7; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(id >> (8 * i)));
    append(out, body);
    return out;
  }
  void collect() {
    while (auto r = core_->poll_request()) {
      auto to = dir_->index.find(r->peer.id);
      if (to == dir_->index.end()) {
        core_->handle_request_failed(r->id, instant{});
        continue;
      }
      out_.emplace_back(to->second, frame(0, r->id, r->message));
    }
    while (auto e = core_->poll_event()) {
      auto d = std::get<query_done>(std::move(*e));
      done.emplace(d.id, std::move(d));
    }
  }

  deterministic_rng rng_;
  std::shared_ptr<directory> dir_;
  std::shared_ptr<memory_record_store> store_;
  std::unique_ptr<dht> core_;
  sim::node_index index_ = 0;
  std::vector<std::pair<sim::node_index, bytes>> out_;
};

}  // namespace converge::kad::test
