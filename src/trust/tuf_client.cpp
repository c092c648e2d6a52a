#include "trust/tuf_client.hpp"

#include <openssl/evp.h>
#include <sodium.h>

#include <set>
#include <utility>

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
    // OpenSSL (CPU SHA extensions where present); libsodium if it refuses.
    unsigned int n = 0;
    if (alg == "sha256") {
      got.resize(crypto_hash_sha256_BYTES);
      if (EVP_Digest(raw.data(), raw.size(), got.data(), &n, EVP_sha256(), nullptr) != 1)
        crypto_hash_sha256(got.data(), raw.data(), raw.size());
    } else if (alg == "sha512") {
      got.resize(crypto_hash_sha512_BYTES);
      if (EVP_Digest(raw.data(), raw.size(), got.data(), &n, EVP_sha512(), nullptr) != 1)
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
  c.root_ = std::make_shared<const signed_metadata<root_metadata>>(std::move(*root));
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
  root_ = std::make_shared<const signed_metadata<root_metadata>>(std::move(*next));
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
  timestamp_ = std::make_shared<const signed_metadata<timestamp_metadata>>(std::move(*ts));
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
  // A restored copy may be older than the timestamp lists: it is still the
  // rollback reference for the next snapshot (python-tuf keeps it the same
  // way); targets refuse to load until the snapshot is the timestamp's.
  if (now && snap->role.common.version != want.version)
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
  snapshot_ = std::make_shared<const signed_metadata<snapshot_metadata>>(std::move(*snap));
  snapshot_text_ = std::string(text);
  return ok();
}

result<void> tuf_client::check_final_snapshot(wall_time now) const {
  if (!snapshot_) return fail(trust_errc::out_of_order, "targets needs a trusted snapshot first");
  if (snapshot_->role.common.version != timestamp_->role.snapshot.version)
    return fail(trust_errc::mismatch, "trusted snapshot version " + std::to_string(snapshot_->role.common.version) +
                                          " is not the timestamp's " + std::to_string(timestamp_->role.snapshot.version));
  return check_not_expired("snapshot", snapshot_->role.common, now);
}

result<void> tuf_client::update_targets(std::string_view text, wall_time now) {
  if (auto e = check_final_snapshot(now); !e) return fail(e.error());
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
  targets_ = std::make_shared<const signed_metadata<targets_metadata>>(std::move(*t));
  targets_text_ = std::string(text);
  return ok();
}

}  // namespace converge::trust::tuf

