// NoiseHandshakePayload and Exchange decoders: anything decoded re-encodes
// and decodes to the same value.
#include <cstdlib>

#include "p2p/security/payload.hpp"

using namespace converge;
using namespace converge::p2p::security;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  bytes_view in(data, size);
  if (auto p = decode_handshake_payload(in)) {
    auto again = decode_handshake_payload(encode_handshake_payload(*p));
    if (!again || !(*again == *p)) std::abort();
  }
  if (auto e = decode_exchange(in)) {
    auto again = decode_exchange(encode_exchange(*e));
    if (!again || !(*again == *e)) std::abort();
  }
  return 0;
}
