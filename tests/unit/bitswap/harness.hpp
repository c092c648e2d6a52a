#pragma once
// Test harness for the Bitswap core: in-memory block providers, DAG builders
// and a tiny virtual-time network that wires engines back to back, with
// hooks to drop, corrupt or swallow messages.
#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "bitswap/engine.hpp"
#include "bitswap/errors.hpp"
#include "unixfs/dag_pb.hpp"
#include "unixfs/errors.hpp"
#include "unixfs/exporter.hpp"
#include "unixfs/importer.hpp"

namespace converge::bitswap::testing {

struct memory_provider final : block_provider {
  std::map<mf::cid, bytes> blocks;  // keyed by CID as given (tests keep one CID per block)
  [[nodiscard]] bool has(const mf::cid& id) const override { return blocks.contains(id); }
  result<bytes> get(const mf::cid& id) override {
    auto it = blocks.find(id);
    if (it == blocks.end()) return fail(bitswap_errc::not_found, id.to_string());
    return it->second;
  }
  [[nodiscard]] std::optional<std::size_t> size(const mf::cid& id) const override {
    auto it = blocks.find(id);
    if (it == blocks.end()) return std::nullopt;
    return it->second.size();
  }
};

inline bytes pattern(std::size_t n, unsigned seed = 1) {
  // splitmix64: no two 16 KiB chunks repeat, so every leaf is its own block.
  bytes b(n);
  std::uint64_t x = seed;
  for (std::size_t i = 0; i < n; i += 8) {
    std::uint64_t z = (x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    for (std::size_t k = 0; k < 8 && i + k < n; ++k) b[i + k] = static_cast<std::uint8_t>(z >> (8 * k));
  }
  return b;
}

struct dag {
  mf::cid root;
  std::map<mf::cid, bytes> blocks;
  bytes content;
};

inline dag make_dag(std::size_t size, std::size_t chunk = 16 * 1024, unixfs::import_options o = {}) {
  std::map<mf::cid, bytes> blocks;
  o.chunk_size = chunk;
  auto content = pattern(size);
  auto r = unixfs::import_bytes(content, o, [&](const mf::cid& c, bytes_view b) -> result<void> {
    blocks.emplace(c, bytes(b.begin(), b.end()));
    return ok();
  });
  return dag{r->cid, std::move(blocks), std::move(content)};
}

struct node {
  memory_provider store;
  std::unique_ptr<engine> eng;
  std::vector<event> events;  // every event seen (block payloads dropped to save memory)
  std::vector<std::pair<peer_key, std::string>> penalised;
  std::vector<session_id> done, failed;
  std::vector<mf::cid> need;
  std::uint64_t egress = 0;
  bool auto_ack = true;
  explicit node(engine_options o = {}) : eng(std::make_unique<engine>(store, unixfs::block_links, o)) {}
};

// Messages in flight arrive after `latency`; hooks may rewrite or drop them.
class net {
 public:
  manual_clock clock;
  duration latency = 1ms;
  std::vector<std::unique_ptr<node>> nodes;
  // Returns false to drop; may modify the payload.
  std::function<bool(std::size_t from, std::size_t to, bytes& payload)> hook;

  std::size_t add(engine_options o = {}) {
    nodes.push_back(std::make_unique<node>(o));
    return nodes.size() - 1;
  }
  void connect(std::size_t a, std::size_t b, protocol_version va = protocol_version::v1_2_0,
               protocol_version vb = protocol_version::v1_2_0) {
    (void)nodes[a]->eng->peer_connected(b, vb, clock.now());
    (void)nodes[b]->eng->peer_connected(a, va, clock.now());
  }
  void disconnect(std::size_t a, std::size_t b) {
    nodes[a]->eng->peer_disconnected(b, clock.now());
    nodes[b]->eng->peer_disconnected(a, clock.now());
  }

  // Runs until `until()` holds or nothing can happen any more; false on the latter.
  bool run(const std::function<bool()>& until, std::size_t max_steps = 2'000'000) {
    for (std::size_t step = 0; step < max_steps; ++step) {
      if (until()) return true;
      bool progress = pump();
      if (!inflight_.empty()) {
        auto first = inflight_.begin();
        if (!progress || first->first <= clock.now()) {
          clock.advance_to(first->first);
          auto [at, m] = *first;
          inflight_.erase(first);
          auto& to = *nodes[m.to];
          if (to.eng->connected(m.from)) to.eng->handle_message(m.from, m.payload, clock.now());
          continue;
        }
      }
      if (progress) continue;
      std::optional<instant> wake;
      for (auto& n : nodes)
        if (auto t = n->eng->poll_timeout(); t && (!wake || *t < *wake)) wake = t;
      if (!wake) return until();
      clock.advance_to(*wake);
      for (auto& n : nodes) n->eng->handle_timeout(clock.now());
    }
    return false;
  }

 private:
  struct msg {
    std::size_t from, to;
    bytes payload;
  };
  std::multimap<instant, msg> inflight_;

  bool pump() {
    bool progress = false;
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      auto& n = *nodes[i];
      while (auto e = n.eng->poll_event()) {
        progress = true;
        if (auto* b = std::get_if<events::block_received>(&*e)) {
          n.store.blocks.emplace(b->block.id, b->block.data);
          n.eng->block_added(b->block.id, clock.now());
          b->block.data.clear();
        } else if (auto* d = std::get_if<events::session_done>(&*e)) {
          n.done.push_back(d->session);
        } else if (auto* f = std::get_if<events::session_failed>(&*e)) {
          n.failed.push_back(f->session);
        } else if (auto* p = std::get_if<events::peer_penalised>(&*e)) {
          n.penalised.emplace_back(p->peer, p->reason);
          // The driver hangs up on a penalised peer.
          nodes[p->peer]->eng->peer_disconnected(i, clock.now());
        } else if (auto* np = std::get_if<events::need_providers>(&*e)) {
          n.need.push_back(np->cid);
        }
        n.events.push_back(std::move(*e));
      }
      while (auto out = n.eng->poll_transmit(clock.now())) {
        progress = true;
        n.egress += out->payload.size();
        if (n.auto_ack) n.eng->sent(out->peer, out->payload.size());
        bytes payload = std::move(out->payload);
        if (hook && !hook(i, out->peer, payload)) continue;
        inflight_.emplace(clock.now() + latency, msg{i, out->peer, std::move(payload)});
      }
    }
    return progress;
  }
};

inline void seed(node& n, const dag& d) {
  for (const auto& [c, b] : d.blocks) n.store.blocks.emplace(c, b);
}

inline bytes read_back(node& n, const mf::cid& root) {
  auto get = [&](const mf::cid& c) { return n.store.get(c); };
  return unixfs::read_file(root, get, std::uint64_t{1} << 32).value();
}

}  // namespace converge::bitswap::testing
