#include "p2p/io/upgrader.hpp"

#include <array>

#include "p2p/io/errors.hpp"
#include "p2p/io/negotiate.hpp"
#include "p2p/io/watchdog.hpp"
#include "p2p/security/errors.hpp"

namespace converge::p2p::io {
namespace {

// The upgrade's byte pipe: raw socket bytes until a secure channel is set,
// then the channel's plaintext.
class handshake_pipe {
 public:
  explicit handshake_pipe(tcp::socket& s) : socket_(s) {}

  void secure(security::secure_channel* ch) { channel_ = ch; }

  task<result<void>> write_all(bytes_view data) {
    if (channel_) {
      auto sent = channel_->send(data);
      if (!sent) co_return fail(sent.error());
      co_return co_await flush();
    }
    auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(data.data(), data.size()), use_tuple);
    if (ec) co_return fail(io_errc::handshake_failed, "write: " + ec.message());
    co_return ok();
  }

  // Writes everything the channel has queued.
  task<result<void>> flush() {
    while (channel_->poll_transmit(out_)) {
      auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(out_), use_tuple);
      if (ec) co_return fail(io_errc::handshake_failed, "write: " + ec.message());
    }
    co_return ok();
  }

  task<result<std::size_t>> read_some(std::span<std::uint8_t> out) {
    if (!pending_.empty()) co_return take_pending(out);
    while (channel_) {
      if (auto v = channel_->poll_read()) {
        pending_.assign(v->begin(), v->end());
        co_return take_pending(out);
      }
      if (channel_->state() == security::channel_state::failed)
        co_return fail(io_errc::handshake_failed, channel_->failure() ? channel_->failure()->message() : "channel failed");
      auto n = co_await read_raw(buf_);
      if (!n) co_return fail(n.error());
      if (*n == 0) co_return std::size_t{0};
      channel_->handle_input(bytes_view(buf_.data(), *n), std::chrono::steady_clock::now());
    }
    co_return co_await read_raw(out);
  }

  task<result<std::size_t>> read_raw(std::span<std::uint8_t> out) {
    std::size_t room = out.size();
    if (channel_) room = std::min(room, std::max<std::size_t>(channel_->input_room(), 1));
    auto [ec, n] = co_await socket_.async_read_some(asio::buffer(out.data(), room), use_tuple);
    if (ec == asio::error::eof) co_return std::size_t{0};
    if (ec) co_return fail(io_errc::handshake_failed, "read: " + ec.message());
    co_return n;
  }

  void unread(bytes b) {
    if (b.empty()) return;
    b.insert(b.end(), pending_.begin(), pending_.end());
    pending_ = std::move(b);
  }
  bytes take_all_pending() { return std::exchange(pending_, {}); }

 private:
  std::size_t take_pending(std::span<std::uint8_t> out) {
    std::size_t n = std::min(out.size(), pending_.size());
    std::copy_n(pending_.begin(), n, out.begin());
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(n));
    return n;
  }

  tcp::socket& socket_;
  security::secure_channel* channel_ = nullptr;
  bytes pending_;
  bytes out_;
  std::array<std::uint8_t, 16 * 1024> buf_{};
};

task<result<void>> run_handshake(handshake_pipe& pipe, security::secure_channel& ch, tcp::socket& socket) {
  std::array<std::uint8_t, 16 * 1024> buf{};
  bytes out;
  if (auto early = pipe.take_all_pending(); !early.empty())
    ch.handle_input(early, std::chrono::steady_clock::now());
  while (true) {
    while (ch.poll_transmit(out)) {
      auto [ec, n] = co_await asio::async_write(socket, asio::buffer(out), use_tuple);
      if (ec) co_return fail(io_errc::handshake_failed, "security handshake write: " + ec.message());
    }
    while (auto ev = ch.poll_event()) {
      if (auto* f = std::get_if<security::session_failed>(&*ev)) {
        if (f->reason.code == make_error_code(security::security_errc::peer_id_mismatch))
          co_return fail(io_errc::peer_id_mismatch, f->reason.message());
        co_return fail(io_errc::handshake_failed, f->reason.message());
      }
    }
    if (ch.state() == security::channel_state::established) co_return ok();
    if (ch.state() == security::channel_state::failed)
      co_return fail(io_errc::handshake_failed, ch.failure() ? ch.failure()->message() : "security handshake failed");
    std::size_t room = std::min(buf.size(), std::max<std::size_t>(ch.input_room(), 1));
    auto [ec, n] = co_await socket.async_read_some(asio::buffer(buf.data(), room), use_tuple);
    if (ec)
      ch.handle_eof();
    else
      ch.handle_input(bytes_view(buf.data(), n), std::chrono::steady_clock::now());
  }
}

