#pragma once
// `converge release publish` as a library: import, deltas, release, sign,
// bundle, commit to the workspace, announce. The daemon is reached through
// an rpc_fn (the CLI binds node::rpc_request; tests bind a fake), with the
// node's RPC names and arguments: add, dht/get, pubsub/pub, name/publish,
// dht/put, dht/provide, dag/export.
//
// Crash consistency: nothing enters the workspace until the release is
// signed and bundled (workspace::commit, one rename). A rerun with the same
// content (content key: semver, platforms and sha256 of the artifacts,
// rollout, metadata) finds that release and re-imports and re-announces it
// under the same sequence; a run killed before the commit leaves nothing and
// the rerun builds the release again under the same sequence.
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/clock.hpp"
#include "base/rng.hpp"
#include "publish/delta_plan.hpp"
#include "publish/signing.hpp"
#include "publish/workspace.hpp"

namespace converge::publish {

inline constexpr std::string_view default_topic = "unimaker/mobile/version";

struct artifact_request {
  trust::platform_spec platform;
  std::filesystem::path file;
};

struct publish_request {
  std::string semver;
  std::vector<artifact_request> artifacts;
  std::vector<trust::rollout_step> rollout;
  nlohmann::json metadata = nlohmann::json::object();
  std::int64_t targets_expires = 0;    // Unix seconds
  std::int64_t timestamp_expires = 0;  // snapshot and timestamp
  delta_options deltas;
  std::optional<std::string> revocation;  // a signed revocation list to carry in the bundle
  std::string topic{default_topic};
  std::filesystem::path car_out;  // empty: no CAR
  bool announce = true;           // gossip, IPNS, DHT value and providers
  bool read_network = true;       // read the channel's DHT value first (sequence, conflicts)
};

using rpc_fn = std::function<result<nlohmann::json>(std::string_view command, const nlohmann::json& args)>;

struct step_result {
  std::string step;  // network-read, pubsub, ipns, dht-put, provide, car, conflict-check
  bool ok = false;
  std::string detail;
};

struct delta_summary {
  std::string base_version, method, cid;
  std::uint64_t size = 0;
};

struct artifact_summary {
  std::string path, cid;
  trust::platform_spec platform;
  std::uint64_t size = 0;
  std::vector<delta_summary> deltas;
  std::vector<std::string> skipped;  // delta bases without a patch, and why
};

struct publish_report {
  std::uint64_t sequence = 0;
  std::string channel, semver, release_hash, bundle_cid;
  std::uint64_t bundle_size = 0;
  bool resumed = false;  // the same content was already in the workspace: re-announced
  std::vector<artifact_summary> artifacts;
  std::vector<step_result> steps;
  std::optional<std::string> conflict;  // found after announcing; evidence kept in the workspace
  [[nodiscard]] nlohmann::json to_json() const;
};

// sha256 hex over the canonical JSON of what the request asks to publish.
std::string content_key(const publish_request& req, const std::vector<bytes>& artifact_sha256);

// Fails (and publishes nothing) on bad input, missing keys, a conflict found
// before publishing, or a failed import; announce steps that fail are
// reported in steps, not as a failure.
result<publish_report> publish(workspace& ws, const publish_request& req, const signing_keys& keys, const rpc_fn& rpc,
                               rng& r, wall_time now);

}  // namespace converge::publish
