#pragma once
// Delta planning: for each platform artifact of a new release, patches
// against the same platform's artifact in the previous releases the channel
// still serves (the newest `bases` releases in the workspace with a local
// copy), made with src/delta's automatic chooser. A patch is kept only when
// the chooser finds it clearly smaller than the compressed full package
// (max_ratio); otherwise the devices on that base take the full package.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "delta/delta.hpp"
#include "publish/workspace.hpp"

namespace converge::publish {

struct delta_options {
  unsigned bases = 2;       // previous releases to make deltas against (0: none)
  double max_ratio = 0.9;   // keep a patch only at most this times the compressed full package
};

struct delta_base {
  std::uint64_t sequence = 0;
  std::string semver;
  std::string cid;                // the base artifact's CID (delta_entry.base_cid)
  std::filesystem::path file;     // its local copy
  bytes sha256;
};

struct planned_delta {
  delta_base base;
  delta::method method = delta::method::cover;
  bytes patch;
  std::uint64_t full_size = 0;    // the compressed full package the chooser compared against
};

struct delta_plan {
  std::vector<planned_delta> deltas;  // newest base first
  std::vector<std::string> skipped;   // bases without a patch, and why
};

// The newest `n` releases (history ascending) with an artifact of the same os
// and arch as `p` and a local file for it.
std::vector<delta_base> bases_for(const std::vector<stored_release>& history, const trust::platform_spec& p,
                                  unsigned n);

// Patches from each base to new_data. Bases with the same content as
// new_data, and bases for which no method beats the threshold, are skipped
// (listed in skipped); unreadable base files are errors.
result<delta_plan> plan_deltas(bytes_view new_data, const std::vector<delta_base>& bases, const delta_options& o);

// The delta_entry algorithm name of a patch method: "converge-delta-<method>".
std::string delta_algorithm(delta::method m);

}  // namespace converge::publish
