#pragma once
// The DHT service: the node's Kademlia (src/kad/io driver over the node's
// host), its persistent record store, IPNS publishing/resolution and DNSLink.
//
// Configuration, config.json section "dht" (every field optional; an unknown
// field is an error naming it):
//   {"enabled": true, "mode": "server" | "client",
//    "dns_servers": ["ip:port", ...],   // DNSLink lookups; default: the system's resolv.conf
//    "dns_timeout_ms": 3000}             // per try (2 tries), 100..60000
//
// Files in <repo>/datastore: dht-records.db (the SQLite record store),
// ipns-sequences.db (highest IPNS sequence seen per name: rollback protection).
// Namespaces stored and served: /pk, /ipns, and /unimaker/version/<channel>
// for the channels config.json's "trust" section gives a root (verified with
// the trust layer's bundle check; without a root such values are refused).
//
// RPC commands:
//   dht/findpeer  {"peer"}                    -> {"id", "addrs": [...]}
//   dht/findprovs {"cid", "count"?}           -> [{"id", "addrs"}...]
//   dht/provide   {"cid"}                     -> {"peers": n}
//   dht/get       {"key"}                     -> {"key", "value_base64", "value"? (if text), "records"}
//   dht/put       {"key", "value"|"value_base64"} -> {"peers": n}
//      keys: "/ipns/<name>" and "/pk/<peer id>" are converted to their binary routing keys
//   name/publish  {"path", "lifetime_s"?, "ttl_s"?} -> {"name", "path", "sequence", "peers"}
//   name/resolve  {"name", "recursive"?}      -> {"path"}   name: k51..., /ipns/..., or a DNSLink domain
#include <memory>
#include <optional>

#include "dnslink/dnslink.hpp"
#include "ipns/validator.hpp"
#include "kad/io/driver.hpp"
#include "kad/release_validator.hpp"
#include "node/node.hpp"

namespace converge::node {

struct dht_service_config {
  kad::io::driver_config driver;
  dnslink::resolver_options dns;
};

class dht_service : public service {
 public:
  explicit dht_service(dht_service_config cfg) : cfg_(std::move(cfg)) {}
  [[nodiscard]] std::string_view name() const override { return "dht"; }
  result<void> start(node& n, rpc_registry& rpc) override;
  void stop() override;
  // Before start(): enables the /unimaker/version/<channel> namespace.
  void set_bundle_verifier(kad::bundle_verifier v) { verifier_ = std::move(v); }
  [[nodiscard]] const std::shared_ptr<kad::io::driver>& driver() const { return driver_; }
  [[nodiscard]] const dnslink::resolver_options& dns() const { return cfg_.dns; }

 private:
  dht_service_config cfg_;
  kad::bundle_verifier verifier_;
  std::shared_ptr<ipns::sequence_store> seen_;
  std::shared_ptr<kad::record_store> store_;
  std::shared_ptr<kad::io::driver> driver_;
};

[[nodiscard]] result<std::optional<dht_service_config>> dht_config(const nlohmann::json& section);
[[nodiscard]] result<void> add_dht_service(node& n);

// Resolves an IPNS name (k51..., /ipns/<name>) or a DNSLink domain to its
// path, following /ipns/ links up to dnslink::max_depth hops. DNSLink lookups
// (c-ares, blocking up to the resolver's timeout) run on a DNS thread of their
// own; the caller's thread keeps serving and the coroutine resumes on it.
p2p::io::task<result<std::string>> resolve_name(std::shared_ptr<kad::io::driver> d, std::string name,
                                                dnslink::resolver_options dns = {});

}  // namespace converge::node
