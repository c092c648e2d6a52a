#pragma once
// The release bundle: everything a device needs to verify one channel's
// release, as one object. It is the GossipSub payload, the value under the
// DHT fallback key and the block an IPNS record points to.
//
//   {"format": "converge-release-bundle-v1",
//    "channel": "stable",
//    "roots": ["<root v2 text>", "<root v3 text>"],   // new roots, oldest first (may be empty)
//    "timestamp": "<text>", "snapshot": "<text>", "targets": "<text>",
//    "revocation": "<text>"}                          // optional
//
// Each document is carried as a JSON string holding its exact bytes, since
// snapshot and timestamp pin length and hashes of those bytes. The encoding
// is compact JSON with sorted keys; the whole bundle is bounded (1 MiB by default).
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.hpp"
#include "trust/errors.hpp"

namespace converge::trust {

inline constexpr std::string_view bundle_format = "converge-release-bundle-v1";

struct bundle_limits {
  std::size_t max_bytes = std::size_t{1} << 20;
  std::size_t max_roots = 16;
};

struct release_bundle {
  std::string channel;
  std::vector<std::string> roots;
  std::string timestamp, snapshot, targets;
  std::optional<std::string> revocation;
};

result<release_bundle> parse_bundle(bytes_view data, const bundle_limits& lim = {});
// Compact sorted JSON; fails (too_large) over the bound.
result<bytes> encode_bundle(const release_bundle& b, const bundle_limits& lim = {});

}  // namespace converge::trust
