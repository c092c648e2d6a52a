#pragma once
// The publisher's workspace: one directory per channel holding what the next
// release needs. Layout:
//
//   workspace.json                 {"format": "converge-publisher-workspace-v1", "channel": "stable"}
//   roots/root-<version>.json      the channel's signed roots, version 1 (shipped) up to the newest
//   releases/<sequence, 20 digits>/
//       record.json                {"sequence", "semver", "origin", "content_key", "files": {cid: relative path}}
//       targets.json               the signed targets document, exact bytes (its sha256 is the hash chain)
//       bundle.bin                 the release bundle as announced
//       files/..., deltas/...      local artifacts and deltas (absent for origin "network")
//   releases/.staging-<sequence>/  a release being built; removed by the next open
//   conflicts/<sequence>-<sha256>.json   evidence of a same-sequence release signed elsewhere
//   lock                           flock: one publish at a time
//
// A release directory appears by one rename of its finished staging
// directory, after signing: a publisher killed at any point leaves either
// the previous set of releases or the new one, never a half-written release.
// An existing releases/<sequence> is never replaced (publish_errc::conflict).
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.hpp"
#include "trust/release.hpp"
#include "trust/tuf_metadata.hpp"

namespace converge::publish {

inline constexpr std::string_view workspace_format = "converge-publisher-workspace-v1";

struct workspace_limits {
  std::size_t max_releases = 4096;
  std::size_t max_roots = 64;
  std::size_t max_document_bytes = std::size_t{4} << 20;  // record, targets, bundle, root
};

// The two documents a workspace keeps of its own, parsed (pure functions;
// fuzz/publish): workspace.json gives the channel, record.json a release's
// bookkeeping. Errors say which field is wrong.
struct release_record {
  std::uint64_t sequence = 0;
  std::string semver, origin, content_key;
  std::map<std::string, std::string> files;  // cid -> path relative to the release directory (checked safe)
};
result<std::string> parse_workspace_meta(std::string_view text);
result<release_record> parse_release_record(std::string_view text);

struct stored_release {
  std::uint64_t sequence = 0;
  std::string semver;
  std::string origin;        // "local" (published here) or "network" (another publisher's, adopted)
  std::string content_key;   // local: the request's content key (content_key.hpp); "" for network
  std::string targets_text;  // exact bytes
  std::string targets_hash;  // sha256 hex of targets_text
  bytes bundle;
  trust::release rel;
  std::map<std::string, std::filesystem::path> files;  // cid -> absolute path (artifacts and deltas)
  std::filesystem::path dir;
};

// A release under construction in releases/.staging-<sequence>.
class release_staging {
 public:
  [[nodiscard]] const std::filesystem::path& dir() const { return dir_; }
  [[nodiscard]] std::uint64_t sequence() const { return sequence_; }
  // Copies `src` to dir()/rel (rel relative, no ".."); returns the absolute path.
  result<std::filesystem::path> copy_in(const std::filesystem::path& src, const std::string& rel);
  result<std::filesystem::path> write(const std::string& rel, bytes_view data);

 private:
  friend class workspace;
  release_staging(std::filesystem::path d, std::uint64_t s) : dir_(std::move(d)), sequence_(s) {}
  std::filesystem::path dir_;
  std::uint64_t sequence_ = 0;
};

class workspace {
 public:
  // Makes `dir` (absent or empty) a workspace for `channel` with its root
  // chain, oldest first: version 1 signed by itself, each next version by the
  // previous and its own root threshold.
  static result<workspace> create(const std::filesystem::path& dir, const std::string& channel,
                                  const std::vector<std::string>& roots, const workspace_limits& lim = {});
  // Opens and locks `dir`; removes staging directories a killed publish left behind.
  static result<workspace> open(const std::filesystem::path& dir, const workspace_limits& lim = {});

  workspace(workspace&& o) noexcept;
  workspace& operator=(workspace&&) = delete;
  ~workspace();

  [[nodiscard]] const std::filesystem::path& dir() const { return dir_; }
  [[nodiscard]] const std::string& channel() const { return channel_; }
  [[nodiscard]] const trust::tuf::root_metadata& root() const { return root_; }
  // Signed root texts, oldest first (index 0 is version 1).
  [[nodiscard]] const std::vector<std::string>& roots() const { return roots_; }
  // Adds the next root version (verified as in create); the same text again is a no-op.
  result<void> add_root(const std::string& text);

  // Every stored release, ascending by sequence; a malformed one is an error naming it.
  result<std::vector<stored_release>> releases() const;
  result<std::optional<stored_release>> find(std::uint64_t sequence) const;

  // A fresh staging directory for `sequence` (an old one is removed first).
  result<release_staging> stage(std::uint64_t sequence);
  // Writes record, targets and bundle into the staging directory, syncs, and
  // renames it to releases/<sequence>. conflict when that already exists.
  // rec.files maps cids to paths inside the staging directory.
  result<stored_release> commit(release_staging st, const stored_release& rec);
  // Keeps a conflicting signed targets document as evidence; returns its path.
  result<std::filesystem::path> record_conflict(std::uint64_t sequence, const std::string& targets_text);

 private:
  workspace() = default;
  result<void> lock();
  result<stored_release> load_release(const std::filesystem::path& d) const;
  std::filesystem::path dir_;
  std::string channel_;
  std::vector<std::string> roots_;
  trust::tuf::root_metadata root_;
  workspace_limits lim_;
  int lock_fd_ = -1;
};

// The directory name of a sequence: 20 digits, so names sort as numbers.
std::string sequence_dir_name(std::uint64_t sequence);

}  // namespace converge::publish
