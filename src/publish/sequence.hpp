#pragma once
// Which sequence the next release takes, and when two publishers collide.
//
// Two publishers share one root and its keys; each keeps its own workspace
// and reads the network's current release of the channel (the DHT value
// /unimaker/version/<channel>). The next sequence is
// max(the workspace's last, the network's) + 1, chained to whichever release
// is the newer. A network release with a sequence the workspace already holds
// under another targets hash is a conflict: both are validly signed, devices
// will refuse the second they see, and the publisher reports it (with the
// evidence kept in the workspace) instead of publishing over it.
#include <optional>
#include <string>
#include <vector>

#include "publish/workspace.hpp"

namespace converge::publish {

struct network_release {
  std::uint64_t sequence = 0;
  std::string semver;
  std::string targets_text;
  std::string targets_hash;
  bytes bundle;
};

// A value from the network read as a bundle of `channel` whose targets meet
// the threshold of `root`'s targets role. Errors say why it is not usable
// (not a bundle, another channel, not signed under this root).
result<network_release> read_network_bundle(bytes_view value, const trust::tuf::root_metadata& root,
                                            std::string_view channel);

struct sequence_choice {
  std::uint64_t sequence = 1;
  std::string previous;        // targets hash the new release chains to ("" for the first)
  bool adopt_network = false;  // the network's release is newer than the workspace's: store it first
};

// history: the workspace's releases, ascending. publish_errc::conflict (detail
// names the sequence and both hashes) when the network's release disagrees
// with the workspace's release of the same sequence.
result<sequence_choice> choose_sequence(const std::vector<stored_release>& history,
                                        const std::optional<network_release>& net);

}  // namespace converge::publish
