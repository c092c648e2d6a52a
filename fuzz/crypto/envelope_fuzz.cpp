// Signed envelope opening: anything that opens re-encodes to an envelope
// that opens again with the same contents.
#include <cstdlib>

#include "crypto/envelope.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace converge;
  using crypto::envelope;
  static const bytes type = to_bytes("/converge/fuzz");
  for (std::string_view domain : {"converge-fuzz", "libp2p-peer-record"}) {
    auto env = envelope::open({data, size}, domain, type);
    if (!env) continue;
    auto again = envelope::open(env->to_protobuf(), domain, type);
    if (!again || again->payload() != env->payload() || !(again->key() == env->key())) std::abort();
  }
  return 0;
}
