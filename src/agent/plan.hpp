#pragma once
// What the core keeps of a verified release to carry an attempt through a
// restart without verifying the bundle again: the release-wide policy fields
// and the one artifact this device installs. Stored as JSON text in the
// attempt row (attempt_record::plan).
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/errors.hpp"
#include "trust/release.hpp"

namespace converge::agent {

struct release_plan {
  std::string channel;
  std::string semver;
  std::uint64_t sequence = 0;
  std::vector<trust::rollout_step> rollout;
  bool halt = false;
  trust::artifact target;  // the device's full artifact
};

// The full artifact the device installs: among for_device, the first of kind
// full (for_device is sorted by path). None: nothing to install here.
std::optional<trust::artifact> pick_target(const std::vector<trust::artifact>& for_device);
// The delta whose base is the installed release (same semver and, when both are
// known, the same CID).
std::optional<trust::delta_entry> pick_delta(const trust::artifact& target, std::string_view installed_semver,
                                             std::string_view installed_cid);

std::string encode_plan(const release_plan& p);
result<release_plan> decode_plan(std::string_view text);  // agent_errc::bad_state naming the field

}  // namespace converge::agent
