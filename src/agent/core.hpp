#pragma once
// The update agent's state machine, sans-IO: the driver (src/node/svc_agent)
// feeds it events and results with the wall time, and carries out the
// actions it emits. It reads no clock, opens no socket and does no file I/O
// beyond its SQLite store.
//
//   idle -> announced -> verified -> downloading -> downloaded -> staged -> installing -> installed
//                           ^  (gates: halt, rollout, window, conditions, jitter before a download;
//                           |   halt, window, conditions before an install)
//   failed --(backoff elapsed: resume at verified, or at staged after an install failure)
//
// Every transition is one store transaction. After a crash core::open resumes
// from the DB: announced -> verify_action again; verified/staged -> gates
// again; downloading -> fetch_action again (the driver fetches only what it
// lacks); downloaded -> stage_action again; installing -> recover_action
// (never install_action: the installer says what became of it); failed ->
// wait for the persisted next_attempt_at.
//
// Rules: a release with a sequence <= the installed one is ignored; a newer
// verified release supersedes the pending one (cancel_fetch_action if it was
// downloading) unless it is installing, in which case it is kept (in memory)
// and taken up when the install ends; a release marked bad (permanent
// failure, health check failed and rolled back, revoked) is never retried;
// two different releases with the same sequence never install: the second is
// refused and recorded ("equivocation" in the history).
//
// Driver protocol: answer every verify_action with exactly one on_verified or
// on_rejected; every fetch_action with on_fetched or on_fetch_failed (unless
// cancelled); every stage_action with on_staged or on_stage_failed; every
// install_action and recover_action with on_install_result. Results for a
// release that is no longer the pending one are ignored. Call tick(now) at
// next_wakeup() (or any time), and take_actions() after every call.
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/config.hpp"
#include "agent/phase.hpp"
#include "agent/plan.hpp"
#include "agent/policy.hpp"
#include "agent/store.hpp"
#include "base/clock.hpp"
#include "base/rng.hpp"
#include "trust/release.hpp"

namespace converge::agent {

// -> on_verified / on_rejected
struct verify_action {
  bytes bundle;
  heard_via via = heard_via::gossip;
};
// -> on_fetch_progress*, then on_fetched(path) / on_fetch_failed
struct fetch_action {
  std::string release_hash;
  trust::artifact target;                  // the device's full artifact
  std::optional<trust::delta_entry> delta; // set when the installed base matches: fetch this instead
  std::string base_package;                // local path of the installed package (the delta's base)
};
// The driver applies the delta (if any) to base_package, checks target's
// length and sha256 -> on_staged(package path) / on_stage_failed
struct stage_action {
  std::string release_hash;
  std::string fetched_path;
  bool is_delta = false;
  std::string base_package;
  trust::artifact target;
};
// -> on_install_result
struct install_action {
  std::string release_hash;
  std::string package_path;
  trust::artifact target;
  std::string channel, semver;
  std::uint64_t sequence = 0;
};
// Ask the installer what became of release_hash (crash mid-install, or a
// pending install) -> on_install_result
struct recover_action {
  std::string release_hash;
};
// A newer release superseded this download: stop it (no answer expected).
struct cancel_fetch_action {
  std::string release_hash;
};
using action = std::variant<verify_action, fetch_action, stage_action, install_action, recover_action,
                            cancel_fetch_action>;

struct verified_release {
  trust::release rel;
  std::vector<trust::artifact> for_device;
  std::string release_hash;  // sha256 hex of the targets document
};

struct install_result {
  enum kind { installed, pending, failed } outcome = failed;
  bool permanent = false;    // never retry this release
  bool rolled_back = false;  // the health check failed and the previous release is back: also never retried
  std::string message;
};

struct core_limits {
  std::size_t max_pending_verifications = 8;  // more announcements are dropped (polling brings them again)
  std::size_t status_history = 20;            // events shown by status()
  // A bundle verified as nothing to do (its release is installed, or older)
  // is not verified or recorded again when heard within settle_ttl (every
  // poll hears the channel's current bundle).
  std::chrono::seconds settle_ttl{3600};
  std::size_t max_settled = 32;
};

class core {
 public:
  // Loads (or creates) the device salt and resumes a persisted attempt.
  static result<core> open(agent_config cfg, std::unique_ptr<store> db, rng& r, wall_time now,
                           core_limits lim = {});

