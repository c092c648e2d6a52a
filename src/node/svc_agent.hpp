#pragma once
// The update agent's driver: runs agent::core (src/agent) beside the node
// when config.json has an "update" section, and carries out its actions with
// the node's other services.
//
// Hearing of a release (each bundle goes to core::on_announce with how it came):
//   gossip  the topic (default unimaker/mobile/version). A validator checks
//           every bundle against the trusted roots (trust::check_bundle) before
//           the router forwards it: invalid -> reject (counts against the
//           sender), older than the trusted release or another channel without
//           a trusted root -> ignore, else accept.
//   ipns / dnslink  every name in update.ipns, at start-up and every
//           poll_interval: resolved to /ipfs/<cid>, fetched by Bitswap.
//   dht     the channel's fallback key /unimaker/version/<channel>, same period.
// Verifying: trust::release_client over <repo>/datastore/trust (the device's
// trusted state); after each verification an installed release that the
// trusted revocation list names is reported to the core.
// Fetching: Bitswap sessions into the block store (blocks already held are
// not fetched again, so a restarted download fetches only what it lacks),
// then the UnixFS file is exported to <repo>/datastore/agent/staging.
// Staging (worker thread): the delta applied to the installed package, or the
// full file checked; length and sha256 against the release; the package kept
// in <repo>/datastore/agent/packages/<sha256> (the next delta's base).
// Installing (worker thread): the configured installer (agent/installer.hpp).
//
// RPC commands:
//   update/status      {}  -> core status + {"peers", "topic"}
//   update/check       {}  -> polls IPNS/DNSLink names and the DHT key now -> {"heard": n}
//   update/conditions  {"online"?, "metered"?, "charging"?, "battery_percent"?}
//                      the platform's inputs for the network and battery policies
#include <memory>
#include <optional>
#include <set>
#include <string>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include "agent/config.hpp"
#include "agent/core.hpp"
#include "agent/installer.hpp"
#include "base/rng.hpp"
#include "bitswap/io/service.hpp"
#include "dnslink/dnslink.hpp"
#include "kad/io/driver.hpp"
#include "node/node.hpp"
#include "pubsub/io/driver.hpp"
#include "node/trust_roots.hpp"
#include "trust/release_client.hpp"


namespace converge::node {

class agent_service : public service, public std::enable_shared_from_this<agent_service> {
 public:
  explicit agent_service(agent::agent_config cfg) : cfg_(std::move(cfg)) {}
  ~agent_service() override;
  [[nodiscard]] std::string_view name() const override { return "update"; }
  result<void> start(node& n, rpc_registry& rpc) override;
  void stop() override;

 private:
  using task_void = p2p::io::task<void>;
  // Hearing.
  static task_void gossip_loop(std::shared_ptr<agent_service> self);
  static task_void poll_loop(std::shared_ptr<agent_service> self);
  static p2p::io::task<std::size_t> poll_once(std::shared_ptr<agent_service> self);
  static task_void timer_loop(std::shared_ptr<agent_service> self);
  pubsub::validator_verdict validate(const pubsub::pb::Message& m);
  // Doing: take the core's actions and carry each out.
  void pump();
  void verify(const agent::verify_action& a);
  static task_void fetch(std::shared_ptr<agent_service> self, agent::fetch_action a);
  void stage(agent::stage_action a);
  void install(agent::install_action a);
  void recover(agent::recover_action a);
  void report_install(const std::string& release_hash, const result<agent::install_report>& r);
  void announce(bytes bundle, agent::heard_via via);
  void check_installed_revoked();
  nlohmann::json status() const;
  // Runs work on the worker thread, then done(result) on the node's executor.
  template <class Work, class Done>
  void on_worker(Work work, Done done);

  agent::agent_config cfg_;
  node* node_ = nullptr;
  std::shared_ptr<const trusted_roots> roots_;
  std::unique_ptr<trust::directory_fs> trust_fs_;
  std::optional<trust::release_client> client_;
  system_rng rng_;
  std::optional<agent::core> core_;
  std::unique_ptr<agent::installer> installer_;
  std::shared_ptr<pubsub::io::driver> pubsub_;
  std::shared_ptr<kad::io::driver> dht_;
  dnslink::resolver_options dns_;  // the DHT service's, for DNSLink names
  std::shared_ptr<bitswap::service> bitswap_;
  blocks::blockstore* store_ = nullptr;
  std::filesystem::path staging_, packages_;
  std::unique_ptr<boost::asio::thread_pool> worker_;
  std::optional<p2p::io::asio::steady_timer> timer_;
  std::set<std::string> cancelled_;  // release hashes whose fetch was cancelled
  bool stopped_ = false;
};

template <class Work, class Done>
inline void agent_service::on_worker(Work work, Done done) {
  auto self = shared_from_this();
  auto ex = node_->executor();
  boost::asio::post(*worker_, [self, ex, work = std::move(work), done = std::move(done)]() mutable {
    auto r = work();
    boost::asio::post(ex, [self, r = std::move(r), done = std::move(done)]() mutable {
      if (!self->stopped_) {
        done(std::move(r));
        self->pump();
      }
    });
  });
}

[[nodiscard]] result<void> add_agent_service(node& n);

}  // namespace converge::node
