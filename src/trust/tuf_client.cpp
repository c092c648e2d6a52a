#include "trust/tuf_client.hpp"

#include <sodium.h>

namespace converge::trust::tuf {
namespace {

result<void> check_not_expired(std::string_view role, const common_fields& c, wall_time now) {
  if (c.expires <= unix_seconds(now))
    return fail(trust_errc::expired, std::string(role) + " version " + std::to_string(c.version) + " expired at " +
                                         format_expires(c.expires));
  return ok();
}

}  // namespace

std::int64_t unix_seconds(wall_time t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

result<void> check_length_and_hashes(std::string_view what, bytes_view raw, std::optional<std::uint64_t> length,
                                     const hash_map& hashes) {
  std::string w(what);
  if (length && raw.size() != *length)
    return fail(trust_errc::mismatch, w + " is " + std::to_string(raw.size()) + " bytes, trusted metadata says " +
                                          std::to_string(*length));
  for (const auto& [alg, want] : hashes) {
    bytes got;
    if (alg == "sha256") {
      got.resize(crypto_hash_sha256_BYTES);
      crypto_hash_sha256(got.data(), raw.data(), raw.size());
    } else if (alg == "sha512") {
      got.resize(crypto_hash_sha512_BYTES);
      crypto_hash_sha512(got.data(), raw.data(), raw.size());
    } else {
      return fail(trust_errc::mismatch, w + ": unsupported hash algorithm " + alg);
    }
    if (!equal(got, want)) return fail(trust_errc::mismatch, w + ": " + alg + " hash differs from trusted metadata");
  }
  return ok();
}

result<tuf_client> tuf_client::create(std::string_view trusted_root, const client_limits& limits) {
  auto root = parse_root(trusted_root, limits.metadata);
  if (!root) return fail(with_context(root.error(), "trusted root"));
  if (auto v = verify_role(root->role, "root", root->env); !v) return fail(with_context(v.error(), "trusted root"));
  tuf_client c(limits);
  c.root_ = std::move(*root);
  c.root_text_ = std::string(trusted_root);
  return c;
}

result<void> tuf_client::update_root(std::string_view text) {
  if (timestamp_) return fail(trust_errc::out_of_order, "root updates come before the timestamp");
  if (rotations_ >= limits_.max_root_rotations)
    return fail(trust_errc::too_large, "more than " + std::to_string(limits_.max_root_rotations) + " root rotations");
  auto next = parse_root(text, limits_.metadata);
  if (!next) return fail(next.error());
  // 5.3.4: signed by the trusted root's root keys; 5.3.5: and by the new root's own.
  if (auto v = verify_role(root_->role, "root", next->env); !v) return fail(with_context(v.error(), "new root (old keys)"));
  if (auto v = verify_role(next->role, "root", next->env); !v) return fail(with_context(v.error(), "new root (new keys)"));
  if (next->role.common.version != root_->role.common.version + 1)
    return fail(trust_errc::rollback, "root version " + std::to_string(next->role.common.version) + " does not follow " +
                                          std::to_string(root_->role.common.version));
  root_ = std::move(*next);
  root_text_ = std::string(text);
  ++rotations_;
  return ok();
}

result<void> tuf_client::restore_timestamp(std::string_view text) {
  if (timestamp_) return fail(trust_errc::out_of_order, "restore the timestamp before updating it");
  auto r = load_timestamp(text, std::nullopt);
  if (!r) return fail(with_context(r.error(), "persisted timestamp"));
  return ok();
}

result<void> tuf_client::restore_snapshot(std::string_view text) {
  if (snapshot_) return fail(trust_errc::out_of_order, "restore the snapshot before updating it");
  auto r = load_snapshot(text, std::nullopt);
  if (!r) return fail(with_context(r.error(), "persisted snapshot"));
  return ok();
}

result<bool> tuf_client::update_timestamp(std::string_view text, wall_time now) { return load_timestamp(text, now); }

result<void> tuf_client::update_snapshot(std::string_view text, wall_time now) { return load_snapshot(text, now); }

// `now` is absent for a restored local copy: no expiry and no hash checks, only
// signatures and consistency, so it can serve as the rollback reference.
result<bool> tuf_client::load_timestamp(std::string_view text, std::optional<wall_time> now) {
  if (now) {
    if (auto e = check_not_expired("root", root_->role.common, *now); !e)
      return fail(with_context(e.error(), "final root"));
  }
  auto ts = parse_timestamp(text, limits_.metadata);
  if (!ts) return fail(ts.error());
  if (auto v = verify_role(root_->role, "timestamp", ts->env); !v) return fail(v.error());
  if (timestamp_) {
    const auto& old = timestamp_->role;
    if (ts->role.common.version < old.common.version)
      return fail(trust_errc::rollback, "timestamp version " + std::to_string(ts->role.common.version) +
                                            " is older than trusted " + std::to_string(old.common.version));
    if (ts->role.common.version == old.common.version) return false;
    if (ts->role.snapshot.version < old.snapshot.version)
      return fail(trust_errc::rollback, "timestamp lists snapshot version " + std::to_string(ts->role.snapshot.version) +
                                            ", older than trusted " + std::to_string(old.snapshot.version));
  }
  if (now) {
    if (auto e = check_not_expired("timestamp", ts->role.common, *now); !e) return fail(e.error());
  }
  timestamp_ = std::move(*ts);
  timestamp_text_ = std::string(text);
  return true;
}

result<void> tuf_client::load_snapshot(std::string_view text, std::optional<wall_time> now) {
  if (!timestamp_) return fail(trust_errc::out_of_order, "snapshot needs a trusted timestamp first");
  if (targets_) return fail(trust_errc::out_of_order, "snapshot cannot change after targets were loaded");
  const auto& want = timestamp_->role.snapshot;
  if (now) {
    if (auto e = check_not_expired("timestamp", timestamp_->role.common, *now); !e) return fail(e.error());
    if (auto h = check_length_and_hashes("snapshot", as_bytes(text), want.length, want.hashes); !h)
      return fail(h.error());
  }
  auto snap = parse_snapshot(text, limits_.metadata);
  if (!snap) return fail(snap.error());
  if (auto v = verify_role(root_->role, "snapshot", snap->env); !v) return fail(v.error());
  if (snap->role.common.version != want.version)
    return fail(trust_errc::mismatch, "snapshot version " + std::to_string(snap->role.common.version) +
                                          " is not the timestamp's " + std::to_string(want.version));
  if (snapshot_) {
    for (const auto& [name, old] : snapshot_->role.meta) {
      auto it = snap->role.meta.find(name);
      if (it == snap->role.meta.end())
        return fail(trust_errc::rollback, "new snapshot drops " + name);
      if (it->second.version < old.version)
        return fail(trust_errc::rollback, "new snapshot lists " + name + " version " +
                                              std::to_string(it->second.version) + ", older than " +
                                              std::to_string(old.version));
    }
  }
  if (now) {
    if (auto e = check_not_expired("snapshot", snap->role.common, *now); !e) return fail(e.error());
  }
  snapshot_ = std::move(*snap);
  snapshot_text_ = std::string(text);
  return ok();
}

result<void> tuf_client::update_targets(std::string_view text, wall_time now) {
  if (!snapshot_) return fail(trust_errc::out_of_order, "targets needs a trusted snapshot first");
  if (auto e = check_not_expired("snapshot", snapshot_->role.common, now); !e) return fail(e.error());
  auto it = snapshot_->role.meta.find("targets.json");
  if (it == snapshot_->role.meta.end()) return fail(trust_errc::mismatch, "snapshot does not list targets.json");
  const auto& want = it->second;
  if (auto h = check_length_and_hashes("targets", as_bytes(text), want.length, want.hashes); !h) return fail(h.error());
  auto t = parse_targets(text, limits_.metadata);
  if (!t) return fail(t.error());
  if (auto v = verify_role(root_->role, "targets", t->env); !v) return fail(v.error());
  if (t->role.common.version != want.version)
    return fail(trust_errc::mismatch, "targets version " + std::to_string(t->role.common.version) +
                                          " is not the snapshot's " + std::to_string(want.version));
  if (auto e = check_not_expired("targets", t->role.common, now); !e) return fail(e.error());
  targets_ = std::move(*t);
  return ok();
}

}  // namespace converge::trust::tuf