  void on_announce(bytes bundle, heard_via via, wall_time now);
  void on_verified(const verified_release& v, heard_via via, wall_time now);
  void on_rejected(const std::string& reason, heard_via via, wall_time now);
  void on_fetch_progress(std::string_view release_hash, std::uint64_t bytes_done, std::uint64_t bytes_total);
  void on_fetched(std::string_view release_hash, std::string path, wall_time now);
  void on_fetch_failed(std::string_view release_hash, const std::string& reason, bool retryable, wall_time now);
  void on_staged(std::string_view release_hash, std::string package_path, wall_time now);
  void on_stage_failed(std::string_view release_hash, const std::string& reason, wall_time now);
  void on_install_result(std::string_view release_hash, const install_result& r, wall_time now);
  void on_conditions(const conditions& c, wall_time now);
  // The driver found the installed release revoked (release_client::check_installed
  // says must_move_on): it is marked bad and recorded; a newer release moves on.
  void on_installed_revoked(const std::string& reason, wall_time now);
  void tick(wall_time now);

  std::vector<action> take_actions();
  [[nodiscard]] std::optional<wall_time> next_wakeup() const { return wakeup_; }

  [[nodiscard]] phase current_phase() const;
  [[nodiscard]] const std::optional<installed_release>& installed() const { return installed_; }
  [[nodiscard]] const std::optional<attempt_record>& pending() const { return attempt_; }
  [[nodiscard]] const agent_config& config() const { return cfg_; }
  [[nodiscard]] bytes_view salt() const { return salt_; }
  // channel, installed {semver, sequence, hash, heard_via, fetched_as, bytes_fetched},
  // pending {semver, sequence, hash}, phase, waiting (gate reason), progress {done, total},
  // heard_via, attempts, next_attempt_at, last_error, store_error, history.
  [[nodiscard]] nlohmann::json status() const;

  core(core&&) noexcept = default;
  core& operator=(core&&) noexcept = default;

 private:
  core(agent_config cfg, std::unique_ptr<store> db, rng& r, core_limits lim)
      : cfg_(std::move(cfg)), db_(std::move(db)), rng_(&r), lim_(lim) {}
  // Transitions (core.cpp): each persists one store transition, then adopts it.
  void persist(const transition& t);
  void settle(bytes bundle_hash, wall_time now);
  void handle_verified(const verified_release& v, heard_via via, wall_time now);
  void start_attempt(const verified_release& v, const trust::artifact& target, heard_via via, wall_time now);
  void fail_attempt(const std::string& why, bool permanent, phase retry_from, wall_time now);
  void finish_install(wall_time now);
  void drop_announced(wall_time now);
  void take_deferred(wall_time now);
  void record(std::string kind, std::string release_hash, std::string detail, wall_time now);
  bool is_current(std::string_view release_hash, phase p) const;
  // Gates, resumption and emitted actions (core_advance.cpp).
  void resume(wall_time now);
  void advance(wall_time now);
  gate download_gates(wall_time now) const;
  gate install_gates(wall_time now) const;
  std::optional<trust::delta_entry> chosen_delta() const;
  void set_phase(phase p, wall_time now);
  void emit_fetch();
  void emit_stage();
  void emit_install();

  agent_config cfg_;
  std::unique_ptr<store> db_;
  rng* rng_;
  core_limits lim_;
  bytes salt_;
  conditions cond_;
  std::optional<installed_release> installed_;
  std::optional<attempt_record> attempt_;
  std::optional<release_plan> plan_;  // attempt_->plan, parsed
  std::vector<action> actions_;
  std::optional<wall_time> wakeup_;
  std::string waiting_;               // why the pending release does not move on (a gate's reason)
  std::uint64_t progress_done_ = 0, progress_total_ = 0;
  std::vector<bytes> verifying_;      // sha256 of bundles whose verify_action is unanswered
  std::map<bytes, wall_time> settled_;  // sha256 of bundles judged nothing to do -> when
  std::optional<std::pair<verified_release, heard_via>> deferred_;  // newer release heard while installing
  std::string store_error_;           // the last failed commit (state kept in memory meanwhile)
  std::string installed_revoked_;     // why the installed release is revoked; "" when it is not
};

}  // namespace converge::agent
