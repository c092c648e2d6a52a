#pragma once
// The TUF client workflow (TUF 1.0 specification, section 5) as a sans-IO
// state machine: the caller fetches bytes (from gossip, IPFS, an HTTP
// mirror: all untrusted) and hands them in, with the wall-clock time for
// expiry checks. Each update either advances the trusted state or fails and
// leaves it unchanged.
//
// Order: update_root (0..n times, version N+1 each); then optionally
// restore_timestamp / restore_snapshot with the copies persisted last run
// (the rollback reference); then update_timestamp, update_snapshot,
// update_targets. Checks per step:
//   root      signed by a threshold of the trusted root's root keys AND of
//             its own; version exactly N+1; bounded number of rotations.
//   restore_* the current root's role threshold and (snapshot) the trusted
//             timestamp's version, but not expiry or hashes. A persisted copy
//             that no longer verifies (keys rotated: 5.3.11) is refused, and
//             the caller simply goes on without it.
//   timestamp final root not expired; timestamp role threshold; version and
//             snapshot version never go backwards; not expired.
//   snapshot  length/hashes as the timestamp lists them; snapshot role
//             threshold; version equals the timestamp's; no role listed by
//             the previous trusted snapshot disappears or goes backwards; not expired.
//   targets   length/hashes as the snapshot lists them; targets role
//             threshold; version equals the snapshot's; not expired.
//   delegated targets (5.6.7, find_target): a preorder depth-first search
//             from the top-level targets through the delegations whose paths
//             match, stopping after a terminating role, at most
//             max_delegations roles. Each delegated role's metadata is checked
//             like targets, against its delegator's keys and threshold and the
//             snapshot's "<role>.json" entry.
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "base/clock.hpp"
#include "trust/tuf_metadata.hpp"

namespace converge::trust::tuf {

struct client_limits {
  metadata_limits metadata;
  std::size_t max_root_rotations = 64;  // per client lifetime (5.3.3 "maximum number of root rotations")
  std::size_t max_delegations = 32;     // roles visited per find_target
};

// The outcome of find_target: the target's trusted description, or the
// delegated role whose metadata the caller must fetch and pass to
// update_delegated_targets before asking again, or neither (no such target).
struct target_lookup {
  std::optional<target_file> target;
  std::string role;       // the role that lists the target, or the role to fetch
  std::string delegator;  // with need_metadata: the role that delegates to it
  bool need_metadata = false;
};

// TUF path patterns: the target path and the pattern must have the same
// number of "/"-separated parts, each matched with "*" (any run of
// characters) and "?" (one character), as python-tuf does.
bool path_matches(std::string_view pattern, std::string_view path);
// A delegated role's claim on a target path (paths or path_hash_prefixes).
bool role_covers(const delegated_role& role, std::string_view path);

class tuf_client {
 public:
  // The root shipped with the app (or persisted from a previous run). It
  // must carry a threshold of its own root keys' signatures; it may be expired
  // (a newer root can still be fetched), but nothing else updates until a
  // current root is trusted.
  static result<tuf_client> create(std::string_view trusted_root, const client_limits& limits = {});

  result<void> update_root(std::string_view text);
  result<void> restore_timestamp(std::string_view text);
  result<void> restore_snapshot(std::string_view text);
  // Returns false when the timestamp has the trusted version (nothing new).
  result<bool> update_timestamp(std::string_view text, wall_time now);
  result<void> update_snapshot(std::string_view text, wall_time now);
  result<void> update_targets(std::string_view text, wall_time now);
  result<void> update_delegated_targets(std::string_view role, std::string_view delegator, std::string_view text,
                                        wall_time now);
  // Needs trusted targets; see target_lookup.
  result<target_lookup> find_target(std::string_view path) const;

  const root_metadata& root() const { return root_->role; }
  const timestamp_metadata* timestamp() const { return timestamp_ ? &timestamp_->role : nullptr; }
  const snapshot_metadata* snapshot() const { return snapshot_ ? &snapshot_->role : nullptr; }
  const targets_metadata* targets() const { return targets_ ? &targets_->role : nullptr; }

  // The accepted documents as received, for the caller to persist.
  const std::string& root_text() const { return root_text_; }
  const std::string& timestamp_text() const { return timestamp_text_; }
  const std::string& snapshot_text() const { return snapshot_text_; }
  const std::string& targets_text() const { return targets_text_; }

 private:
  explicit tuf_client(const client_limits& limits) : limits_(limits) {}
  result<bool> load_timestamp(std::string_view text, std::optional<wall_time> now);
  result<void> load_snapshot(std::string_view text, std::optional<wall_time> now);

  client_limits limits_;
  std::size_t rotations_ = 0;
  // Accepted metadata is immutable and shared, so copying a client (a
  // verified base reused for each bundle) copies no documents.
  std::shared_ptr<const signed_metadata<root_metadata>> root_;
  std::shared_ptr<const signed_metadata<timestamp_metadata>> timestamp_;
  std::shared_ptr<const signed_metadata<snapshot_metadata>> snapshot_;
  std::shared_ptr<const signed_metadata<targets_metadata>> targets_;
  // Delegated roles by (role, delegator): a role reached through another
  // delegator is verified again against that delegator's keys (a "diamond"
  // must not lend one path's authority to the other).
  using delegated_map = std::map<std::pair<std::string, std::string>, signed_metadata<targets_metadata>>;
  delegated_map::const_iterator find_delegated(std::string_view role) const;
  result<void> check_final_snapshot(wall_time now) const;
  delegated_map delegated_;
  std::string root_text_, timestamp_text_, snapshot_text_, targets_text_;
};

// Checks the raw bytes against a meta entry's length and hashes (sha256 and
// sha512 supported; any other algorithm listed is an error).
result<void> check_length_and_hashes(std::string_view what, bytes_view raw, std::optional<std::uint64_t> length,
                                     const hash_map& hashes);

// Seconds since the Unix epoch for a wall_time.
std::int64_t unix_seconds(wall_time t);

}  // namespace converge::trust::tuf