task<result<upgraded>> upgrade_steps(tcp::socket& socket, security::role self, const crypto::private_key& identity,
                                     const upgrade_options& options, rng& r) {
  handshake_pipe pipe(socket);
  auto now = std::chrono::steady_clock::now();
  auto protocols = options.security_protocols.empty() ? security::supported_security_protocols(options.security)
                                                     : options.security_protocols;
  std::string chosen;
  if (self == security::role::initiator) {
    auto core = multistream_initiator::create(protocols, now);
    if (!core) co_return fail(core.error());
    auto sel = co_await negotiate(pipe, *core);
    if (!sel) co_return fail(io_errc::handshake_failed, "security negotiation: " + sel.error().message());
    chosen = *sel;
  } else {
    multistream_responder core(protocols, now);
    auto sel = co_await negotiate(pipe, core);
    if (!sel) co_return fail(io_errc::handshake_failed, "security negotiation: " + sel.error().message());
    chosen = *sel;
  }
  auto security = options.security;
  security.stream_muxers = {std::string(yamux_protocol_id)};
  security.handshake_timeout = options.handshake_timeout;
  auto ch = security::make_secure_channel(chosen, self, identity, security, r, std::chrono::steady_clock::now());
  if (!ch) co_return fail(io_errc::handshake_failed, ch.error().message());
  auto done = co_await run_handshake(pipe, **ch, socket);
  if (!done) co_return fail(done.error());
  const auto& remote = *(*ch)->remote();
  if (options.security.expected_peer && !(*options.security.expected_peer == remote.remote_peer))
    co_return fail(io_errc::peer_id_mismatch, "dialled " + options.security.expected_peer->to_string() + ", reached " +
                                                  remote.remote_peer.to_string());
  upgraded up{tcp::socket(socket.get_executor()), nullptr, {}, remote.remote_peer, remote.remote_key, chosen, false};
  if (remote.muxer) {
    if (*remote.muxer != yamux_protocol_id)
      co_return fail(io_errc::handshake_failed, "early muxer negotiation chose unsupported " + *remote.muxer);
    up.early_muxer = true;
  } else {
    pipe.secure(ch->get());
    std::vector<std::string> muxers{std::string(yamux_protocol_id)};
    result<std::string> sel;
    if (self == security::role::initiator) {
      auto core = multistream_initiator::create(muxers, std::chrono::steady_clock::now());
      if (!core) co_return fail(core.error());
      sel = co_await negotiate(pipe, *core);
    } else {
      multistream_responder core(muxers, std::chrono::steady_clock::now());
      sel = co_await negotiate(pipe, core);
    }
    if (!sel) co_return fail(io_errc::handshake_failed, "muxer negotiation: " + sel.error().message());
    up.muxer_input = pipe.take_all_pending();
  }
  up.channel = std::move(*ch);
  co_return up;
}

}  // namespace

task<result<upgraded>> upgrade(tcp::socket socket, security::role self, const crypto::private_key& identity,
                               upgrade_options options, rng& r) {
  auto ex = co_await asio::this_coro::executor;
  watchdog dog(ex, options.handshake_timeout, [&socket] {
    boost::system::error_code ignored;
    socket.close(ignored);
  });
  auto up = co_await upgrade_steps(socket, self, identity, options, r);
  dog.disarm();
  if (dog.fired())
    co_return fail(io_errc::timeout, "handshake did not finish within " +
                                         std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                            options.handshake_timeout)
                                                            .count()) +
                                         " ms");
  if (!up) {
    boost::system::error_code ignored;
    socket.close(ignored);
    co_return fail(up.error());
  }
  up->socket = std::move(socket);
  co_return std::move(*up);
}

}  // namespace converge::p2p::io
