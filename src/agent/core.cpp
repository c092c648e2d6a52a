// The core's event handlers and transitions. Each transition builds one
// store transition (one SQLite transaction) and mirrors it in memory.
#include "agent/core.hpp"

#include <algorithm>

namespace converge::agent {
namespace {
std::int64_t unix_s(wall_time t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}
}  // namespace

result<core> core::open(agent_config cfg, std::unique_ptr<store> db, rng& r, wall_time now, core_limits lim) {
  core c(std::move(cfg), std::move(db), r, lim);
  if (c.cfg_.salt) {
    c.salt_ = *c.cfg_.salt;
  } else {
    auto s = c.db_->salt();
    if (!s) return fail(s.error());
    if (*s) {
      c.salt_ = std::move(**s);
    } else {
      c.salt_.resize(16);
      r.fill(c.salt_);
      if (auto w = c.db_->set_salt(c.salt_); !w) return fail(w.error());
    }
  }
  auto inst = c.db_->installed();
  if (!inst) return fail(inst.error());
  c.installed_ = std::move(*inst);
  if (c.installed_) {
    auto bad = c.db_->is_bad(c.installed_->release_hash);
    if (!bad) return fail(bad.error());
    if (*bad) c.installed_revoked_ = "marked bad";
  }
  auto att = c.db_->attempt();
  if (!att) return fail(att.error());
  c.attempt_ = std::move(*att);
  if (c.attempt_ && c.attempt_->ph != phase::announced) {
    auto plan = decode_plan(c.attempt_->plan);
    if (!plan) {
      // A row this build cannot read: start over for that release (it is heard again).
      c.record("dropped", c.attempt_->release_hash, plan.error().message(), now);
      c.persist(transition{.clear_attempt = true});
      c.attempt_.reset();
    } else {
      c.plan_ = std::move(*plan);
    }
  }
  c.resume(now);
  return c;
}

void core::persist(const transition& t) {
  if (auto r = db_->commit(t); !r) store_error_ = r.error().message();
}

void core::record(std::string kind, std::string release_hash, std::string detail, wall_time now) {
  persist(transition{.events = {{unix_s(now), std::move(kind), std::move(release_hash), std::move(detail)}}});
}

bool core::is_current(std::string_view release_hash, phase p) const {
  return attempt_ && attempt_->ph == p && attempt_->release_hash == release_hash;
}

void core::on_announce(bytes bundle, heard_via via, wall_time now) {
  auto h = trust::sha256_hex(as_chars(bundle));
  if (auto s = settled_.find(to_bytes(h)); s != settled_.end()) {
    if (now - s->second < lim_.settle_ttl) return;
    settled_.erase(s);
  }
  if (std::find(verifying_.begin(), verifying_.end(), to_bytes(h)) != verifying_.end()) return;
  if (verifying_.size() >= lim_.max_pending_verifications) return;  // heard again by the next poll
  verifying_.push_back(to_bytes(h));
  if (!attempt_) {
    attempt_record a;
    a.ph = phase::announced;
    a.bundle = bundle;
    a.via = via;
    a.created_at = a.updated_at = unix_s(now);
    persist(transition{.attempt = a, .events = {{unix_s(now), "announced", "", std::string(to_string(via))}}});
    attempt_ = std::move(a);
  }
  actions_.push_back(verify_action{std::move(bundle), via});
}

void core::on_verified(const verified_release& v, heard_via via, wall_time now) {
  bytes bundle_hash;
  if (!verifying_.empty()) {
    bundle_hash = std::move(verifying_.front());
    verifying_.erase(verifying_.begin());
  }
  handle_verified(v, via, now);
  drop_announced(now);
  if (!bundle_hash.empty() && v.rel.channel == cfg_.channel && installed_ && v.rel.sequence <= installed_->sequence)
    settle(std::move(bundle_hash), now);
}

void core::settle(bytes bundle_hash, wall_time now) {
  if (settled_.size() >= lim_.max_settled && !settled_.contains(bundle_hash)) {
    auto oldest = std::min_element(settled_.begin(), settled_.end(),
                                   [](const auto& a, const auto& b) { return a.second < b.second; });
    settled_.erase(oldest);
  }
  settled_[std::move(bundle_hash)] = now;
}

void core::on_rejected(const std::string& reason, heard_via via, wall_time now) {
  if (!verifying_.empty()) verifying_.erase(verifying_.begin());
  record("rejected", "", std::string(to_string(via)) + ": " + reason, now);
  drop_announced(now);
}

// An announced attempt whose verifications all ended without a release to
// pursue goes back to idle (or installed).
void core::drop_announced(wall_time now) {
  if (!attempt_ || attempt_->ph != phase::announced || !verifying_.empty()) return;
  persist(transition{.clear_attempt = true});
  attempt_.reset();
  advance(now);
}

void core::handle_verified(const verified_release& v, heard_via via, wall_time now) {
  const auto& rel = v.rel;
  if (rel.channel != cfg_.channel) return;
  if (installed_ && rel.sequence <= installed_->sequence) {
    if (rel.sequence == installed_->sequence && v.release_hash != installed_->release_hash)
      record("equivocation", v.release_hash,
             "sequence " + std::to_string(rel.sequence) + " is installed as " + installed_->release_hash, now);
    return;
  }
  if (auto bad = db_->is_bad(v.release_hash); !bad || *bad) return;  // never retried (or unreadable: not now)
  bool pursuing = attempt_ && attempt_->ph != phase::announced;
  if (pursuing) {
    if (attempt_->release_hash == v.release_hash || rel.sequence < attempt_->sequence) return;
    if (rel.sequence == attempt_->sequence) {
      record("equivocation", v.release_hash,
             "sequence " + std::to_string(rel.sequence) + " is pending as " + attempt_->release_hash, now);
      return;
    }
    if (attempt_->ph == phase::installing) {
      deferred_.emplace(v, via);  // taken up when the install ends
      return;
    }
  }
  auto target = pick_target(v.for_device);
  if (!target) return;
  if (pursuing) {
    if (attempt_->ph == phase::downloading) actions_.push_back(cancel_fetch_action{attempt_->release_hash});
    record("superseded", attempt_->release_hash, "by sequence " + std::to_string(rel.sequence), now);
  }
  start_attempt(v, *target, via, now);
}

void core::start_attempt(const verified_release& v, const trust::artifact& target, heard_via via, wall_time now) {
  release_plan plan{v.rel.channel, v.rel.semver, v.rel.sequence, v.rel.rollout, halted(v.rel), target};
  attempt_record a;
  a.release_hash = v.release_hash;
  a.ph = phase::verified;
  a.retry_from = phase::verified;
  a.via = via;
  a.sequence = v.rel.sequence;
  a.semver = v.rel.semver;
  a.plan = encode_plan(plan);
  // Heard when first announced, if this verification settles that announcement.
  a.created_at = attempt_ && attempt_->ph == phase::announced ? attempt_->created_at : unix_s(now);
  a.updated_at = unix_s(now);
  persist(transition{.attempt = a,
                     .events = {{unix_s(now), "verified", a.release_hash,
                                 a.semver + " sequence " + std::to_string(a.sequence) + " via " +
                                     std::string(to_string(via))}}});
  attempt_ = std::move(a);
  plan_ = std::move(plan);
  progress_done_ = progress_total_ = 0;
  advance(now);
}

void core::on_fetch_progress(std::string_view release_hash, std::uint64_t bytes_done, std::uint64_t bytes_total) {
  if (!is_current(release_hash, phase::downloading)) return;
  progress_done_ = bytes_done;
  progress_total_ = bytes_total;
}

void core::on_fetched(std::string_view release_hash, std::string path, wall_time now) {
  if (!is_current(release_hash, phase::downloading)) return;
  attempt_->fetched_path = std::move(path);
  if (progress_done_ > 0) {
    attempt_->bytes_fetched = progress_done_;
  } else {
    auto d = attempt_->fetched_as == "delta" ? chosen_delta() : std::nullopt;
    attempt_->bytes_fetched = d ? d->size : plan_->target.length;
  }
  set_phase(phase::downloaded, now);
  emit_stage();
}

void core::on_fetch_failed(std::string_view release_hash, const std::string& reason, bool retryable, wall_time now) {
  if (!is_current(release_hash, phase::downloading)) return;
  // A failed delta is not the release's fault: retry with the full artifact.
  bool was_delta = attempt_->fetched_as == "delta";
  if (was_delta) attempt_->avoid_delta = true;
  fail_attempt("fetch: " + reason, !retryable && !was_delta, phase::verified, now);
}

void core::on_staged(std::string_view release_hash, std::string package_path, wall_time now) {
  if (!is_current(release_hash, phase::downloaded)) return;
  attempt_->package_path = std::move(package_path);
  set_phase(phase::staged, now);
  advance(now);
}

void core::on_stage_failed(std::string_view release_hash, const std::string& reason, wall_time now) {
  if (!is_current(release_hash, phase::downloaded)) return;
  if (attempt_->fetched_as == "delta") attempt_->avoid_delta = true;
  fail_attempt("stage: " + reason, false, phase::verified, now);
}

void core::on_install_result(std::string_view release_hash, const install_result& r, wall_time now) {
  if (!is_current(release_hash, phase::installing)) return;
  switch (r.outcome) {
    case install_result::installed:
      finish_install(now);
      return;
    case install_result::pending:
      // The platform installer reports later (it may ask the user): look again each poll interval.
      attempt_->last_error = r.message.empty() ? "install pending" : "install pending: " + r.message;
      attempt_->next_attempt_at = unix_s(now + cfg_.poll_interval);
      set_phase(phase::installing, now);
      advance(now);
      return;
    case install_result::failed:
      fail_attempt("install: " + r.message + (r.rolled_back ? " (rolled back)" : ""), r.permanent || r.rolled_back,
                   phase::staged, now);
      return;
  }
}

void core::fail_attempt(const std::string& why, bool permanent, phase retry_from, wall_time now) {
  auto hash = attempt_->release_hash;
  if (permanent) {
    persist(transition{.clear_attempt = true,
                       .mark_bad = {{hash, why}},
                       .events = {{unix_s(now), "bad", hash, why}}});
    attempt_.reset();
    plan_.reset();
    take_deferred(now);
    advance(now);
    return;
  }
  auto& a = *attempt_;
  a.attempts += 1;
  a.ph = phase::failed;
  a.retry_from = retry_from;
  a.last_error = why;
  a.next_attempt_at = unix_s(now + backoff_delay(cfg_.retry_initial, cfg_.retry_max, a.attempts, rng_->next_u64()));
  a.updated_at = unix_s(now);
  persist(transition{.attempt = a, .events = {{unix_s(now), "failed", hash, why}}});
  take_deferred(now);
  advance(now);
}

void core::finish_install(wall_time now) {
  const auto& a = *attempt_;
  installed_release r{a.release_hash, plan_->channel, a.sequence, a.semver, plan_->target.path,
                      to_hex(plan_->target.sha256), plan_->target.cid, a.package_path, a.via,
                      a.fetched_as, a.bytes_fetched, a.created_at, unix_s(now)};
  persist(transition{.clear_attempt = true,
                     .installed = r,
                     .events = {{unix_s(now), "installed", r.release_hash,
                                 r.semver + " sequence " + std::to_string(r.sequence) + ", " + r.fetched_as + " " +
                                     std::to_string(r.bytes_fetched) + " bytes"}}});
  installed_ = std::move(r);
  installed_revoked_.clear();
  attempt_.reset();
  plan_.reset();
  take_deferred(now);
  advance(now);
}

void core::take_deferred(wall_time now) {
  if (!deferred_) return;
  auto d = std::move(*deferred_);
  deferred_.reset();
  handle_verified(d.first, d.second, now);
}

void core::on_conditions(const conditions& c, wall_time now) {
  cond_ = c;
  advance(now);
}

void core::on_installed_revoked(const std::string& reason, wall_time now) {
  if (!installed_ || !installed_revoked_.empty()) return;
  auto hash = installed_->release_hash;
  persist(transition{.mark_bad = {{hash, "revoked: " + reason}}, .events = {{unix_s(now), "revoked", hash, reason}}});
  installed_revoked_ = reason.empty() ? "revoked" : reason;
}

void core::tick(wall_time now) { advance(now); }

std::vector<action> core::take_actions() { return std::exchange(actions_, {}); }

phase core::current_phase() const {
  if (attempt_) return attempt_->ph;
  return installed_ ? phase::installed : phase::idle;
}

}  // namespace converge::agent
