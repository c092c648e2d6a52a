#pragma once
// The roots a node trusts, per channel, for relaying releases it does not
// install: the DHT's /unimaker/version/<channel> records and (later) gossip
// validation on nodes that only relay.
//
// Configuration, config.json section "trust" (optional):
//   {"channels": {"stable": {"root": "roots/stable.json"}, ...}}
// plus the update agent's own channel: "update": {"channel": C, "root": P}.
// Relative paths are against the repository. Each root file is read once at
// start; a missing or unreadable file is an error naming the field.
#include <map>
#include <memory>
#include <string>

#include "kad/release_validator.hpp"
#include "node/config.hpp"

namespace converge::node {

// channel -> root document text.
using trusted_roots = std::map<std::string, std::string>;

[[nodiscard]] result<trusted_roots> load_trusted_roots(const node_config& cfg, const std::filesystem::path& repo_dir);

// A kad bundle verifier over these roots (trust::check_bundle); nullptr-like
// (empty function) when no channel is trusted.
[[nodiscard]] kad::bundle_verifier make_bundle_verifier(std::shared_ptr<const trusted_roots> roots);

}  // namespace converge::node
