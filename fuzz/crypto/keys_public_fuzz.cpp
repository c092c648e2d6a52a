// PublicKey protobuf parsing: accepted input is exactly the canonical
// encoding, and verification of arbitrary signatures never crashes.
#include <cstdlib>

#include "crypto/keys.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace converge;
  bytes_view in(data, size);
  auto key = crypto::public_key::from_protobuf(in);
  if (!key) return 0;
  if (!equal(key->to_protobuf(), in)) std::abort();
  auto again = crypto::public_key::from_raw(key->type(), key->raw());
  if (!again || !(*again == *key)) std::abort();
  (void)key->verify(in, in.last(std::min<std::size_t>(in.size(), 72)));
  return 0;
}
