// Decodes the input as a Bitswap message (and as a framed stream). Accepted
// messages must re-encode (1.2.0) to a message with the same entries, blocks
// and presences, and every decoded block must verify against its CID.
#include <cstdlib>

#include "bitswap/message.hpp"

using namespace converge;
using namespace converge::bitswap;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  bytes_view in(data, size);
  if (auto m = decode_message(in)) {
    for (const auto& b : m->blocks)
      if (!blocks::verify_block(b.id, b.data)) std::abort();
    auto again = decode_message(encode_message(*m, protocol_version::v1_2_0));
    if (!again || again->blocks.size() != m->blocks.size() || again->presences.size() != m->presences.size() ||
        again->full != m->full)
      std::abort();
    if (again->wantlist.size() != m->wantlist.size()) std::abort();
    for (std::size_t i = 0; i < m->blocks.size(); ++i)
      if (again->blocks[i].id != m->blocks[i].id) std::abort();
  }
  frame_reader r(1 << 16);
  if (!r.feed(in)) return 0;
  for (int i = 0; i < 64; ++i) {
    auto f = r.next();
    if (!f || !*f) break;
    (void)decode_message(**f);
  }
  return 0;
}
