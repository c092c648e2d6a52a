#include "p2p/io/connection.hpp"

#include <array>

#include <boost/asio/post.hpp>

#include "base/log.hpp"
#include "p2p/io/errors.hpp"
#include "p2p/io/negotiate.hpp"
#include "p2p/io/tcp_transport.hpp"

namespace converge::p2p::io {
namespace {

// Largest piece of Yamux output handed to the channel at once: well under
// the channel's output bound, so a piece always fits once the channel drained.
constexpr std::size_t channel_piece = 64 * 1024;
constexpr auto linger_time = std::chrono::seconds{2};

instant now() { return std::chrono::steady_clock::now(); }

}  // namespace

connection::connection(upgraded up, direction dir, mf::multiaddr remote_addr, const yamux_config& config)
    : ex_(up.socket.get_executor()),
      socket_(std::move(up.socket)),
      channel_(std::move(up.channel)),
      session_(dir == direction::outbound ? yamux_role::client : yamux_role::server, now(), config),
      remote_peer_(std::move(up.remote_peer)),
      remote_key_(std::move(up.remote_key)),
      security_protocol_(std::move(up.security_protocol)),
      dir_(dir),
      remote_addr_(std::move(remote_addr)),
      writer_wake_(ex_),
      timer_(ex_),
      linger_(ex_) {
  boost::system::error_code ec;
  auto local = socket_.local_endpoint(ec);
  if (!ec) local_addr_ = to_multiaddr(local);
  socket_.set_option(tcp::no_delay(true), ec);
  if (!up.muxer_input.empty()) session_.handle_input(up.muxer_input, now());
}

void connection::start(stream_callback on_stream, closed_callback on_closed) {
  on_stream_ = std::move(on_stream);
  on_closed_ = std::move(on_closed);
  auto self = shared_from_this();
  asio::co_spawn(ex_, read_loop(self), asio::detached);
  asio::co_spawn(ex_, write_loop(self), asio::detached);
  asio::co_spawn(ex_, timer_loop(self), asio::detached);
  // Plaintext that arrived behind the handshake, then the session's first ping.
  while (auto v = channel_->poll_read()) session_.handle_input(*v, now());
  after_core_call();
}

result<stream> connection::open_stream() {
  if (closed_) return fail(io_errc::connection_closed, "connection to " + remote_peer_.to_string() + " is closed");
  auto id = session_.open_stream(now());
  if (!id) return fail(id.error());
  auto slot = make_slot(*id);
  after_core_call();
  return stream(shared_from_this(), *id, std::move(slot));
}

void connection::close() {
  if (closed_) return;
  session_.go_away(yamux_go_away_code::normal);
  end(error{make_error_code(io_errc::connection_closed), "closed locally"});
}

std::shared_ptr<stream_slot> connection::make_slot(std::uint32_t id) {
  auto slot = std::make_shared<stream_slot>(ex_);
  slots_[id] = slot;
  return slot;
}

void connection::forget_if_done(std::uint32_t id) {
  if (!session_.stream_info(id)) slots_.erase(id);
}

void connection::after_core_call() {
  dispatch_events();
  writer_wake_.notify();
  auto t = session_.poll_timeout();
  if (t && *t < armed_) timer_.cancel();
}

void connection::dispatch_events() {
  // A stream callback may call back into the session; the outer loop drains what it adds.
  if (dispatching_) return;
  dispatching_ = true;
  while (auto ev = session_.poll_event()) {
    if (auto* in = std::get_if<inbound_stream>(&*ev)) {
      auto slot = make_slot(in->id);
      if (on_stream_) on_stream_(stream(shared_from_this(), in->id, std::move(slot)));
      continue;
    }
    if (auto* closed = std::get_if<session_closed>(&*ev)) {
      end(closed->reason);
      continue;
    }
    std::uint32_t id = 0;
    if (auto* r = std::get_if<stream_readable>(&*ev)) id = r->id;
    if (auto* w = std::get_if<stream_writable>(&*ev)) id = w->id;
    if (auto* f = std::get_if<stream_remote_closed>(&*ev)) id = f->id;
    if (auto* x = std::get_if<stream_reset>(&*ev)) id = x->id;
    if (id == 0) continue;
    auto it = slots_.find(id);
    if (it == slots_.end()) continue;
    auto slot = it->second;
    if (std::holds_alternative<stream_reset>(*ev)) {
      slot->reset = true;
      slots_.erase(it);
    }
    slot->wake.notify();
  }
  dispatching_ = false;
}

void connection::end(error reason) {
  if (closed_) return;
  closed_ = std::move(reason);
  if (log_enabled(log_level::debug))
    log(log_level::debug, "p2p_io", "connection to " + remote_peer_.to_string() + " ended: " + closed_->message());
  auto slots = std::move(slots_);
  slots_.clear();
  for (auto& [id, slot] : slots) slot->wake.notify();
  writer_wake_.notify();
  timer_.cancel();
  // A peer that does not read would hold the final flush (and the socket) forever.
  linger_.expires_after(linger_time);
  linger_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (ec) return;
    boost::system::error_code ignored;
    self->socket_.close(ignored);
  });
  if (on_closed_) {
    auto cb = std::move(on_closed_);
    on_closed_ = nullptr;
    cb(*this);
  }
}

