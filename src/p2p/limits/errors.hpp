#pragma once
// Errors of the limits layer (resource manager, gater, bandwidth manager,
// connection manager, configuration, CIDR text). The detail string names the
// scope and the limit that refused ("peer 12D3Koo...: streams_inbound limit
// 256 reached"), or the configuration field that is wrong
// ("limits.peer.streams_inbound: must be a positive integer").
//
// What the caller does next, by code:
//   conn_limit     refuse the connection (inbound: close it; outbound: fail the dial)
//   stream_limit   reset the stream
//   memory_limit   do not grow the buffer: stop reading, shrink the window, or reset
//   gated          refuse the dial or close the connection; do not retry soon
//   rate_limited   wait (bandwidth_manager::time_until) and try again
//   invalid_*      a configuration or input error; fix the input
#include <system_error>

#include "base/error.hpp"

namespace converge::p2p::limits {

enum class limits_errc {
  conn_limit = 1,    // a connection count limit of some scope is reached
  stream_limit,      // a stream count limit of some scope is reached
  memory_limit,      // a memory reservation would pass a scope's limit (at its priority)
  gated,             // the connection gater refuses this peer or address
  rate_limited,      // a token bucket has too few tokens now
  invalid_cidr,      // CIDR text that does not parse
  invalid_config,    // a limits configuration field is wrong; detail names it
  invalid_argument,  // caller error (e.g. a reservation used after release)
};

const std::error_category& limits_category() noexcept;
inline std::error_code make_error_code(limits_errc e) noexcept { return {static_cast<int>(e), limits_category()}; }

}  // namespace converge::p2p::limits

template <>
struct std::is_error_code_enum<converge::p2p::limits::limits_errc> : std::true_type {};
