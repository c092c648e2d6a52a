#pragma once
// The limits configuration: every limit of the resource manager, connection
// manager, gater and bandwidth manager, read from JSON (the "limits" object of
// a node's configuration; docs/LIMITS.md lists every field and its default).
//
// parse_limits_config() starts from default_limits() and overlays what the
// text sets, so a config names only what it changes. Validation is complete
// and strict: unknown fields are errors (a typo must not silently keep a
// default), and every error is invalid_config with a detail that starts with
// the field's path: "limits.peer.streams_inbound: must be a positive integer
// or \"unlimited\"". Input is bounded (max_config_text bytes, nesting depth
// max_config_depth, max_config_overrides entries per map).
#include <string>
#include <string_view>
#include <vector>

#include "crypto/peer_id.hpp"
#include "p2p/limits/bandwidth_manager.hpp"
#include "p2p/limits/cidr.hpp"
#include "p2p/limits/connection_manager.hpp"
#include "p2p/limits/gater.hpp"
#include "p2p/limits/resource_manager.hpp"

namespace converge::p2p::limits {

inline constexpr std::size_t max_config_text = 1 << 20;
inline constexpr std::size_t max_config_depth = 16;
inline constexpr std::size_t max_config_overrides = 1024;
inline constexpr std::size_t max_protocol_name = 1024;
// Durations in the config are milliseconds up to one day.
inline constexpr std::uint64_t max_config_millis = 86'400'000;

struct gater_rules {
  std::vector<crypto::peer_id> allow_peers;
  std::vector<crypto::peer_id> deny_peers;
  std::vector<cidr> allow_cidrs;
  std::vector<cidr> deny_cidrs;
  friend bool operator==(const gater_rules&, const gater_rules&) = default;
};

struct limits_config {
  resource_limits resources;
  connmgr_config connmgr;
  gater_rules gater;
  bandwidth_config bandwidth;

  // A gater holding these rules (the lists are already bounded by validation).
  [[nodiscard]] connection_gater make_gater() const;
  friend bool operator==(const limits_config&, const limits_config&) = default;
};

// The defaults documented in docs/LIMITS.md: sized for a phone or a small
// server taking part in update distribution.
[[nodiscard]] limits_config default_limits();

// `json_text` is the limits object itself: {"peer": {"streams_inbound": 64}, ...}.
[[nodiscard]] result<limits_config> parse_limits_config(std::string_view json_text);

// The whole configuration as JSON text (every field, "unlimited" where unlimited);
// parse_limits_config(to_json(c)) == c.
[[nodiscard]] std::string to_json(const limits_config& c);

}  // namespace converge::p2p::limits
