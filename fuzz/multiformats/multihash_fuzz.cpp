// Parses arbitrary bytes as a multihash; an accepted multihash re-encodes to
// exactly the input and parses back equal.
#include <cstdlib>

#include "multiformats/multihash.hpp"

using namespace converge;
using namespace converge::mf;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  bytes_view in(data, size);
  if (auto p = multihash::parse_prefix(in)) {
    if (p->consumed > size || !equal(p->value.bytes(), in.first(p->consumed))) std::abort();
    auto again = multihash::parse(p->value.bytes());
    if (!again || *again != p->value) std::abort();
    if (p->value.digest().size() > max_digest_size) std::abort();
    if (auto exact = multihash::parse(in); exact.has_value() != (p->consumed == size)) std::abort();
    (void)p->value.verifies(in);
  }
  return 0;
}