namespace {
// Buffers grow to a burst's size; keeping that capacity on every idle
// connection would cost a node with many peers megabytes for nothing.
void release_if_large(bytes& b) {
  constexpr std::size_t keep = 64 * 1024;
  if (b.capacity() > keep) bytes().swap(b);
  else b.clear();
}
}  // namespace

void connection::feed_channel_output() {
  while (true) {
    if (plain_off_ == plain_.size()) {
      plain_off_ = 0;
      if (!session_.poll_transmit(plain_)) {
        plain_.clear();
        return;
      }
    }
    std::size_t n = std::min(channel_piece, plain_.size() - plain_off_);
    if (!channel_->send(bytes_view(plain_).subspan(plain_off_, n))) return;  // full: write out first
    plain_off_ += n;
  }
}

task<void> connection::write_loop(std::shared_ptr<connection> /*keep_alive*/) {
  bytes out;
  while (true) {
    auto seen = writer_wake_.generation();
    feed_channel_output();
    if (channel_->poll_transmit(out)) {
      auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(out), use_tuple);
      if (ec) {
        end(error{make_error_code(io_errc::connection_closed), "write: " + ec.message()});
        break;
      }
      if (!closed_) after_core_call();  // room in the output may wake writers
      continue;
    }
    if (closed_) break;
    // Idle: give back what a burst grew (kept while busy: reallocating per write costs throughput).
    release_if_large(out);
    if (plain_off_ == plain_.size()) {
      release_if_large(plain_);
      plain_off_ = 0;
    }
    session_.shrink_buffers();
    channel_->shrink_buffers();
    co_await writer_wake_.wait(seen);
  }
  boost::system::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  linger_.cancel();
}

namespace {

// One read buffer per thread, shared by every connection that thread drives:
// a read loop reads without waiting into it and hands the bytes to the
// channel (which copies what it keeps) before it suspends, so the buffer is
// never held across a suspension. A buffer per connection cost 32 KiB of
// resident memory each; a node serving 50 peers paid 1.6 MiB for buffers that
// were idle nearly all the time. 32 KiB keeps a fast link's throughput
// (bench/p2p/host_bench.sh) at half the memory of 64 KiB.
std::span<std::uint8_t> shared_read_buffer() {
  thread_local std::array<std::uint8_t, 32 * 1024> buf;
  return buf;
}

}  // namespace

task<void> connection::read_loop(std::shared_ptr<connection> /*keep_alive*/) {
  boost::system::error_code setup;
  socket_.non_blocking(true, setup);  // read_some below must never block the thread
  while (!closed_) {
    boost::system::error_code ec = setup;
    if (!ec) {
      auto buf = shared_read_buffer();
      std::size_t room = std::min(buf.size(), std::max<std::size_t>(channel_->input_room(), 1));
      const std::size_t n = socket_.read_some(asio::buffer(buf.data(), room), ec);
      if (ec == asio::error::would_block || ec == asio::error::try_again) {
        // Wait only once the socket said it is empty: asio's reactor is
        // edge-triggered, so a wait while bytes are still buffered (a read
        // that filled `room`) could sleep until the peer sent more.
        auto [wait_ec] = co_await socket_.async_wait(tcp::socket::wait_read, use_tuple);
        if (closed_) break;
        if (!wait_ec) continue;
        ec = wait_ec;
      } else if (!ec) {
        channel_->handle_input(bytes_view(buf.data(), n), now());
        while (auto v = channel_->poll_read()) session_.handle_input(*v, now());
      }
    }
    if (ec) {
      channel_->handle_eof();
      session_.handle_eof();
    }
    if (channel_->state() == security::channel_state::failed) {
      session_.handle_eof();
      after_core_call();
      end(error{make_error_code(io_errc::connection_closed),
                channel_->failure() ? channel_->failure()->message() : "secure channel failed"});
      break;
    }
    after_core_call();
    if (ec) {
      end(error{make_error_code(io_errc::connection_closed), "read: " + ec.message()});
      break;
    }
    // Let the other coroutines (this connection's writer, other connections)
    // run between reads, as a completed asynchronous read would.
    co_await asio::post(socket_.get_executor(), use_tuple);
  }
}

task<void> connection::timer_loop(std::shared_ptr<connection> /*keep_alive*/) {
  while (!closed_) {
    armed_ = session_.poll_timeout().value_or(instant::max());
    timer_.expires_at(armed_);
    co_await timer_.async_wait(use_tuple);
    if (closed_) break;
    if (now() >= armed_) {
      session_.handle_timeout(now());
      after_core_call();
    }
  }
}

