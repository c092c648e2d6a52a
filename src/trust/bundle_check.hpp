#pragma once
// Stateless bundle checking, for nodes that relay releases without
// installing them: the DHT's /unimaker/version/<channel> validator and the
// gossip validator of a node that follows no channel itself.
//
// check_bundle(root, bundle, now) verifies everything a bundle proves on its
// own against one trusted root: the bundle's new roots in order (each signed
// by the previous), timestamp, snapshot and targets (signatures, thresholds,
// versions, hashes, expiry at `now`), the release rules (release.hpp) and the
// bundle's own revocation list (signed by the root's revocation role,
// unexpired; a listed release is refused). It cannot check what needs a
// device's history (rollback below a trusted sequence, the hash chain,
// equivocation): release_client does that on the devices.
#include <string>

#include "base/clock.hpp"
#include "trust/release_client.hpp"

namespace converge::trust {

struct checked_bundle {
  release rel;
  std::string release_hash;  // sha256 hex of the targets document
};

result<checked_bundle> check_bundle(std::string_view trusted_root, bytes_view bundle, wall_time now,
                                    const release_client_options& opts = {});

}  // namespace converge::trust
