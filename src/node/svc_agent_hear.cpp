// The update agent hears of releases: the gossip topic (with its validator),
// IPNS/DNSLink names and the DHT fallback key; and verifies what it heard.
#include <chrono>

#include "base/log.hpp"
#include "kad/release_validator.hpp"
#include "multiformats/cid.hpp"
#include "node/svc_agent.hpp"
#include "node/svc_blocks.hpp"
#include "node/svc_dht.hpp"
#include "trust/bundle.hpp"
#include "trust/bundle_check.hpp"
#include "unixfs/exporter.hpp"

namespace converge::node {
namespace io = p2p::io;

namespace {
wall_time now() { return std::chrono::system_clock::now(); }
}  // namespace

pubsub::validator_verdict agent_service::validate(const pubsub::pb::Message& m) {
  using v = pubsub::validator_verdict;
  const bytes_view data = as_bytes(std::string_view(m.data()));
  auto b = trust::parse_bundle(data);
  if (!b) return v::reject;
  auto root = roots_->find(b->channel);
  if (root == roots_->end()) return v::ignore;  // a channel this node cannot judge
  // The device's current root (after rotations) for its own channel.
  const std::string& anchor = b->channel == cfg_.channel ? client_->state().root : root->second;
  auto c = trust::check_bundle(anchor, data, now());
  if (!c) return c.error().code == make_error_code(trust::trust_errc::expired) ? v::ignore : v::reject;
  if (auto it = client_->state().channels.find(b->channel); it != client_->state().channels.end()) {
    if (c->rel.sequence < it->second.sequence) return v::ignore;  // stale, not forged
    if (auto h = it->second.history.find(c->rel.sequence); h != it->second.history.end() && h->second != c->release_hash)
      return v::reject;  // equivocation: two releases with one sequence
  }
  return v::accept;
}

void agent_service::announce(bytes bundle, agent::heard_via via) {
  if (stopped_) return;
  core_->on_announce(std::move(bundle), via, now());
  pump();
}

void agent_service::verify(const agent::verify_action& a) {
  auto t = now();
  auto out = client_->verify_bundle(a.bundle, t);
  for (const auto& e : client_->take_equivocations())
    log(log_level::warn, "update", "equivocation on channel " + e.channel + " sequence " + std::to_string(e.sequence) + ": " +
              e.trusted_hash + " vs " + e.conflicting_hash);
  if (!out) {
    core_->on_rejected(out.error().message(), a.via, t);
    return;
  }
  agent::verified_release v;
  v.rel = out->rel;
  const auto& cs = client_->state().channels.at(cfg_.channel);
  v.release_hash = cs.release_hash;  // the trusted release (a cache hit returns it too)
  if (auto mine = trust::artifacts_for(v.rel, cfg_.device()))
    for (const auto* art : *mine) v.for_device.push_back(*art);
  core_->on_verified(v, a.via, t);
  check_installed_revoked();
}

void agent_service::check_installed_revoked() {
  const auto& inst = core_->installed();
  if (!inst) return;
  auto why = client_->installed_reason(inst->sequence, inst->semver, inst->cid);
  if (!why.empty()) core_->on_installed_revoked(why, now());
}

io::task<void> agent_service::gossip_loop(std::shared_ptr<agent_service> self) {
  auto sub = self->pubsub_->subscribe(self->cfg_.topic);
  if (!sub) {
    log(log_level::error, "update", "subscribing to " + self->cfg_.topic + ": " + sub.error().message());
    co_return;
  }
  auto handle = *sub;
  while (!self->stopped_) {
    auto m = co_await handle->next();
    if (!m) break;
    const std::string& d = m->message.data();
    self->announce(bytes(d.begin(), d.end()), agent::heard_via::gossip);
  }
}

io::task<std::size_t> agent_service::poll_once(std::shared_ptr<agent_service> self) {
  std::size_t heard = 0;
  if (!self->dht_) co_return heard;
  for (const auto& name : self->cfg_.ipns) {
    auto path = co_await resolve_name(self->dht_, name, self->dns_);
    if (!path) {
      log(log_level::info, "update", "resolving " + name + ": " + path.error().message());
      continue;
    }
    if (!path->starts_with("/ipfs/")) continue;
    auto cid = mf::cid::parse(std::string_view(*path).substr(6, path->find('/', 6) == std::string::npos ? std::string::npos : path->find('/', 6) - 6));
    if (!cid) continue;
    auto got = co_await fetch_dag(self->node_->host(), self->bitswap_, *cid);
    if (!got) {
      log(log_level::info, "update", "fetching " + *path + ": " + got.error().message());
      continue;
    }
    auto* store = self->store_;
    auto data = unixfs::read_file(*cid, [store](const mf::cid& c) { return store->get(c); }, std::size_t{1} << 20);
    if (!data) continue;
    ++heard;
    self->announce(std::move(*data), name.find('.') != std::string::npos ? agent::heard_via::dnslink : agent::heard_via::ipns);
  }
  auto key = kad::release_key(self->cfg_.channel);
  if (key) {
    auto r = co_await self->dht_->get_value(*key, 1);
    if (r && !r->failure && r->value) {
      ++heard;
      self->announce(std::move(*r->value), agent::heard_via::dht);
    }
  }
  co_return heard;
}

io::task<void> agent_service::poll_loop(std::shared_ptr<agent_service> self) {
  io::asio::steady_timer t(co_await io::asio::this_coro::executor);
  // A first look soon after start-up, once bootstrap connections had a moment.
  t.expires_after(std::chrono::seconds(2));
  while (!self->stopped_) {
    auto [ec] = co_await t.async_wait(io::use_tuple);
    if (ec || self->stopped_) break;
    (void)co_await poll_once(self);
    t.expires_after(self->cfg_.poll_interval);
  }
}

}  // namespace converge::node
