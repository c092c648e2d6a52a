#pragma once
// The names the agent persists and shows: phases of an update attempt and
// the carriers a release is heard by. The text forms are stored in agent.db
// and appear in `converge status`; never renumber or rename them.
#include <optional>
#include <string_view>

namespace converge::agent {

enum class phase { idle, announced, verified, downloading, downloaded, staged, installing, installed, failed };
enum class heard_via { gossip, ipns, dht, dnslink, local };

std::string_view to_string(phase p);
std::string_view to_string(heard_via v);
std::optional<phase> phase_from_string(std::string_view s);
std::optional<heard_via> heard_via_from_string(std::string_view s);

}  // namespace converge::agent
