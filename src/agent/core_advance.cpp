// The core's timers and gates: what moves a pending release on by time or
// by new conditions, what resumes it after a restart, and the actions it emits.
#include "agent/core.hpp"

namespace converge::agent {
namespace {
std::int64_t unix_s(wall_time t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}
wall_time from_unix(std::int64_t s) { return wall_time{std::chrono::seconds{s}}; }
}  // namespace

// After a restart: re-issue the action whose answer may have been lost.
// Phases that wait on gates or timers are handled by advance().
void core::resume(wall_time now) {
  if (!attempt_) return advance(now);
  switch (attempt_->ph) {
    case phase::announced:
      verifying_.push_back(to_bytes(trust::sha256_hex(as_chars(attempt_->bundle))));
      actions_.push_back(verify_action{attempt_->bundle, attempt_->via});
      break;
    case phase::downloading: emit_fetch(); break;
    case phase::downloaded: emit_stage(); break;
    case phase::installing:
      // Never install again: the installer knows whether the switch happened.
      actions_.push_back(recover_action{attempt_->release_hash});
      break;
    default: break;
  }
  advance(now);
}

gate core::download_gates(wall_time now) const {
  if (auto g = halt_gate(plan_->halt); !g.allowed) return g;
  if (auto g = rollout_gate(plan_->rollout, rollout_bucket(salt_, attempt_->release_hash), now); !g.allowed) return g;
  if (auto g = conditions_gate(cfg_, cond_); !g.allowed) return g;
  if (auto g = window_gate(cfg_.windows, now); !g.allowed) return g;
  auto heard = from_unix(attempt_->created_at);
  return jitter_gate(heard, jitter_delay(salt_, attempt_->release_hash, cfg_.jitter), now);
}

gate core::install_gates(wall_time now) const {
  if (auto g = halt_gate(plan_->halt); !g.allowed) return g;
  if (auto g = conditions_gate(cfg_, cond_); !g.allowed) return g;
  return window_gate(cfg_.windows, now);
}

// Moves the pending attempt on as far as timers and gates allow, and sets
// the next wake-up. Event handlers call it after every transition.
void core::advance(wall_time now) {
  waiting_.clear();
  wakeup_.reset();
  while (attempt_) {
    auto& a = *attempt_;
    switch (a.ph) {
      case phase::failed:
        if (a.next_attempt_at && unix_s(now) < *a.next_attempt_at) {
          wakeup_ = from_unix(*a.next_attempt_at);
          waiting_ = "retrying after: " + a.last_error;
          return;
        }
        a.next_attempt_at.reset();
        set_phase(a.retry_from, now);
        continue;
      case phase::verified: {
        auto g = download_gates(now);
        if (!g.allowed) {
          waiting_ = g.reason;
          wakeup_ = g.next_look;
          return;
        }
        auto d = chosen_delta();
        a.fetched_as = d ? "delta" : "full";
        set_phase(phase::downloading, now);
        emit_fetch();
        return;
      }
      case phase::staged: {
        auto g = install_gates(now);
        if (!g.allowed) {
          waiting_ = g.reason;
          wakeup_ = g.next_look;
          return;
        }
        set_phase(phase::installing, now);
        emit_install();
        return;
      }
      case phase::installing:
        // A pending install: ask the installer again at next_attempt_at.
        if (a.next_attempt_at) {
          if (unix_s(now) < *a.next_attempt_at) {
            wakeup_ = from_unix(*a.next_attempt_at);
            return;
          }
          a.next_attempt_at = unix_s(now + cfg_.poll_interval);
          set_phase(phase::installing, now);
          actions_.push_back(recover_action{a.release_hash});
          wakeup_ = from_unix(*a.next_attempt_at);
        }
        return;
      default:
        return;
    }
  }
}

std::optional<trust::delta_entry> core::chosen_delta() const {
  if (!installed_ || installed_->package_path.empty() || attempt_->avoid_delta) return std::nullopt;
  return pick_delta(plan_->target, installed_->semver, installed_->cid);
}

// Persists the attempt in its new phase, with a history event.
void core::set_phase(phase p, wall_time now) {
  auto& a = *attempt_;
  bool changed = a.ph != p;
  a.ph = p;
  a.updated_at = unix_s(now);
  transition t{.attempt = a};
  if (changed) t.events.push_back({unix_s(now), std::string(to_string(p)), a.release_hash, ""});
  persist(t);
}

void core::emit_fetch() {
  progress_done_ = progress_total_ = 0;
  auto d = attempt_->fetched_as == "delta" ? chosen_delta() : std::nullopt;
  if (!d) attempt_->fetched_as = "full";  // the base went away since: the full artifact then
  actions_.push_back(fetch_action{attempt_->release_hash, plan_->target, d,
                                  d ? installed_->package_path : std::string{}});
}

void core::emit_stage() {
  bool delta = attempt_->fetched_as == "delta";
  actions_.push_back(stage_action{attempt_->release_hash, attempt_->fetched_path, delta,
                                  delta && installed_ ? installed_->package_path : std::string{}, plan_->target});
}

void core::emit_install() {
  actions_.push_back(install_action{attempt_->release_hash, attempt_->package_path, plan_->target, plan_->channel,
                                    plan_->semver, plan_->sequence});
}

}  // namespace converge::agent
