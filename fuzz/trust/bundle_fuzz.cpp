// parse_bundle: never crashes; an accepted bundle re-encodes to bytes that parse to the same bundle.
#include <cstdint>
#include <cstdlib>

#include "trust/bundle.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace converge::trust;
  auto b = parse_bundle({data, size});
  if (!b) return 0;
  auto enc = encode_bundle(*b);
  if (!enc) return 0;  // e.g. re-encoding a bundle at the size bound with more escapes
  auto again = parse_bundle(*enc);
  if (!again || again->targets != b->targets || again->roots != b->roots || again->revocation != b->revocation)
    std::abort();
  return 0;
}
