#pragma once
// The TUF client workflow over a fetcher and a metadata directory: the I/O
// shell around trust::tuf::tuf_client, following the order and the file
// layout of the tuf-conformance client protocol (CLIENT-CLI.md):
//   root.json, timestamp.json, snapshot.json, targets.json and
//   <quoted role>.json in the metadata directory (no version prefixes);
//   N.root.json, timestamp.json, [V.]snapshot.json, [V.]<role>.json and
//   [<hash>.]<target> on the repository (prefixes with consistent_snapshot).
// Local copies are tried first and used when they still verify as final;
// everything accepted from the network is persisted atomically.
#include <optional>
#include <string>

#include "base/clock.hpp"
#include "http_fetcher.hpp"
#include "trust/tuf_client.hpp"

namespace converge::tufcli {

struct updater_config {
  std::string metadata_dir;
  std::string metadata_url;     // base URL, a trailing "/" is added
  std::string target_dir;
  std::string target_base_url;  // base URL, a trailing "/" is added
  // Download bounds when the trusted metadata gives no length.
  std::uint64_t root_max_length = 512000;
  std::uint64_t timestamp_max_length = 16384;
  std::uint64_t snapshot_max_length = 2000000;
  std::uint64_t targets_max_length = 5000000;
  std::size_t max_root_rotations = 256;
};

// Percent-encodes everything but ALPHA / DIGIT / "-" / "." / "_" / "~" (a
// role name or target path becomes one file name / URL segment).
std::string quote(std::string_view s);

class updater {
 public:
  static result<updater> open(updater_config cfg, fetcher& net, wall_time now);

  // Root rotations, timestamp, snapshot, top-level targets.
  result<void> refresh();
  // Refreshes first when needed; nullopt when no role lists the path.
  result<std::optional<trust::tuf::target_file>> get_targetinfo(std::string_view path);
  // True when target_dir already holds the file with the trusted length and hashes.
  bool find_cached_target(std::string_view path, const trust::tuf::target_file& info) const;
  result<void> download_target(std::string_view path, const trust::tuf::target_file& info);

 private:
  updater(updater_config cfg, fetcher& net, wall_time now, trust::tuf::tuf_client c)
      : cfg_(std::move(cfg)), net_(&net), now_(now), client_(std::move(c)) {}

  result<std::string> download_metadata(std::string_view role, std::uint64_t max_length,
                                        std::optional<std::uint64_t> version, unsigned* status = nullptr);
  std::optional<std::string> load_local(std::string_view role) const;
  result<void> persist(std::string_view role, std::string_view text) const;
  result<void> load_root();
  result<void> load_timestamp();
  result<void> load_snapshot();
  result<void> load_targets();
  result<void> load_delegated(const std::string& role, const std::string& delegator);
  std::string target_file_path(std::string_view path) const;

  updater_config cfg_;
  fetcher* net_;
  wall_time now_;
  trust::tuf::tuf_client client_;
  bool refreshed_ = false;
};

}  // namespace converge::tufcli
