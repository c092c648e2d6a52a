// The Identify decoder on arbitrary bytes: as one message and as a stream of
// length-prefixed messages. A decoded message must re-encode and decode again.
#include <cstddef>
#include <cstdint>

#include "p2p/io/protocols/identify_message.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace converge::p2p::io;
  converge::bytes_view in(data, size);
  if (auto one = decode_identify(in)) {
    auto again = decode_identify(encode_identify(*one));
    if (!again || again->protocols != one->protocols || again->listen_addrs != one->listen_addrs) __builtin_trap();
  }
  (void)decode_identify_stream(in);
  return 0;
}
