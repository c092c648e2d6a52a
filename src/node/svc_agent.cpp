// The update agent's service glue: start-up, RPC commands and the action
// pump. Hearing (gossip, polling) is in svc_agent_hear.cpp; fetching, staging
// and installing in svc_agent_do.cpp.
#include "node/svc_agent.hpp"

#include <boost/asio/post.hpp>

#include "agent/installer_config.hpp"
#include "node/services.hpp"
#include "node/svc_blocks.hpp"
#include "node/svc_dht.hpp"
#include "node/svc_pubsub.hpp"

namespace converge::node {
namespace io = p2p::io;
using nlohmann::json;

result<void> add_agent_service(node& n) {
  // No "update" section: no agent (config::service answers {} for an absent section).
  if (!n.config().services.contains("update")) return ok();
  const auto section = n.config().service("update");
  auto cfg = agent::parse_agent_config(section, n.repository().dir());
  if (!cfg) return std::unexpected(cfg.error());
  n.add_service(std::make_shared<agent_service>(std::move(*cfg)));
  return ok();
}

agent_service::~agent_service() {
  if (worker_) worker_->join();
}

result<void> agent_service::start(node& n, rpc_registry& rpc) {
  node_ = &n;
  auto pubsub = n.find_service<pubsub_service>("pubsub");
  auto blocks = n.find_service<blocks_service>("blocks");
  if (!pubsub || !pubsub->driver())
    return fail(node_errc::invalid_config, "config.update: the update agent needs pubsub (config.pubsub.enabled)");
  if (!blocks || !blocks->bitswap())
    return fail(node_errc::invalid_config, "config.update: the update agent needs blocks (config.blocks.enabled)");
  pubsub_ = pubsub->driver();
  bitswap_ = blocks->bitswap();
  store_ = blocks->store();
  {
    // The device's caps (config.update) apply to all of the node's Bitswap
    // traffic: what it serves to others and what its sessions fetch.
    const auto now = std::chrono::steady_clock::now();
    if (cfg_.upload_bytes_per_day > 0)
      bitswap_->core().set_upload_budget(
          {std::max<std::uint64_t>(1, cfg_.upload_bytes_per_day / 86400), cfg_.upload_bytes_per_day}, now);
    if (cfg_.download_bytes_per_second > 0)
      bitswap_->core().set_download_limit({cfg_.download_bytes_per_second, cfg_.download_bytes_per_second}, now);
  }
  if (auto dht = n.find_service<dht_service>("dht")) {  // optional: no IPNS/DHT polling without it
    dht_ = dht->driver();
    dns_ = dht->dns();
  }

  auto roots = load_trusted_roots(n.config(), n.repository().dir());
  if (!roots) return std::unexpected(roots.error());
  roots_ = std::make_shared<const trusted_roots>(std::move(*roots));
  const auto root_text = roots_->find(cfg_.channel);
  if (root_text == roots_->end()) return fail(node_errc::invalid_config, "config.update.root: not loaded");

  const auto base = n.repository().datastore();
  const auto trust_dir = base / "trust", agent_dir = base / "agent";
  staging_ = agent_dir / "staging";
  packages_ = agent_dir / "packages";
  std::error_code ec;
  for (const auto& d : {trust_dir, staging_, packages_}) {
    std::filesystem::create_directories(d, ec);
    if (ec) return fail(node_errc::invalid_config, "creating " + d.string() + ": " + ec.message());
  }
  trust_fs_ = std::make_unique<trust::directory_fs>(trust_dir.string());
  auto client = trust::release_client::open(root_text->second, *trust_fs_, cfg_.device());
  if (!client) return fail(with_context(client.error(), "update agent trusted state"));
  client_.emplace(std::move(*client));

  auto inst = agent::make_installer(cfg_.installer, n.repository().dir());
  if (!inst) return std::unexpected(inst.error());
  installer_ = std::move(*inst);
  auto db = agent::store::open(agent_dir / "agent.db");
  if (!db) return std::unexpected(db.error());
  auto core = agent::core::open(cfg_, std::move(*db), rng_, std::chrono::system_clock::now());
  if (!core) return std::unexpected(core.error());
  core_.emplace(std::move(*core));
  worker_ = std::make_unique<boost::asio::thread_pool>(1);
  timer_.emplace(n.executor());

  std::weak_ptr<agent_service> weak = shared_from_this();
  pubsub_->set_validator(cfg_.topic, [weak](const crypto::peer_id&, const pubsub::pb::Message& m) {
    auto self = weak.lock();
    return self ? self->validate(m) : pubsub::validator_verdict::ignore;
  });

  rpc.add("update/status", [weak](rpc_call) -> io::task<rpc_result> {
    auto self = weak.lock();
    if (!self) co_return fail(node_errc::rpc_failed, "the update agent stopped");
    co_return self->status();
  });
  rpc.add("update/check", [weak](rpc_call) -> io::task<rpc_result> {
    auto self = weak.lock();
    if (!self) co_return fail(node_errc::rpc_failed, "the update agent stopped");
    auto heard = co_await poll_once(self);
    co_return json{{"heard", heard}};
  });
  rpc.add("update/conditions", [weak](rpc_call c) -> io::task<rpc_result> {
    auto self = weak.lock();
    if (!self) co_return fail(node_errc::rpc_failed, "the update agent stopped");
    agent::conditions cond;
    for (const auto& [k, v] : c.args.items()) {
      if (k == "online" || k == "metered" || k == "charging") {
        if (!v.is_boolean()) co_return fail(node_errc::bad_request, "argument '" + k + "': must be true or false");
        (k == "online" ? cond.online : k == "metered" ? cond.metered : cond.charging) = v.get<bool>();
      } else if (k == "battery_percent") {
        if (!v.is_number_integer() || v.get<int>() < 0 || v.get<int>() > 100)
          co_return fail(node_errc::bad_request, "argument 'battery_percent': must be 0..100");
        cond.battery_percent = v.get<int>();
      } else {
        co_return fail(node_errc::bad_request, "argument '" + k + "': unknown (online, metered, charging, battery_percent)");
      }
    }
    self->core_->on_conditions(cond, std::chrono::system_clock::now());
    self->pump();
    co_return self->status();
  });

  auto self = shared_from_this();
  io::asio::co_spawn(n.executor(), gossip_loop(self), io::asio::detached);
  io::asio::co_spawn(n.executor(), poll_loop(self), io::asio::detached);
  io::asio::co_spawn(n.executor(), timer_loop(self), io::asio::detached);
  check_installed_revoked();
  pump();  // actions of a resumed attempt
  return ok();
}

void agent_service::stop() {
  stopped_ = true;
  if (timer_) timer_->cancel();
  if (worker_) worker_->join();
}

json agent_service::status() const {
  json s = core_->status();
  s["topic"] = cfg_.topic;
  s["peers"] = pubsub_ ? pubsub_->peers(cfg_.topic).size() : 0;
  return s;
}

void agent_service::pump() {
  if (stopped_) return;
  // Carrying out an action can queue the next one at once (verify -> fetch):
  // keep taking actions until none are left, so none waits for an unrelated event.
  for (auto actions = core_->take_actions(); !actions.empty() && !stopped_; actions = core_->take_actions()) {
    for (auto& a : actions) {
      std::visit(
          [this](auto& act) {
            using T = std::decay_t<decltype(act)>;
            if constexpr (std::is_same_v<T, agent::verify_action>) verify(act);
            else if constexpr (std::is_same_v<T, agent::fetch_action>) {
              cancelled_.erase(act.release_hash);
              io::asio::co_spawn(node_->executor(), fetch(shared_from_this(), std::move(act)), io::asio::detached);
            } else if constexpr (std::is_same_v<T, agent::stage_action>) stage(std::move(act));
            else if constexpr (std::is_same_v<T, agent::install_action>) install(std::move(act));
            else if constexpr (std::is_same_v<T, agent::recover_action>) recover(std::move(act));
            else if constexpr (std::is_same_v<T, agent::cancel_fetch_action>) cancelled_.insert(act.release_hash);
          },
          a);
    }
  }
  // Wake for the core's next timer (retry, rollout step, window), at most a minute away.
  const auto now = std::chrono::system_clock::now();
  auto at = now + std::chrono::minutes(1);
  if (auto w = core_->next_wakeup(); w && *w < at) at = *w;
  timer_->expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::max(at - now, wall_time::duration{})));
}

