// Decodes arbitrary bytes as one cover stream: input byte 0 picks the codec
// (any value, so unknown codecs are exercised through the patch fuzzer's
// layout check instead), byte 1 is the LZMA2 props byte, the rest is the
// coded stream. With a 2^16 bound every run must end in clean errors or in
// data within the bound's memory; a declared dictionary over it must fail.
#include <cstdlib>

#include "delta/stream_codec.hpp"

using namespace converge;
using namespace converge::delta;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  auto kind = static_cast<codec>(data[0] % 3);
  auto src = input_source::from_memory({data + 2, size - 2});
  stream_reader r(src, 0, size - 2, kind, data[1], 16, "fuzz stream");
  std::uint8_t buf[4096];
  std::size_t total = 0;
  for (int i = 0; i < 64; ++i) {  // at most 256 KiB of output per input
    if (i % 2 == 0) {
      if (!r.uvarint()) break;
    } else if (!r.read({buf, 1 + (static_cast<std::size_t>(i) * 131) % sizeof buf})) {
      break;
    }
    total += 1;
  }
  (void)r.expect_end();
  (void)total;
  return 0;
}
