#pragma once
// Drives a multistream-select core (either role) over any byte pipe with
//   task<result<void>> write_all(bytes_view)
//   task<result<std::size_t>> read_some(std::span<std::uint8_t>)  // 0: end of stream
//   void unread(bytes)  // bytes to hand out again before anything read later
// until the negotiation is done or failed. Leftover bytes behind the last
// message go back to the pipe with unread(), so the selected protocol reads
// them first. The core's own deadline is not serviced here: the caller bounds
// the whole exchange (handshake watchdog, stream reset).
#include <array>
#include <string>

#include "p2p/io/asio.hpp"
#include "p2p/io/errors.hpp"
#include "p2p/multistream.hpp"

namespace converge::p2p::io {

template <class Pipe>
task<result<std::string>> negotiate(Pipe& pipe, multistream_core& core) {
  bytes out;
  std::array<std::uint8_t, 1024> buf{};
  while (true) {
    while (core.poll_transmit(out)) {
      auto w = co_await pipe.write_all(out);
      if (!w) co_return fail(w.error());
    }
    while (core.poll_event()) {
    }
    if (core.state() == multistream_state::done) {
      pipe.unread(core.take_leftover());
      co_return core.selected_protocol();
    }
    if (core.state() == multistream_state::failed) {
      const auto& f = core.failure();
      if (f && f->code == make_error_code(multistream_errc::unsupported_protocol))
        co_return fail(io_errc::protocol_refused, f->detail);
      co_return fail(f ? *f : error{make_error_code(io_errc::handshake_failed), "multistream failed"});
    }
    auto n = co_await pipe.read_some(buf);
    if (!n) {
      core.handle_eof();
      continue;
    }
    if (*n == 0)
      core.handle_eof();
    else
      core.handle_input(bytes_view(buf.data(), *n), std::chrono::steady_clock::now());
  }
}

}  // namespace converge::p2p::io
