// parse_revocation: never crashes; an accepted list re-encodes to a list that parses the same.
#include <cstdint>
#include <cstdlib>

#include "trust/revocation.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace converge::trust;
  auto r = parse_revocation({reinterpret_cast<const char*>(data), size});
  if (!r) return 0;
  nlohmann::json doc = {{"signed", to_json(r->role)}, {"signatures", nlohmann::json::array()}};
  auto again = parse_revocation(doc.dump());
  if (!again || again->role.channels.size() != r->role.channels.size() ||
      again->role.common.version != r->role.common.version)
    std::abort();
  for (const auto& [name, c] : r->role.channels) {
    const auto& d = again->role.channels.at(name);
    if (d.min_sequence != c.min_sequence || d.versions != c.versions || d.cids != c.cids) std::abort();
  }
  return 0;
}
