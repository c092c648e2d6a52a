#pragma once
// The update policies, as pure functions of the release, the device's
// configuration and inputs, and `now`. Each gate answers allowed, or the
// reason it is not, with the next time worth looking again (none when only a
// new event, such as a new release or new device conditions, can change it).
#include <optional>
#include <string>

#include "agent/config.hpp"
#include "base/bytes.hpp"
#include "base/clock.hpp"
#include "trust/release.hpp"

namespace converge::agent {

// Device conditions, supplied by the platform (defaults: no constraint hit).
struct conditions {
  bool online = true;
  bool metered = false;
  bool charging = true;
  int battery_percent = 100;
};

struct gate {
  bool allowed = true;
  std::string reason;                 // empty when allowed
  std::optional<wall_time> next_look; // when the answer may change by time alone

  static gate allow() { return {}; }
  static gate block(std::string why, std::optional<wall_time> at = std::nullopt) {
    return {false, std::move(why), at};
  }
};

// sha256(salt || release_hash): the first 8 bytes, big-endian, / 2^64 * 100, in [0, 100).
double rollout_bucket(bytes_view salt, std::string_view release_hash);

// Staged rollout: the step in force at `now` (the last with start <= now)
// admits buckets below its percent; before the first step nobody; no steps,
// everybody. Blocked: next_look is the first later step admitting `bucket`.
gate rollout_gate(const std::vector<trust::rollout_step>& steps, double bucket, wall_time now);

// Emergency halt: metadata["halt"] == true stops new downloads and installs.
bool halted(const trust::release& r);
gate halt_gate(bool is_halted);

// Allowed UTC windows; empty = any time. next_look: the next window opening.
gate window_gate(const std::vector<time_window>& windows, wall_time now);

// Per device and release, a delay in [0, jitter) (whole seconds), deterministic.
std::chrono::seconds jitter_delay(bytes_view salt, std::string_view release_hash, std::chrono::seconds jitter);
gate jitter_gate(wall_time heard_at, std::chrono::seconds delay, wall_time now);

// Network and battery: offline, metered (unless allowed), not charging (when
// required), battery below min_percent (ignored while charging). Only new
// conditions change the answer: next_look is always empty.
gate conditions_gate(const agent_config& cfg, const conditions& c);

// Retry delay after `failures` (>= 1) failures: min(max, initial * 2^(failures-1)),
// then "equal jitter": half of it fixed, half uniform from the rng.
std::chrono::seconds backoff_delay(std::chrono::seconds initial, std::chrono::seconds max, std::uint32_t failures,
                                   std::uint64_t random);

}  // namespace converge::agent
