#pragma once
// A node's configuration: <repo>/config.json.
//
//   {
//     "identity":  {"peer_id": "12D3Koo...", "key_file": "identity.key"},
//     "addresses": {"swarm": ["/ip4/0.0.0.0/tcp/4001"], "api": "/ip4/127.0.0.1/tcp/5001",
//                   "announce": []},
//     "bootstrap": [],                      // multiaddrs ending in /p2p/<id>; empty by default
//     "limits":    {...},                   // docs/LIMITS.md; absent fields keep their defaults
//     "<service>": {...}                    // one object per service (pubsub, dht, ...)
//   }
//
// Validation is strict: an unknown top-level field is an error (a typo must
// not silently keep a default), and every error names the field's path:
// "config.addresses.api: must be a loopback address (the RPC API never
// listens beyond this machine)". Service sections are kept as JSON for their
// services to validate when they start.
//
// Defaults dial nothing: the bootstrap list is empty and there is no mDNS or
// UPnP; a node meets peers only through addresses it is given.
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "crypto/peer_id.hpp"
#include "multiformats/multiaddr.hpp"
#include "node/errors.hpp"
#include "p2p/limits/config.hpp"

namespace converge::node {

inline constexpr std::size_t max_config_text = 1 << 20;
inline constexpr std::size_t max_config_addrs = 64;

// Top-level sections that belong to services (validated by them).
inline constexpr std::string_view service_sections[] = {"pubsub", "dht",     "ipns", "blocks", "bitswap",
                                                         "gateway", "trust", "update", "metrics"};

struct node_config {
  explicit node_config(crypto::peer_id id) : peer_id(std::move(id)) {}

  crypto::peer_id peer_id;
  std::string key_file = "identity.key";  // relative to the repository
  std::vector<mf::multiaddr> swarm;
  mf::multiaddr api;
  std::vector<mf::multiaddr> announce;
  std::vector<mf::multiaddr> bootstrap;
  p2p::limits::limits_config limits;
  std::map<std::string, nlohmann::json> services;  // section name -> object

  // The section of a service, or an empty object.
  [[nodiscard]] nlohmann::json service(std::string_view name) const;
};

// Defaults for a new node with identity `id`: swarm on every interface, port
// 4001; API on 127.0.0.1:5001; no bootstrap peers; default limits.
[[nodiscard]] node_config default_config(const crypto::peer_id& id);

[[nodiscard]] result<node_config> parse_config(std::string_view json_text);
// Pretty JSON text; parse_config(to_json_text(c)) gives c back.
[[nodiscard]] std::string to_json_text(const node_config& c);

// Whether `addr` is /ip4/127.x.x.x/tcp/N or /ip6/::1/tcp/N.
[[nodiscard]] bool is_loopback_tcp(const mf::multiaddr& addr);

}  // namespace converge::node
