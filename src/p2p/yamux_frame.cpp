#include "p2p/yamux_frame.hpp"

#include <string>

namespace converge::p2p {

namespace {
struct yamux_category_impl final : std::error_category {
  const char* name() const noexcept override { return "yamux"; }
  std::string message(int ev) const override {
    switch (static_cast<yamux_errc>(ev)) {
      case yamux_errc::protocol_error: return "peer violated the yamux protocol";
      case yamux_errc::remote_protocol_error: return "peer reports a protocol error";
      case yamux_errc::remote_internal_error: return "peer reports an internal error";
      case yamux_errc::keepalive_timeout: return "keep-alive ping timed out";
      case yamux_errc::connection_closed: return "connection closed";
      case yamux_errc::output_overflow: return "peer does not read; output buffer full";
      case yamux_errc::internal_error: return "session ended by an internal error";
      case yamux_errc::go_away_completed: return "session ended after GoAway";
      case yamux_errc::session_closed: return "session closed";
      case yamux_errc::going_away: return "session is going away";
      case yamux_errc::unknown_stream: return "unknown stream";
      case yamux_errc::stream_closed: return "stream closed for writing";
      case yamux_errc::stream_reset: return "stream reset";
      case yamux_errc::too_many_streams: return "too many streams";
      case yamux_errc::ids_exhausted: return "stream ids exhausted";
    }
    return "unknown yamux error";
  }
};

std::uint32_t be32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}
void put32(bytes& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}
}  // namespace

const std::error_category& yamux_category() noexcept {
  static const yamux_category_impl cat;
  return cat;
}

result<yamux_header> decode_yamux_header(std::span<const std::uint8_t, yamux_header_size> in) {
  if (in[0] != yamux_version)
    return fail(yamux_errc::protocol_error, "frame version " + std::to_string(in[0]) + ", expected 0");
  if (in[1] > 3) return fail(yamux_errc::protocol_error, "unknown frame type " + std::to_string(in[1]));
  yamux_header h;
  h.type = static_cast<yamux_type>(in[1]);
  h.flags = static_cast<std::uint16_t>((in[2] << 8) | in[3]);
  h.stream_id = be32(in.data() + 4);
  h.length = be32(in.data() + 8);
  bool session_frame = h.type == yamux_type::ping || h.type == yamux_type::go_away;
  if (session_frame && h.stream_id != 0)
    return fail(yamux_errc::protocol_error, (h.type == yamux_type::ping ? std::string("ping") : "GoAway") +
                                                " frame on stream " + std::to_string(h.stream_id) + ", expected 0");
  if (!session_frame && h.stream_id == 0)
    return fail(yamux_errc::protocol_error,
                (h.type == yamux_type::data ? std::string("data") : "window update") + " frame on stream 0");
  return h;
}

void append_yamux_header(bytes& out, const yamux_header& h) {
  out.push_back(yamux_version);
  out.push_back(static_cast<std::uint8_t>(h.type));
  out.push_back(static_cast<std::uint8_t>(h.flags >> 8));
  out.push_back(static_cast<std::uint8_t>(h.flags));
  put32(out, h.stream_id);
  put32(out, h.length);
}

}  // namespace converge::p2p
