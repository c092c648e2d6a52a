#pragma once
// A test publisher for converge releases (keys, roots, releases, snapshot,
// timestamp, bundles) and an in-memory filesystem that fails at a chosen step.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/clock.hpp"
#include "multiformats/cid.hpp"
#include "trust/bundle.hpp"
#include "trust/release.hpp"
#include "trust/revocation.hpp"
#include "trust/trust_store.hpp"
#include "trust/tuf_builder.hpp"
#include "tuf_test_util.hpp"

namespace converge::trust::test_util {

// The CIDv1 (raw, sha2-256) of some content, in base32.
inline std::string content_cid(std::string_view content) {
  return mf::cid::v1(0x55, mf::multihash::sum(0x12, as_bytes(content))).to_string();
}

using tuf::ed25519_signer;
using signers = std::vector<const ed25519_signer*>;

inline wall_time at(std::string_view iso) { return wall_time{std::chrono::seconds{tuf::parse_expires(iso).value()}}; }

struct role_cfg {
  signers keys;
  int threshold = 1;
};

class publisher {
 public:
  // keys 1..10 (seed byte = index + 1); every role starts as 3-of-5 over keys 0..4.
  publisher() {
    for (std::uint8_t i = 1; i <= 10; ++i) keys.push_back(tuf::test_util::signer(i));
    role_cfg cfg{first(5), 3};
    for (const char* r : {"root", "targets", "snapshot", "timestamp", "revocation"}) roles[r] = cfg;
    root_text = sign(root_json(1), first(3));
  }

  signers first(std::size_t n, std::size_t from = 0) const {
    signers out;
    for (std::size_t i = from; i < from + n; ++i) out.push_back(keys[i].get());
    return out;
  }

  nlohmann::json root_json(int version) const {
    nlohmann::json keyobjs = nlohmann::json::object(), rj = nlohmann::json::object();
    for (const auto& [name, cfg] : roles) {
      nlohmann::json ids = nlohmann::json::array();
      for (auto* s : cfg.keys) {
        keyobjs[s->key().keyid] = s->key().object;
        ids.push_back(s->key().keyid);
      }
      rj[name] = {{"keyids", ids}, {"threshold", cfg.threshold}};
    }
    nlohmann::json root = {{"_type", "root"},         {"spec_version", "1.0.31"},     {"version", version},
                           {"expires", root_expires}, {"consistent_snapshot", true}, {"keys", keyobjs}};
    if (rj.contains("revocation")) {
      root[tuf::revocation_role_field] = rj["revocation"];
      rj.erase("revocation");
    }
    root["roles"] = rj;
    return root;
  }

  static std::string sign(const nlohmann::json& signed_part, const signers& by) {
    return tuf::test_util::signed_text(signed_part, by);
  }

  // The next root with `roles` as currently set, signed by old_signers and new_signers.
  std::string rotate(const signers& by) {
    ++root_version;
    std::string text = sign(root_json(root_version), by);
    new_roots.push_back(text);
    return text;
  }

  release make_release(std::uint64_t seq, std::string semver, std::string previous = "",
                       std::string channel = "stable") const {
    release r;
    r.channel = channel;
    r.semver = std::move(semver);
    r.sequence = seq;
    r.previous = std::move(previous);
    r.expires = tuf::parse_expires(targets_expires).value();
    r.rollout = {{tuf::parse_expires("2026-01-01T00:00:00Z").value(), 10},
                 {tuf::parse_expires("2026-01-08T00:00:00Z").value(), 100}};
    r.metadata = {{"notes", "release " + r.semver}};
    auto add = [&](std::string os, std::string arch, std::string min_os, std::string content) {
      artifact a;
      a.path = channel + "/" + os + "-" + arch + "/app-" + r.semver;
      auto f = tuf::describe_target(as_bytes(content));
      a.length = f.length;
      a.sha256 = f.hashes.at("sha256");
      a.platform = {os, arch, min_os};
      a.cid = content_cid(content);
      r.artifacts.push_back(a);
    };
    add("android", "arm64", "10", "android app " + r.semver);
    add("linux", "x86_64", "5.10", "linux app " + r.semver);
    return r;
  }

