#pragma once
// A converge release: one top-level TUF targets document per channel and
// sequence, listing every platform's artifacts. The TUF fields (length,
// sha256) are the target's own; everything converge adds sits in each
// target's "custom" object:
//
//   "custom": {
//     "channel": "stable", "semver": "1.4.0", "sequence": 7,   // sequence == targets version
//     "platform": {"os": "android", "arch": "arm64", "min_os": "10"},
//     "kind": "full" | "delta" | "resource",
//     "cid": "bafy...",
//     "deltas": [{"base_version": "1.3.0", "base_cid": "...", "algorithm": "converge-zip-v1",
//                 "cid": "...", "size": 123, "sha256": "<hex>"}],
//     "previous": "<sha256 hex of the previous release's targets document>" | "",
//     "rollout": [{"start": "2026-01-01T00:00:00Z", "percent": 10}, ...],
//     "metadata": {...free, bounded...}
//   }
//
// Release-wide fields (channel, semver, sequence, previous, rollout,
// metadata) are repeated in every target and must agree. One channel is one
// repository namespace: every target path starts with "<channel>/". Errors
// are trust_errc::invalid_metadata naming the field, e.g.
// targets.targets["stable/app.apk"].custom.platform.os: must be one of android, harmonyos, ios, linux
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "trust/tuf_metadata.hpp"

namespace converge::trust {

struct release_limits {
  std::size_t max_artifacts = 1024;
  std::size_t max_deltas = 64;          // per artifact
  std::size_t max_rollout_steps = 32;
  std::size_t max_metadata_bytes = 16 * 1024;  // canonical JSON of "metadata"
};

enum class artifact_kind { full, delta, resource };
std::string_view to_string(artifact_kind k);

struct platform_spec {
  std::string os;      // android | harmonyos | ios | linux
  std::string arch;    // e.g. arm64, x86_64
  std::string min_os;  // dotted decimal, e.g. "10" or "12.4"
};

struct delta_entry {
  std::string base_version;
  std::string base_cid;
  std::string algorithm;
  std::string cid;
  std::uint64_t size = 0;
  bytes sha256;
};

struct artifact {
  std::string path;  // the TUF target path, "<channel>/..."
  std::uint64_t length = 0;
  bytes sha256;
  platform_spec platform;
  artifact_kind kind = artifact_kind::full;
  std::string cid;
  std::vector<delta_entry> deltas;
};

struct rollout_step {
  std::int64_t start = 0;     // Unix seconds
  std::uint32_t percent = 0;  // 1..100, non-decreasing
};

struct release {
  std::string channel;
  std::string semver;
  std::uint64_t sequence = 0;
  std::string previous;  // hex sha256 of the previous release's targets document; "" for the first
  std::vector<rollout_step> rollout;
  nlohmann::json metadata = nlohmann::json::object();
  std::int64_t expires = 0;
  std::vector<artifact> artifacts;  // sorted by path
};

// The device asking: its channel and platform.
struct device_profile {
  std::string channel;
  std::string os;
  std::string arch;
  std::string os_version;
};

// Strict reading of a parsed targets role as a release (sequence must equal the version).
result<release> release_from_targets(const tuf::targets_metadata& t, const release_limits& lim = {});
// Parses a signed targets document's text and reads it as a release (no signature check).
result<release> parse_release(std::string_view targets_text, const release_limits& lim = {});
// Checks a release as release_from_targets would, then builds its targets role (version = sequence).
result<tuf::targets_metadata> release_to_targets(const release& r, const release_limits& lim = {});

// The artifacts a device can install: same os and arch, min_os <= os_version
// (a min_os of "0" fits every device, also one whose os_version is "").
// trust_errc::not_for_device when the channel differs or nothing matches.
result<std::vector<const artifact*>> artifacts_for(const release& r, const device_profile& d);

// Dotted-decimal comparison ("10" < "10.1" < "11"); false for malformed input.
bool os_version_at_least(std::string_view have, std::string_view need);
bool valid_semver(std::string_view v);
// sha256 hex of a document's bytes (the hash chain and equivocation use it).
std::string sha256_hex(std::string_view data);

}  // namespace converge::trust
