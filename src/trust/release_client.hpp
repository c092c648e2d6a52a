#pragma once
// The device side of converge's trust: verifies release bundles against the
// persisted trusted state, with the TUF 5 workflow (tuf_client), then the
// release rules, and persists the result atomically (trust_store).
//
// verify_bundle(bytes, now):
//   1. size bound; a bundle whose sha256 is in the LRU of verified bundles
//      returns at once (already_verified), whichever carrier it came by;
//   2. roots (each version N+1), then the persisted timestamp and snapshot are
//      restored as the rollback reference (after a root rotation that
//      invalidated them they are dropped: fast-forward recovery, TUF 5.3.11);
//   3. timestamp, snapshot, targets against the trusted clock: max(now,
//      time_floor) - clock_slack, so a device whose clock runs up to
//      clock_slack fast still accepts current metadata, and a clock set back
//      below the latest trusted time does not revive expired metadata;
//   4. the targets read as a release (release.hpp) for the bundle's channel;
//      sequence: lower than trusted -> rollback; equal with other bytes ->
//      equivocation (refused, and a report kept for take_equivocations);
//      the hash chain (previous) must link to the trusted release when the
//      sequence is the next one;
//   5. the revocation list (bundle's, if newer, else the trusted one);
//   6. the device's artifacts (not_for_device when none);
//   7. persist the new state, then adopt it in memory.
// Any failure leaves both the persisted and the in-memory state unchanged.
#include <chrono>
#include <list>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/clock.hpp"
#include "trust/bundle.hpp"
#include "trust/release.hpp"
#include "trust/revocation.hpp"
#include "trust/trust_store.hpp"
#include "trust/tuf_client.hpp"

namespace converge::trust {

struct release_client_options {
  std::chrono::seconds clock_slack{600};
  std::size_t verified_cache = 256;  // bundle hashes remembered
  bundle_limits bundle;
  tuf::client_limits tuf;
  release_limits release;
};

enum class installed_status { current, must_move_on };

struct equivocation_report {
  std::string channel;
  std::uint64_t sequence = 0;
  std::string trusted_hash;      // sha256 of the release we trust for that sequence
  std::string conflicting_hash;  // sha256 of the other, also validly signed, release
  std::string conflicting_targets;  // evidence: the conflicting signed document
};

struct bundle_outcome {
  bool already_verified = false;  // same bundle bytes seen before (hash hit)
  bool new_release = false;       // the trusted release changed
  release rel;                    // the channel's trusted release after this bundle
  std::vector<artifact> for_device;
};

class release_client {
 public:
  // Loads the persisted state, or starts from the root shipped with the app.
  static result<release_client> open(std::string_view shipped_root, state_fs& fs, device_profile device,
                                     release_client_options opts = {});

  result<bundle_outcome> verify_bundle(bytes_view bundle, wall_time now);
  // A revocation list arriving on its own.
  result<void> update_revocation(std::string_view text, wall_time now);
  // What a device with this release installed must do under the trusted revocation list.
  installed_status check_installed(std::uint64_t sequence, std::string_view semver, std::string_view cid) const;
  std::string installed_reason(std::uint64_t sequence, std::string_view semver, std::string_view cid) const;

  const trusted_state& state() const { return state_; }
  std::vector<equivocation_report> take_equivocations() { return std::exchange(equivocations_, {}); }

 private:
  release_client(state_fs& fs, device_profile d, release_client_options o)
      : store_(fs), device_(std::move(d)), opts_(std::move(o)) {}
  wall_time trusted_now(wall_time now) const;
  result<std::optional<tuf::signed_metadata<revocation_list>>> check_revocation(const tuf::root_metadata& root,
                                                                              std::string_view text,
                                                                              wall_time effective) const;
  result<bundle_outcome> verify_uncached(const release_bundle& b, wall_time now);
  // The trusted root, and the channel's persisted timestamp and snapshot
  // restored on top of it, verified once and reused while those texts are
  // unchanged: a bundle then costs only its own new signatures.
  result<tuf::tuf_client> trusted_base(const channel_state& cs, bool restore);
  bool cache_hit(const std::string& hash);
  void cache_insert(const std::string& hash);

  state_store store_;
  device_profile device_;
  release_client_options opts_;
  trusted_state state_;
  std::vector<equivocation_report> equivocations_;
  std::optional<release> current_;  // the device channel's trusted release, parsed (cache hits return it)
  struct verified_base {
    std::string root, timestamp, snapshot;  // the texts it was built from
    bool restored = false;
    tuf::tuf_client client;
  };
  std::optional<verified_base> root_base_, restored_base_;
  std::list<std::string> lru_;
  std::unordered_map<std::string, std::list<std::string>::iterator> lru_index_;
};

}  // namespace converge::trust
