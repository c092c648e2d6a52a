// Peer bytes into a multistream-select core of either role. The first input
// byte picks the role (bit 0), lazy mode (bit 1), ls-first (bit 2) and the
// fragmentation (high nibble: chunk size 1..16). Invariants: no crash, bounded
// output, and after EOF the core is done or failed, never still negotiating.
#include <cstdlib>

#include "p2p/multistream.hpp"

using namespace converge;
using namespace converge::p2p;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t mode = data[0];
  bytes_view in(data + 1, size - 1);
  (void)parse_protocol_list(in, 64);

  multistream_options o;
  o.lazy = mode & 2;
  o.list_first = mode & 4;
  o.max_attempts = 8;
  const instant now{};
  std::optional<multistream_initiator> ini;
  std::optional<multistream_responder> res;
  multistream_core* core = nullptr;
  if (mode & 1) {
    res.emplace(std::vector<std::string>{"/a", "/yamux/1.0.0"}, now, o,
                [](std::string_view p) { return p.starts_with("/m/"); });
    core = &*res;
  } else {
    ini.emplace(multistream_initiator::create({"/x", "/a"}, now, o).value());
    core = &*ini;
  }
  const std::size_t chunk = (mode >> 4) + 1;
  std::size_t out_total = 0;
  bytes out;
  for (std::size_t i = 0; i < in.size(); i += chunk) {
    core->handle_input(in.subspan(i, std::min(chunk, in.size() - i)), now);
    while (core->poll_transmit(out)) out_total += out.size();
    while (core->poll_event()) {
    }
  }
  core->handle_eof();
  core->handle_timeout(now + std::chrono::hours{1});
  // Output: the header plus at most one answer (or proposal) per attempt, each
  // no longer than a message or an ls listing.
  if (out_total > 64 + (o.max_attempts + 2) * (o.max_message_size + 16)) std::abort();
  if (core->state() == multistream_state::negotiating || core->state() == multistream_state::optimistic) std::abort();
  if (core->state() == multistream_state::done && core->selected_protocol().empty() && !o.list_first) std::abort();
  return 0;
}