namespace converge::trust::tuf {

bool path_matches(std::string_view pattern, std::string_view path) {
  // Part by part: '*' never crosses a '/'.
  for (;;) {
    auto pp = pattern.find('/');
    auto tp = path.find('/');
    if ((pp == std::string_view::npos) != (tp == std::string_view::npos)) return false;
    std::string_view pat = pattern.substr(0, pp), part = path.substr(0, tp);
    // Greedy glob with backtracking to the last '*'.
    std::size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
    while (t < part.size()) {
      if (p < pat.size() && (pat[p] == '?' || pat[p] == part[t])) {
        ++p;
        ++t;
      } else if (p < pat.size() && pat[p] == '*') {
        star = p++;
        mark = t;
      } else if (star != std::string_view::npos) {
        p = star + 1;
        t = ++mark;
      } else {
        return false;
      }
    }
    while (p < pat.size() && pat[p] == '*') ++p;
    if (p != pat.size()) return false;
    if (pp == std::string_view::npos) return true;
    pattern.remove_prefix(pp + 1);
    path.remove_prefix(tp + 1);
  }
}

bool role_covers(const delegated_role& role, std::string_view path) {
  if (role.uses_hash_prefixes) {
    std::array<std::uint8_t, crypto_hash_sha256_BYTES> h;
    crypto_hash_sha256(h.data(), reinterpret_cast<const unsigned char*>(path.data()), path.size());
    std::string hex = to_hex(h);
    for (const auto& prefix : role.path_hash_prefixes)
      if (hex.starts_with(prefix)) return true;
    return false;
  }
  for (const auto& pattern : role.paths)
    if (path_matches(pattern, path)) return true;
  return false;
}

result<void> tuf_client::update_delegated_targets(std::string_view role, std::string_view delegator,
                                                  std::string_view text, wall_time now) {
  if (!targets_) return fail(trust_errc::out_of_order, "delegated targets need trusted top-level targets first");
  std::string name(role);
  if (name == "targets" || name == "root" || name == "snapshot" || name == "timestamp")
    return fail(trust_errc::invalid_metadata, "\"" + name + "\" cannot be a delegated role");
  const targets_metadata* parent = nullptr;
  if (delegator == "targets") parent = &targets_->role;
  else if (auto it = find_delegated(delegator); it != delegated_.end()) parent = &it->second.role;
  if (parent == nullptr) return fail(trust_errc::out_of_order, "delegator " + std::string(delegator) + " is not trusted yet");
  if (!parent->delegations) return fail(trust_errc::invalid_metadata, std::string(delegator) + " delegates nothing");
  const delegated_role* d = nullptr;
  for (const auto& r : parent->delegations->roles)
    if (r.name == name) d = &r;
  if (d == nullptr) return fail(trust_errc::invalid_metadata, std::string(delegator) + " does not delegate to " + name);
  if (auto e = check_final_snapshot(now); !e) return fail(e.error());
  auto it = snapshot_->role.meta.find(name + ".json");
  if (it == snapshot_->role.meta.end()) return fail(trust_errc::mismatch, "snapshot does not list " + name + ".json");
  const auto& want = it->second;
  if (auto h = check_length_and_hashes(name, as_bytes(text), want.length, want.hashes); !h) return fail(h.error());
  auto t = parse_targets(text, limits_.metadata);
  if (!t) return fail(with_context(t.error(), name));
  if (auto v = verify_threshold(t->env, parent->delegations->keys, d->keys, name); !v) return fail(v.error());
  if (t->role.common.version != want.version)
    return fail(trust_errc::mismatch, name + " version " + std::to_string(t->role.common.version) +
                                          " is not the snapshot's " + std::to_string(want.version));
  if (auto e = check_not_expired(name, t->role.common, now); !e) return fail(e.error());
  delegated_.insert_or_assign(std::pair<std::string, std::string>(name, delegator), std::move(*t));
  return ok();
}

// Any trusted copy of the role: as a delegator its keys are the ones its own
// delegator verified, whichever path that was.
tuf_client::delegated_map::const_iterator tuf_client::find_delegated(std::string_view role) const {
  for (auto it = delegated_.begin(); it != delegated_.end(); ++it)
    if (it->first.first == role) return it;
  return delegated_.end();
}

result<target_lookup> tuf_client::find_target(std::string_view path) const {
  if (!targets_) return fail(trust_errc::out_of_order, "find_target needs trusted targets");
  // (role, delegator) pairs still to visit; the back is visited next.
  std::vector<std::pair<std::string, std::string>> to_visit{{"targets", ""}};
  std::set<std::pair<std::string, std::string>> visited;
  std::size_t budget = limits_.max_delegations;
  while (budget > 0 && !to_visit.empty()) {
    auto current = std::move(to_visit.back());
    to_visit.pop_back();
    if (visited.contains(current)) continue;
    const targets_metadata* role = nullptr;
    if (current.first == "targets") role = &targets_->role;
    else if (auto it = delegated_.find(current); it != delegated_.end()) role = &it->second.role;
    if (role == nullptr) {
      target_lookup need;
      need.role = current.first;
      need.delegator = current.second;
      need.need_metadata = true;
      return need;
    }
    if (auto t = role->targets.find(std::string(path)); t != role->targets.end()) {
      target_lookup found;
      found.target = t->second;
      found.role = current.first;
      return found;
    }
    visited.insert(current);
    --budget;
    if (!role->delegations) continue;
    std::vector<std::pair<std::string, std::string>> children;
    for (const auto& child : role->delegations->roles) {
      if (!role_covers(child, path)) continue;
      children.emplace_back(child.name, current.first);
      if (child.terminating) {
        to_visit.clear();
        break;
      }
    }
    to_visit.insert(to_visit.end(), children.rbegin(), children.rend());
  }
  return target_lookup{};
}

}  // namespace converge::trust::tuf
