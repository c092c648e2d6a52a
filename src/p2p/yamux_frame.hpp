#pragma once
// Yamux framing (hashicorp/yamux spec.md, libp2p/specs yamux/README.md): every
// frame starts with a 12-byte big-endian header
//   version:u8 (0) | type:u8 | flags:u16 | stream id:u32 | length:u32
// Data frames carry `length` payload bytes; for WindowUpdate `length` is the
// window delta, for Ping an opaque value, for GoAway the error code.
#include <array>
#include <cstdint>
#include <span>
#include <system_error>

#include "base/bytes.hpp"
#include "base/error.hpp"

namespace converge::p2p {

enum class yamux_errc {
  protocol_error = 1,     // the peer broke the protocol; we sent GoAway(protocol error)
  remote_protocol_error,  // the peer's GoAway says we broke the protocol
  remote_internal_error,  // the peer's GoAway reports an internal error (or an unknown code)
  keepalive_timeout,      // a ping went unanswered for config.ping_timeout
  connection_closed,      // the transport ended (handle_eof) before a clean GoAway
  output_overflow,        // the peer stopped reading; our output passed its bound
  internal_error,         // we ended the session with GoAway(internal error)
  go_away_completed,      // clean end: GoAway sent or received and no stream remains
  // API errors (the session itself stays usable):
  session_closed,     // the session has ended
  going_away,         // no new streams after a GoAway in either direction
  unknown_stream,     // no such stream (never opened, or already forgotten)
  stream_closed,      // write after close_write()
  stream_reset,       // the stream was reset
  too_many_streams,   // config.max_streams or the ACK backlog is full
  ids_exhausted,      // all 2^31 stream ids of our parity are used
};
const std::error_category& yamux_category() noexcept;
inline std::error_code make_error_code(yamux_errc e) noexcept { return {static_cast<int>(e), yamux_category()}; }

inline constexpr std::size_t yamux_header_size = 12;
inline constexpr std::uint8_t yamux_version = 0;
// Every stream starts with this receive window in both directions (spec).
inline constexpr std::uint32_t yamux_initial_window = 256 * 1024;

enum class yamux_type : std::uint8_t { data = 0, window_update = 1, ping = 2, go_away = 3 };

namespace yamux_flag {
inline constexpr std::uint16_t syn = 1;
inline constexpr std::uint16_t ack = 2;
inline constexpr std::uint16_t fin = 4;
inline constexpr std::uint16_t rst = 8;
}  // namespace yamux_flag

enum class yamux_go_away_code : std::uint32_t { normal = 0, protocol_error = 1, internal_error = 2 };

struct yamux_header {
  yamux_type type = yamux_type::data;
  std::uint16_t flags = 0;
  std::uint32_t stream_id = 0;
  std::uint32_t length = 0;
  [[nodiscard]] bool has(std::uint16_t f) const { return (flags & f) != 0; }
};

// Checks what the header alone can tell: version 0, a known type, stream id 0
// exactly for Ping and GoAway. Unknown flag bits are ignored, as go-yamux does.
result<yamux_header> decode_yamux_header(std::span<const std::uint8_t, yamux_header_size> in);
void append_yamux_header(bytes& out, const yamux_header& h);

}  // namespace converge::p2p

template <>
struct std::is_error_code_enum<converge::p2p::yamux_errc> : std::true_type {};
