// The pubsub stream framing: fed in chunks whose size the first byte picks;
// every frame the decoder yields is within max_rpc_size, and the decoder never
// buffers more than one frame plus its prefix.
#include <cstdlib>

#include "pubsub/framing.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace converge;
  if (size == 0) return 0;
  std::size_t chunk = 1 + data[0] % 16;
  constexpr std::size_t max = 4096;
  pubsub::frame_decoder d(max);
  bytes_view in(data + 1, size - 1);
  for (std::size_t pos = 0; pos < in.size(); pos += chunk) {
    if (!d.handle_input(in.subspan(pos, std::min(chunk, in.size() - pos)))) break;
    while (auto f = d.next_frame()) {
      if (f->size() > max) std::abort();
      (void)pubsub::decode_rpc(*f, max);
    }
    if (d.buffered() > max + 16 + chunk) std::abort();
  }
  return 0;
}