// ---- stream ----

const crypto::peer_id& stream::remote_peer() const { return conn_->remote_peer(); }

namespace {

// The stream's raw bytes, for finishing a lazy negotiation.
struct raw_pipe {
  stream& s;
  task<result<void>> write_all(bytes_view data) { return s.write_all(data); }
  task<result<std::size_t>> read_some(std::span<std::uint8_t> out) { return s.read_raw(out); }
  void unread(bytes b) { s.unread(std::move(b)); }
};

}  // namespace

task<result<void>> stream::finish_negotiation() {
  if (auto core = slot_->negotiating) {
    raw_pipe pipe{*this};
    auto sel = co_await negotiate(pipe, *core);
    slot_->negotiating.reset();
    if (!sel) {
      reset();
      co_return fail(sel.error());
    }
  }
  co_return ok();
}

task<result<std::size_t>> stream::read_some(std::span<std::uint8_t> out) {
  auto done = co_await finish_negotiation();
  if (!done) co_return fail(done.error());
  co_return co_await read_raw(out);
}

task<result<std::size_t>> stream::read_raw(std::span<std::uint8_t> out) {
  if (!slot_->unread.empty()) {
    std::size_t n = std::min(out.size(), slot_->unread.size());
    std::copy_n(slot_->unread.begin(), n, out.begin());
    slot_->unread.erase(slot_->unread.begin(), slot_->unread.begin() + static_cast<std::ptrdiff_t>(n));
    co_return n;
  }
  while (true) {
    if (slot_->reset) co_return fail(io_errc::stream_reset, "stream " + std::to_string(id_) + " was reset");
    if (slot_->eof) co_return std::size_t{0};
    if (conn_->closed()) co_return fail(io_errc::connection_closed, conn_->closed()->message());
    auto seen = slot_->wake.generation();
    auto r = conn_->session().read(id_, out, now());
    if (!r) co_return fail(io_errc::stream_reset, r.error().message());
    if (r->fin) slot_->eof = true;
    if (r->size > 0 || r->fin) {
      conn_->after_core_call();
      if (r->fin) conn_->forget_if_done(id_);
      co_return r->size;
    }
    co_await slot_->wake.wait(seen);
  }
}

task<result<void>> stream::read_exact(std::span<std::uint8_t> out) {
  std::size_t got = 0;
  while (got < out.size()) {
    auto n = co_await read_some(out.subspan(got));
    if (!n) co_return fail(n.error());
    if (*n == 0)
      co_return fail(io_errc::connection_closed,
                     "stream ended after " + std::to_string(got) + " of " + std::to_string(out.size()) + " bytes");
    got += *n;
  }
  co_return ok();
}

task<result<bytes>> stream::read_to_end(std::size_t max) {
  bytes all;
  std::array<std::uint8_t, 16 * 1024> buf{};
  while (true) {
    auto n = co_await read_some(buf);
    if (!n) co_return fail(n.error());
    if (*n == 0) co_return all;
    if (all.size() + *n > max)
      co_return fail(io_errc::limit, "stream sent more than " + std::to_string(max) + " bytes");
    all.insert(all.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(*n));
  }
}

task<result<void>> stream::write_all(bytes_view data) {
  while (!data.empty()) {
    if (slot_->reset) co_return fail(io_errc::stream_reset, "stream " + std::to_string(id_) + " was reset");
    if (conn_->closed()) co_return fail(io_errc::connection_closed, conn_->closed()->message());
    auto seen = slot_->wake.generation();
    auto n = conn_->session().write(id_, data, now());
    if (!n) co_return fail(io_errc::stream_reset, n.error().message());
    data = data.subspan(*n);
    conn_->after_core_call();
    if (*n == 0) co_await slot_->wake.wait(seen);
  }
  co_return ok();
}

result<void> stream::close_write() {
  if (slot_->reset) return fail(io_errc::stream_reset, "stream " + std::to_string(id_) + " was reset");
  if (conn_->closed()) return fail(io_errc::connection_closed, conn_->closed()->message());
  auto r = conn_->session().close_write(id_);
  conn_->after_core_call();
  conn_->forget_if_done(id_);
  if (!r) return fail(io_errc::stream_reset, r.error().message());
  return ok();
}

void stream::reset() {
  if (slot_->reset) return;
  slot_->reset = true;
  if (!conn_->closed()) {
    (void)conn_->session().reset(id_);
    conn_->after_core_call();
  }
  conn_->forget(id_);
  slot_->wake.notify();
}

void stream::unread(bytes b) {
  if (b.empty()) return;
  b.insert(b.end(), slot_->unread.begin(), slot_->unread.end());
  slot_->unread = std::move(b);
}

}  // namespace converge::p2p::io
