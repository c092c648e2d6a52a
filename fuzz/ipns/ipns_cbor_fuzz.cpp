// Arbitrary bytes into the strict DAG-CBOR map decoder: no crash, and
// whatever decodes is canonical, so re-encoding gives back the same bytes.
#include <cstdlib>

#include "ipns/cbor.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace converge;
  bytes_view in(data, size);
  auto m = ipns::cbor::decode_map(in);
  if (m && !equal(ipns::cbor::encode_map(*m), in)) std::abort();
  return 0;
}
