#pragma once
// TUF 1.0 metadata: the four top-level roles, parsed strictly.
//
// Each parser takes the signed envelope's text, checks every field the spec
// defines (types, ranges, required members) and fails with
// trust_errc::invalid_metadata and the field path ("root.roles.targets.
// threshold: must be a positive integer"). Unrecognised fields are kept in
// signed_json (they are covered by the signature) and otherwise ignored, as
// the spec requires. Parsing does NOT check signatures, expiry or versions
// against trusted state: that is the client workflow's job, using
// verify_threshold with the keys from a trusted root.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "trust/canonical_json.hpp"
#include "trust/tuf_signing.hpp"

namespace converge::trust::tuf {

struct metadata_limits {
  json_limits json;
  std::size_t max_keys = 256;         // keys in root or in a delegation
  std::size_t max_keyids = 256;       // keyids per role
  std::size_t max_targets = 100000;   // entries in targets.targets
  std::size_t max_meta = 10000;       // entries in snapshot.meta
  std::size_t max_delegations = 256;  // delegated roles
};

// Fields every role has.
struct common_fields {
  std::string spec_version;  // "1.<minor>[.<patch>]"
  std::uint64_t version = 0; // >= 1
  std::int64_t expires = 0;  // Unix seconds, from "YYYY-MM-DDTHH:MM:SSZ"
};

using hash_map = std::map<std::string, bytes>;  // algorithm -> digest

// Where root carries converge's revocation role ({"keyids", "threshold"}):
// a field of root's signed part beside "roles", so TUF tooling reads the root.
inline constexpr const char* revocation_role_field = "x-converge-revocation";

struct root_metadata {
  common_fields common;
  bool consistent_snapshot = false;
  std::map<std::string, public_key> keys;   // keyid -> key (keyid verified = sha256 of the key)
  std::map<std::string, role_keys> roles;   // has root, targets, snapshot and timestamp; optionally revocation
};

struct target_file {
  std::uint64_t length = 0;
  hash_map hashes;                // at least one
  nlohmann::json custom;          // null when absent
};

struct delegated_role {
  std::string name;
  role_keys keys;
  bool terminating = false;
  std::vector<std::string> paths;              // exactly one of paths ...
  std::vector<std::string> path_hash_prefixes; // ... and path_hash_prefixes is present
  bool uses_hash_prefixes = false;
};

struct delegation_set {
  std::map<std::string, public_key> keys;
  std::vector<delegated_role> roles;  // in priority order
};

struct targets_metadata {
  common_fields common;
  std::map<std::string, target_file> targets;
  std::optional<delegation_set> delegations;
};

struct meta_file {
  std::uint64_t version = 0;
  std::optional<std::uint64_t> length;
  hash_map hashes;  // empty when absent
};

struct snapshot_metadata {
  common_fields common;
  std::map<std::string, meta_file> meta;  // "<role>.json" -> info
};

struct timestamp_metadata {
  common_fields common;
  meta_file snapshot;  // meta["snapshot.json"], the only entry allowed
};

// A parsed document: the typed role, the envelope it came in (signatures and
// the signed JSON, whose canonical form the signatures cover).
template <class Role>
struct signed_metadata {
  Role role;
  envelope env;
};

result<signed_metadata<root_metadata>> parse_root(std::string_view text, const metadata_limits& lim = {});
result<signed_metadata<targets_metadata>> parse_targets(std::string_view text, const metadata_limits& lim = {});
result<signed_metadata<snapshot_metadata>> parse_snapshot(std::string_view text, const metadata_limits& lim = {});
result<signed_metadata<timestamp_metadata>> parse_timestamp(std::string_view text, const metadata_limits& lim = {});

using any_metadata = std::variant<signed_metadata<root_metadata>, signed_metadata<targets_metadata>,
                                  signed_metadata<snapshot_metadata>, signed_metadata<timestamp_metadata>>;
// Dispatches on signed._type.
result<any_metadata> parse_metadata(std::string_view text, const metadata_limits& lim = {});

// _type (must equal type), spec_version, version and expires of a signed role
// object, for documents beyond the four TUF roles (e.g. the revocation list).
result<common_fields> parse_common_fields(const nlohmann::json& signed_part, std::string_view type);

// "YYYY-MM-DDTHH:MM:SSZ" <-> Unix seconds (years 1970..9999).
result<std::int64_t> parse_expires(std::string_view s);
std::string format_expires(std::int64_t unix_seconds);

// Root role signature check: the threshold of roles[role] over keys.
result<threshold_report> verify_role(const root_metadata& root, std::string_view role, const envelope& env);

}  // namespace converge::trust::tuf
