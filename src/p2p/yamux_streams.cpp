// The stream half of yamux_session: the application's calls (open, write,
// read, close, reset) and receive-window management including auto-tuning.
// Frame input, timers and session shutdown live in yamux_session.cpp.
#include <algorithm>
#include <string>

#include "p2p/yamux_session.hpp"

namespace converge::p2p {

namespace {
std::string sid(std::uint32_t id) { return "stream " + std::to_string(id); }
constexpr std::uint64_t max_stream_id = 0xffffffffu;
}  // namespace

// ---- streams -----------------------------------------------------------------

yamux_session::stream* yamux_session::find(std::uint32_t id) {
  auto it = streams_.find(id);
  return it == streams_.end() ? nullptr : &it->second;
}
const yamux_session::stream* yamux_session::find(std::uint32_t id) const {
  auto it = streams_.find(id);
  return it == streams_.end() ? nullptr : &it->second;
}

result<yamux_session::stream*> yamux_session::usable(std::uint32_t id) {
  if (closed_) return fail(yamux_errc::session_closed, closed_->message());
  stream* s = find(id);
  if (!s) return fail(yamux_errc::unknown_stream, sid(id));
  if (s->reset) return fail(yamux_errc::stream_reset, sid(id) + " was reset by the peer");
  return s;
}

result<std::uint32_t> yamux_session::open_stream(instant now) {
  if (closed_) return fail(yamux_errc::session_closed, closed_->message());
  if (local_go_away_ || remote_go_away_)
    return fail(yamux_errc::going_away, remote_go_away_ ? "the peer sent GoAway" : "we sent GoAway");
  if (streams_.size() >= config_.max_streams)
    return fail(yamux_errc::too_many_streams, std::to_string(streams_.size()) + " streams are open (max_streams)");
  if (ack_backlog_ >= config_.max_ack_backlog)
    return fail(yamux_errc::too_many_streams,
                std::to_string(ack_backlog_) + " opened streams wait for the peer's ACK (max_ack_backlog)");
  if (next_id_ > max_stream_id) return fail(yamux_errc::ids_exhausted, "no stream id of our parity is left");
  auto id = static_cast<std::uint32_t>(next_id_);
  next_id_ += 2;
  auto& s = streams_[id];
  s.outbound = true;
  s.epoch_start = now;
  ++ack_backlog_;
  send_frame(yamux_type::window_update, yamux_flag::syn, id, 0);
  return id;
}

result<std::size_t> yamux_session::write(std::uint32_t id, bytes_view data, instant /*now*/) {
  auto s = usable(id);
  if (!s) return fail(s.error());
  stream& st = **s;
  if (st.local_closed) return fail(yamux_errc::stream_closed, sid(id) + " was closed for writing");
  std::size_t taken = 0;
  while (taken < data.size() && st.send_window > 0 && out_.size() + yamux_header_size < config_.max_transmit_buffer) {
    std::size_t room = config_.max_transmit_buffer - out_.size() - yamux_header_size;
    std::size_t n = std::min({data.size() - taken, std::size_t{st.send_window}, std::size_t{config_.max_frame_payload}, room});
    send_stream_frame(st, yamux_type::data, 0, id, static_cast<std::uint32_t>(n));
    append(out_, data.subspan(taken, n));
    st.send_window -= static_cast<std::uint32_t>(n);
    taken += n;
  }
  if (taken < data.size()) st.write_blocked = true;
  return taken;
}

result<std::pair<bytes_view, bytes_view>> yamux_session::peek(std::uint32_t id) const {
  if (closed_) return fail(yamux_errc::session_closed, closed_->message());
  const stream* s = find(id);
  if (!s) return fail(yamux_errc::unknown_stream, sid(id));
  if (s->reset) return fail(yamux_errc::stream_reset, sid(id) + " was reset by the peer");
  return s->buffer.peek();
}

result<void> yamux_session::consume(std::uint32_t id, std::size_t n, instant now) {
  auto s = usable(id);
  if (!s) return fail(s.error());
  n = std::min(n, (*s)->buffer.size());
  (*s)->buffer.consume(n);
  (*s)->epoch_consumed += n;
  if ((*s)->remote_closed && (*s)->buffer.empty()) (*s)->fin_read = true;
  // A readable event still queued would be stale if the buffer is now empty.
  if ((*s)->buffer.empty()) (*s)->pending = static_cast<std::uint8_t>((*s)->pending & ~ev_readable);
  maybe_update_window(id, **s, now);
  maybe_forget(id);
  return ok();
}

result<yamux_read> yamux_session::read(std::uint32_t id, std::span<std::uint8_t> out, instant now) {
  auto s = usable(id);
  if (!s) return fail(s.error());
  stream& st = **s;
  auto [a, b] = st.buffer.peek();
  std::size_t n1 = std::min(a.size(), out.size());
  std::size_t n2 = std::min(b.size(), out.size() - n1);
  std::copy_n(a.begin(), n1, out.begin());
  std::copy_n(b.begin(), n2, out.begin() + static_cast<std::ptrdiff_t>(n1));
  yamux_read r{n1 + n2, false};
  r.fin = st.remote_closed && st.buffer.size() == r.size;
  if (auto c = consume(id, r.size, now); !c) return fail(c.error());
  return r;
}

void yamux_session::maybe_update_window(std::uint32_t id, stream& s, instant now) {
  if (s.remote_closed || s.reset || closed_) return;
  // Window the peer has used up and we have freed: neither credited, nor
  // buffered, nor announced by a frame header whose payload is still arriving.
  auto open = [&] { return std::uint64_t{s.recv_window} - s.recv_credit - s.buffer.size() - s.receiving; };
  // Batch updates: at least half a window, as go-yamux and rust-yamux do.
  if (open() < s.recv_window / 2) return;
  // Auto-tuning: a whole window consumed within (at most) two round trips means the
  // window, not the reader, limits throughput; double it (bounded). A reader
  // slower than that starts a new epoch without growth.
  if (s.epoch_consumed >= s.recv_window) {
    if (config_.auto_tune && rtt_ && now - s.epoch_start <= 2 * *rtt_ && s.recv_window < config_.max_receive_window) {
      std::uint32_t grown = static_cast<std::uint32_t>(
          std::min<std::uint64_t>(std::uint64_t{s.recv_window} * 2, config_.max_receive_window));
      std::size_t growth = grown - s.recv_window;
      if (window_growth_ + growth <= config_.max_window_growth) {
        window_growth_ += growth;
        s.recv_window = grown;
      }
    }
    s.epoch_start = now;
    s.epoch_consumed = 0;
  }
  auto delta = static_cast<std::uint32_t>(open());
  s.recv_credit += delta;
  send_stream_frame(s, yamux_type::window_update, 0, id, delta);
}

result<void> yamux_session::close_write(std::uint32_t id) {
  auto s = usable(id);
  if (!s) return fail(s.error());
  if ((*s)->local_closed) return ok();
  (*s)->local_closed = true;
  (*s)->write_blocked = false;
  send_stream_frame(**s, yamux_type::window_update, yamux_flag::fin, id, 0);
  maybe_forget(id);
  return ok();
}

result<void> yamux_session::reset(std::uint32_t id) {
  if (closed_) return fail(yamux_errc::session_closed, closed_->message());
  stream* s = find(id);
  if (!s) return fail(yamux_errc::unknown_stream, sid(id));
  if (!s->reset && !(s->local_closed && s->remote_closed)) send_frame(yamux_type::window_update, yamux_flag::rst, id, 0);
  if (s->outbound && !s->acked) --ack_backlog_;
  window_growth_ -= s->recv_window - yamux_initial_window;
  streams_.erase(id);
  check_go_away_done();
  return ok();
}

void yamux_session::maybe_forget(std::uint32_t id) {
  stream* s = find(id);
  if (!s || s->pending != 0) return;
  bool finished = s->reset || (s->local_closed && s->fin_read);
  if (!finished) return;
  if (s->outbound && !s->acked) --ack_backlog_;
  window_growth_ -= s->recv_window - yamux_initial_window;
  streams_.erase(id);
  check_go_away_done();
}

std::optional<yamux_stream_info> yamux_session::stream_info(std::uint32_t id) const {
  const stream* s = find(id);
  if (!s) return std::nullopt;
  return yamux_stream_info{s->send_window, s->recv_window, s->buffer.size(), s->local_closed, s->remote_closed,
                           s->reset};
}

}  // namespace converge::p2p