  std::string targets_text(const release& r, const signers& by) const {
    return sign(tuf::to_json(release_to_targets(r).value()), by);
  }

  // Snapshot and timestamp (version `version`) over a targets document.
  release_bundle bundle(const std::string& targets, std::uint64_t targets_version, std::uint64_t version,
                        const signers& snap_by, const signers& ts_by, std::string channel = "stable") const {
    tuf::snapshot_metadata snap;
    snap.common = {"1.0.31", version, tuf::parse_expires(snapshot_expires).value()};
    snap.meta["targets.json"] = tuf::describe_meta(targets_version, as_bytes(targets));
    std::string snap_text = sign(tuf::to_json(snap), snap_by);
    tuf::timestamp_metadata ts;
    ts.common = {"1.0.31", version, tuf::parse_expires(timestamp_expires).value()};
    ts.snapshot = tuf::describe_meta(version, as_bytes(snap_text));
    release_bundle b;
    b.channel = std::move(channel);
    b.roots = new_roots;
    b.timestamp = sign(tuf::to_json(ts), ts_by);
    b.snapshot = snap_text;
    b.targets = targets;
    return b;
  }

  // A complete, validly signed bundle for release r (versions = r.sequence).
  bytes good_bundle(const release& r) const {
    auto b = bundle(targets_text(r, first(3)), r.sequence, r.sequence, first(3), first(3), r.channel);
    return encode_bundle(b).value();
  }

  std::string revocation_text(std::uint64_t version, std::map<std::string, channel_revocations> chans,
                              const signers& by) const {
    revocation_list l;
    l.common = {"1.0.31", version, tuf::parse_expires(targets_expires).value()};
    l.channels = std::move(chans);
    return sign(to_json(l), by);
  }

  std::vector<std::unique_ptr<ed25519_signer>> keys;
  std::map<std::string, role_cfg> roles;
  std::string root_text;
  int root_version = 1;
  std::vector<std::string> new_roots;
  std::string root_expires = "2030-01-01T00:00:00Z";
  std::string targets_expires = "2029-01-01T00:00:00Z";
  std::string snapshot_expires = "2028-01-01T00:00:00Z";
  std::string timestamp_expires = "2027-01-01T00:00:00Z";
};

// In-memory state_fs. Operation number fail_at (0-based, counted across all
// writes, syncs, renames and directory syncs) fails as a crash would: a
// failing write leaves a torn half of the data behind.
class memory_fs final : public state_fs {
 public:
  result<std::optional<bytes>> read(const std::string& name) override {
    auto it = files.find(name);
    if (it == files.end()) return std::optional<bytes>{};
    return std::optional<bytes>{it->second};
  }
  result<void> write(const std::string& name, bytes_view data) override {
    if (crash()) {
      files[name] = bytes(data.begin(), data.begin() + static_cast<std::ptrdiff_t>(data.size() / 2));
      return fail(trust_errc::storage, "injected crash in write");
    }
    files[name] = to_bytes(data);
    return ok();
  }
  result<void> sync(const std::string&) override {
    if (crash()) return fail(trust_errc::storage, "injected crash in sync");
    return ok();
  }
  result<void> rename(const std::string& from, const std::string& to) override {
    if (crash()) return fail(trust_errc::storage, "injected crash in rename");
    files[to] = files[from];
    files.erase(from);
    return ok();
  }
  result<void> sync_dir() override {
    if (crash()) return fail(trust_errc::storage, "injected crash in sync_dir");
    return ok();
  }

  std::map<std::string, bytes> files;
  int fail_at = -1;
  int steps = 0;

 private:
  bool crash() { return steps++ == fail_at; }
};

}  // namespace converge::trust::test_util
