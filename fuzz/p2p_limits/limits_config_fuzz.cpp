// Parses the input as a limits configuration. Whatever is accepted must
// survive to_json -> parse unchanged; refusals must be invalid_config with a
// detail that names a field under "limits".
#include <cstdlib>

#include "p2p/limits/config.hpp"

using namespace converge::p2p::limits;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto c = parse_limits_config(text);
  if (!c) {
    if (c.error().code != limits_errc::invalid_config) std::abort();
    if (c.error().detail.rfind("limits", 0) != 0) std::abort();
    return 0;
  }
  if (c->connmgr.low_water >= c->connmgr.high_water) std::abort();
  auto again = parse_limits_config(to_json(*c));
  if (!again || *again != *c) std::abort();
  return 0;
}
