#include "trust/release_client.hpp"

#include <algorithm>

namespace converge::trust {
namespace {

wall_time from_unix(std::int64_t s) { return wall_time{std::chrono::seconds{s}}; }

}  // namespace

result<release_client> release_client::open(std::string_view shipped_root, state_fs& fs, device_profile device,
                                            release_client_options opts) {
  release_client c(fs, std::move(device), std::move(opts));
  auto loaded = c.store_.load();
  if (!loaded) return fail(loaded.error());
  if (*loaded) c.state_ = std::move(**loaded);
  else c.state_.root = std::string(shipped_root);
  // The trusted root must still verify against itself (a corrupted store is refused).
  if (auto t = tuf::tuf_client::create(c.state_.root, c.opts_.tuf); !t) return fail(t.error());
  return c;
}

wall_time release_client::trusted_now(wall_time now) const {
  return std::max(now, from_unix(state_.time_floor)) - opts_.clock_slack;
}

bool release_client::cache_hit(const std::string& hash) {
  auto it = lru_index_.find(hash);
  if (it == lru_index_.end()) return false;
  lru_.splice(lru_.begin(), lru_, it->second);
  return true;
}

void release_client::cache_insert(const std::string& hash) {
  if (opts_.verified_cache == 0 || cache_hit(hash)) return;
  lru_.push_front(hash);
  lru_index_[hash] = lru_.begin();
  while (lru_.size() > opts_.verified_cache) {
    lru_index_.erase(lru_.back());
    lru_.pop_back();
  }
}

result<std::optional<tuf::signed_metadata<revocation_list>>> release_client::check_revocation(
    const tuf::root_metadata& root, std::string_view text, wall_time effective) const {
  auto doc = parse_revocation(text);
  if (!doc) return fail(with_context(doc.error(), "revocation list"));
  if (auto v = verify_revocation(root, *doc); !v) return fail(with_context(v.error(), "revocation list"));
  if (!state_.revocation.empty()) {
    auto old = parse_revocation(state_.revocation);
    if (old) {
      if (doc->role.common.version < old->role.common.version)
        return fail(trust_errc::rollback, "revocation list version " + std::to_string(doc->role.common.version) +
                                              " is older than trusted " + std::to_string(old->role.common.version));
      if (doc->role.common.version == old->role.common.version) return std::optional<tuf::signed_metadata<revocation_list>>{};
    }
  }
  if (doc->role.common.expires <= tuf::unix_seconds(effective))
    return fail(trust_errc::expired, "revocation list version " + std::to_string(doc->role.common.version) +
                                         " expired at " + tuf::format_expires(doc->role.common.expires));
  return std::optional<tuf::signed_metadata<revocation_list>>{std::move(*doc)};
}

result<void> release_client::update_revocation(std::string_view text, wall_time now) {
  auto client = tuf::tuf_client::create(state_.root, opts_.tuf);
  if (!client) return fail(client.error());
  auto doc = check_revocation(client->root(), text, trusted_now(now));
  if (!doc) return fail(doc.error());
  if (!*doc) return ok();
  trusted_state next = state_;
  next.revocation = std::string(text);
  if (auto s = store_.save(next); !s) return fail(s.error());
  state_ = std::move(next);
  return ok();
}

std::string release_client::installed_reason(std::uint64_t sequence, std::string_view semver,
                                             std::string_view cid) const {
  if (state_.revocation.empty()) return {};
  auto doc = parse_revocation(state_.revocation);
  if (!doc) return {};
  return revocation_reason(doc->role, device_.channel, sequence, semver, cid);
}

installed_status release_client::check_installed(std::uint64_t sequence, std::string_view semver,
                                                 std::string_view cid) const {
  return installed_reason(sequence, semver, cid).empty() ? installed_status::current : installed_status::must_move_on;
}

result<bundle_outcome> release_client::verify_bundle(bytes_view data, wall_time now) {
  if (data.size() > opts_.bundle.max_bytes)
    return fail(trust_errc::too_large, "bundle is " + std::to_string(data.size()) + " bytes, limit " +
                                           std::to_string(opts_.bundle.max_bytes));
  const std::string hash = sha256_hex(as_chars(data));
  if (cache_hit(hash)) {
    bundle_outcome out;
    out.already_verified = true;
    if (!current_)
      if (auto it = state_.channels.find(device_.channel); it != state_.channels.end())
        if (auto r = parse_release(it->second.targets, opts_.release)) current_ = std::move(*r);
    if (current_) out.rel = *current_;
    return out;
  }
  auto b = parse_bundle(data, opts_.bundle);
  if (!b) return fail(b.error());
  auto out = verify_uncached(*b, now);
  if (out) cache_insert(hash);
  return out;
}

result<tuf::tuf_client> release_client::trusted_base(const channel_state& cs, bool restore) {
  static const std::string none;
  const std::string& ts = restore ? cs.timestamp : none;
  const std::string& snap = restore ? cs.snapshot : none;
  auto& slot = restore ? restored_base_ : root_base_;
  if (slot && slot->root == state_.root && slot->timestamp == ts && slot->snapshot == snap) return slot->client;
  std::optional<tuf::tuf_client> client;
  if (root_base_ && root_base_->root == state_.root) {
    client = root_base_->client;
  } else {
    auto created = tuf::tuf_client::create(state_.root, opts_.tuf);
    if (!created) return fail(created.error());
    client = std::move(*created);
    root_base_ = verified_base{state_.root, none, none, false, *client};
  }
  if (restore && !ts.empty()) {
    if (auto r = client->restore_timestamp(ts); !r) return fail(with_context(r.error(), "trusted state"));
    if (auto s = client->restore_snapshot(snap); !s) return fail(with_context(s.error(), "trusted state"));
  }
  slot = verified_base{state_.root, ts, snap, restore, *client};
  return std::move(*client);
}

result<bundle_outcome> release_client::verify_uncached(const release_bundle& b, wall_time now) {
  if (b.channel != device_.channel)
    return fail(trust_errc::not_for_device, "bundle is for channel \"" + b.channel + "\", device follows \"" +
                                                device_.channel + "\"");
  const wall_time effective = trusted_now(now);
  channel_state cs;
  if (auto it = state_.channels.find(b.channel); it != state_.channels.end()) cs = it->second;

  // Which bundle roots are new? Parsing them is cheap; verifying is not.
  auto base = trusted_base(cs, false);
  if (!base) return fail(base.error());
  std::vector<std::size_t> new_roots;
  for (std::size_t i = 0; i < b.roots.size(); ++i) {
    auto parsed = tuf::parse_root(b.roots[i], opts_.tuf.metadata);
    if (!parsed) return fail(with_context(parsed.error(), "bundle.roots[" + std::to_string(i) + "]"));
    if (parsed->role.common.version > base->root().common.version) new_roots.push_back(i);  // else already trusted
  }
  const bool rotated = !new_roots.empty();
  std::optional<tuf::tuf_client> client;
  if (!rotated) {
    // No rotation: the persisted timestamp and snapshot verify under the
    // unchanged root exactly as when they were accepted (or the base says why not).
    auto restored = trusted_base(cs, true);
    if (!restored) return fail(restored.error());
    client = std::move(*restored);
  } else {
    client = std::move(*base);
    for (std::size_t i : new_roots)
      if (auto r = client->update_root(b.roots[i]); !r)
        return fail(with_context(r.error(), "bundle.roots[" + std::to_string(i) + "]"));
  }
  if (rotated && !cs.timestamp.empty()) {
    // After a rotation that replaced the timestamp or snapshot keys, copies
    // signed by the old keys no longer verify: dropping them is the
    // fast-forward recovery of TUF 5.3.11.
    if (client->restore_timestamp(cs.timestamp)) (void)client->restore_snapshot(cs.snapshot);
  }
  // tuf_client's errors already name the role (and the field or rule).
  if (auto r = client->update_timestamp(b.timestamp, effective); !r) return fail(r.error());
  if (auto r = client->update_snapshot(b.snapshot, effective); !r) return fail(r.error());
  if (auto r = client->update_targets(b.targets, effective); !r) return fail(r.error());

  auto rel = release_from_targets(*client->targets(), opts_.release);
  if (!rel) return fail(rel.error());
  if (rel->channel != b.channel)
    return fail(trust_errc::not_for_device, "targets is a release for channel \"" + rel->channel +
                                                "\", the bundle says \"" + b.channel + "\"");
  const std::string hash = sha256_hex(b.targets);
  bool is_new = true;
  if (auto h = cs.history.find(rel->sequence); h != cs.history.end() && h->second != hash) {
    equivocations_.push_back({b.channel, rel->sequence, h->second, hash, b.targets});
    return fail(trust_errc::equivocation, "channel " + b.channel + " sequence " + std::to_string(rel->sequence) +
                                              ": trusted release " + h->second + ", conflicting release " + hash);
  }
  if (cs.sequence > 0) {
    if (rel->sequence < cs.sequence)
      return fail(trust_errc::rollback, "release sequence " + std::to_string(rel->sequence) + " is older than trusted " +
                                            std::to_string(cs.sequence));
    if (rel->sequence == cs.sequence) is_new = false;
    if (rel->sequence == cs.sequence + 1 && rel->previous != cs.release_hash)
      return fail(trust_errc::mismatch, "release " + std::to_string(rel->sequence) +
                                            ": previous hash does not chain to the trusted release " + cs.release_hash);
  }

  std::string revocation_text = state_.revocation;
  if (b.revocation) {
    auto doc = check_revocation(client->root(), *b.revocation, effective);
    if (!doc) return fail(doc.error());
    if (*doc) revocation_text = *b.revocation;
  }
  if (!revocation_text.empty()) {
    auto list = parse_revocation(revocation_text);
    if (!list) return fail(with_context(list.error(), "trusted revocation list"));
    if (auto why = revocation_reason(list->role, *rel); !why.empty())
      return fail(trust_errc::revoked, "release " + rel->semver + " (sequence " + std::to_string(rel->sequence) +
                                           "): " + why);
  }

  auto mine = artifacts_for(*rel, device_);
  if (!mine) return fail(mine.error());

  trusted_state next = state_;
  next.root = client->root_text();
  next.revocation = revocation_text;
  next.time_floor = std::max(state_.time_floor, tuf::unix_seconds(now));
  cs.timestamp = client->timestamp_text();
  cs.snapshot = client->snapshot_text();
  cs.targets = client->targets_text();
  cs.sequence = rel->sequence;
  cs.release_hash = hash;
  cs.history[rel->sequence] = hash;
  while (cs.history.size() > max_history) cs.history.erase(cs.history.begin());
  next.channels[b.channel] = std::move(cs);
  if (next != state_) {
    if (auto s = store_.save(next); !s) return fail(s.error());
    state_ = std::move(next);
  }

  bundle_outcome out;
  out.new_release = is_new;
  for (const auto* a : *mine) out.for_device.push_back(*a);
  current_ = *rel;
  out.rel = std::move(*rel);
  return out;
}

}  // namespace converge::trust
