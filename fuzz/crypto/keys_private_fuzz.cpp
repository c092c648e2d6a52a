// PrivateKey protobuf parsing: an accepted key round-trips through its
// encoding and signs messages its own public key verifies.
#include <cstdlib>

#include "crypto/keys.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace converge;
  bytes_view in(data, size);
  auto key = crypto::private_key::from_protobuf(in);
  if (!key) return 0;
  auto again = crypto::private_key::from_protobuf(key->to_protobuf());
  if (!again || !(*again == *key) || !(again->public_key() == key->public_key())) std::abort();
  auto sig = key->sign(in);
  if (!sig || !key->public_key().verify(in, *sig)) std::abort();
  return 0;
}
