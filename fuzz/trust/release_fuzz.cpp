// parse_release: never crashes; an accepted release rebuilds to targets that parse back to the same release.
#include <cstdint>
#include <cstdlib>

#include "trust/release.hpp"
#include "trust/tuf_builder.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace converge::trust;
  auto r = parse_release({reinterpret_cast<const char*>(data), size});
  if (!r) return 0;
  auto t = release_to_targets(*r);
  if (!t) std::abort();
  auto again = release_from_targets(*t);
  if (!again || again->semver != r->semver || again->sequence != r->sequence ||
      again->artifacts.size() != r->artifacts.size())
    std::abort();
  return 0;
}