io::task<void> agent_service::timer_loop(std::shared_ptr<agent_service> self) {
  while (!self->stopped_) {
    auto [ec] = co_await self->timer_->async_wait(io::use_tuple);
    if (self->stopped_) break;
    if (ec == io::asio::error::operation_aborted) continue;  // re-armed by pump()
    self->core_->tick(std::chrono::system_clock::now());
    self->pump();
  }
}

void agent_service::install(agent::install_action a) {
  agent::install_request req;
  req.release_hash = a.release_hash;
  req.channel = a.channel;
  req.semver = a.semver;
  req.sequence = a.sequence;
  req.package_path = a.package_path;
  req.sha256_hex = to_hex(a.target.sha256);
  req.target_path = a.target.path;
  req.os = a.target.platform.os;
  req.arch = a.target.platform.arch;
  auto* inst = installer_.get();
  on_worker([inst, req] { return inst->install(req); },
            [this, hash = a.release_hash](result<agent::install_report> r) { report_install(hash, r); });
}

void agent_service::recover(agent::recover_action a) {
  auto* inst = installer_.get();
  on_worker([inst, hash = a.release_hash] { return inst->status(hash); },
            [this, hash = a.release_hash](result<agent::install_report> r) { report_install(hash, r); });
}

void agent_service::report_install(const std::string& hash, const result<agent::install_report>& r) {
  agent::install_result out;
  if (!r) {
    out.outcome = agent::install_result::failed;  // the installer could not work: retry later
    out.message = r.error().message();
  } else {
    out.outcome = r->state == agent::install_report::installed ? agent::install_result::installed
                  : r->state == agent::install_report::pending ? agent::install_result::pending
                                                               : agent::install_result::failed;
    out.permanent = r->permanent;
    out.rolled_back = r->rolled_back;
    out.message = r->message;
  }
  core_->on_install_result(hash, out, std::chrono::system_clock::now());
}

}  // namespace converge::node
