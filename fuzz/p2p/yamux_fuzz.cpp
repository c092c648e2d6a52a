// Peer bytes into a yamux_session. The first input byte picks the role (bit 0)
// and the fragmentation (high nibble: chunk size 1..16, then scaled). The
// application side reads everything, echoes a little and closes streams, so
// the write, FIN and window-update paths run too. Invariants: no crash, every
// stream's buffered data within its receive window, output bounded, and EOF
// ends the session.
#include <cstdlib>

#include "p2p/yamux_session.hpp"

using namespace converge;
using namespace converge::p2p;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t mode = data[0];
  bytes_view in(data + 1, size - 1);
  for (std::size_t i = 0; i + yamux_header_size <= in.size(); i += yamux_header_size)
    (void)decode_yamux_header(std::span<const std::uint8_t, yamux_header_size>(in.data() + i, yamux_header_size));

  yamux_config cfg;
  cfg.max_streams = 8;
  cfg.max_transmit_buffer = 64 * 1024;
  cfg.control_slack = 16 * 1024;
  instant now{};
  yamux_session s(mode & 1 ? yamux_role::server : yamux_role::client, now, cfg);
  if (mode & 2) (void)s.open_stream(now);
  const std::size_t chunk = (static_cast<std::size_t>(mode >> 4) + 1) * ((mode & 4) ? 97 : 1);
  bytes out;
  std::uint8_t buf[512];
  for (std::size_t i = 0; i < in.size(); i += chunk) {
    now += std::chrono::milliseconds{5};
    s.handle_input(in.subspan(i, std::min(chunk, in.size() - i)), now);
    while (auto e = s.poll_event()) {
      if (auto* r = std::get_if<stream_readable>(&*e)) {
        auto got = s.read(r->id, buf, now);
        if (got && got->size > 0) (void)s.write(r->id, bytes_view(buf, std::min<std::size_t>(got->size, 16)), now);
      } else if (auto* f = std::get_if<stream_remote_closed>(&*e)) {
        (void)s.read(f->id, buf, now);
        (void)s.close_write(f->id);
      }
    }
    for (std::uint32_t id = 1; id < 64; ++id)
      if (auto info = s.stream_info(id); info && info->buffered > info->receive_window) std::abort();
    if (s.poll_transmit(out) && out.size() > cfg.max_transmit_buffer + cfg.control_slack + 64) std::abort();
    if (auto t = s.poll_timeout(); t && *t <= now) s.handle_timeout(now);
  }
  s.handle_eof();
  if (!s.closed()) std::abort();
  while (s.poll_event()) {
  }
  return 0;
}
