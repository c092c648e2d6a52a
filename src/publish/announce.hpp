#pragma once
// The daemon-facing steps of a publish: importing files (add), announcing a
// committed release (gossip, IPNS, DHT value, providers), the CAR export, and
// reading the channel's current release from the DHT.
#include <optional>
#include <string>

#include "publish/publisher.hpp"
#include "publish/sequence.hpp"

namespace converge::publish {

// The DHT key of a channel's latest bundle.
std::string channel_dht_key(std::string_view channel);

// `add` with CID v1 and raw leaves, pinned; returns the CID text.
result<std::string> import_file(const rpc_fn& rpc, const std::filesystem::path& file);

// dht/get of the channel key, read as a bundle under the workspace's root.
// nullopt with the reason in `step` when the network has no usable value.
std::optional<network_release> read_network(const rpc_fn& rpc, const workspace& ws, step_result& step);

// Re-imports the release's files (checking their CIDs), then the bundle; returns the bundle's CID.
result<std::string> import_release(const rpc_fn& rpc, const stored_release& s);

// Gossip, IPNS, DHT value, providers; each step's outcome is appended to report.steps.
void announce(const rpc_fn& rpc, const workspace& ws, const stored_release& s, const std::string& bundle_cid,
              const publish_request& req, publish_report& report);

// dag/export of every root into one CAR file.
step_result export_car(const rpc_fn& rpc, const stored_release& s, const std::string& bundle_cid,
                       const std::filesystem::path& out);

}  // namespace converge::publish
