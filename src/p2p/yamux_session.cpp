// yamux_session: frame input, events, pings and timers, session shutdown.
// The application-facing stream calls live in yamux_streams.cpp.
#include "p2p/yamux_session.hpp"

#include <algorithm>
#include <string>

namespace converge::p2p {

namespace {
std::string sid(std::uint32_t id) { return "stream " + std::to_string(id); }
constexpr std::uint64_t max_stream_id = 0xffffffffu;
}  // namespace

yamux_session::yamux_session(yamux_role role, instant now, const yamux_config& config)
    : role_(role), config_(config), next_id_(role == yamux_role::client ? 1 : 2) {
  config_.max_receive_window = std::max(config_.max_receive_window, yamux_initial_window);
  config_.max_frame_payload = std::max<std::uint32_t>(config_.max_frame_payload, 1);
  // The first ping goes out at once: it measures the RTT that auto-tuning needs.
  if (config_.ping_interval) send_ping(now);
}

// ---- input -----------------------------------------------------------------

void yamux_session::handle_input(bytes_view data, instant now) {
  while (!data.empty() && !closed_) {
    if (payload_left_ > 0) {
      std::size_t n = std::min(payload_left_, data.size());
      if (payload_keep_) {
        stream* s = find(payload_stream_);
        if (s && !s->reset) {
          s->buffer.reserve(s->buffer.size() + n, s->recv_window);
          s->buffer.push(data.first(n));
          s->receiving -= static_cast<std::uint32_t>(n);
          push_stream_event(payload_stream_, *s, ev_readable);
        }
      }
      data = data.subspan(n);
      payload_left_ -= n;
      if (payload_left_ == 0) finish_payload();
      continue;
    }
    std::size_t n = std::min(yamux_header_size - header_len_, data.size());
    std::copy_n(data.begin(), n, header_.begin() + static_cast<std::ptrdiff_t>(header_len_));
    header_len_ += n;
    data = data.subspan(n);
    if (header_len_ < yamux_header_size) break;
    header_len_ = 0;
    auto h = decode_yamux_header(header_);
    if (!h) return protocol_violation(h.error().detail);
    handle_header(*h, now);
  }
  if (!closed_ && out_.size() > config_.max_transmit_buffer + config_.control_slack)
    close(yamux_errc::output_overflow, std::to_string(out_.size()) + " bytes of output are waiting to be written");
}

void yamux_session::handle_header(const yamux_header& h, instant now) {
  switch (h.type) {
    case yamux_type::data: return handle_data_header(h, now);
    case yamux_type::window_update: return handle_window_update(h, now);
    case yamux_type::ping: return handle_ping(h, now);
    case yamux_type::go_away: return handle_go_away(h);
  }
}

void yamux_session::handle_data_header(const yamux_header& h, instant now) {
  if (h.length > config_.max_receive_window)
    return protocol_violation(sid(h.stream_id) + ": data frame of " + std::to_string(h.length) +
                              " bytes exceeds the largest receive window");
  if (h.has(yamux_flag::syn) && h.length > yamux_initial_window)
    return protocol_violation(sid(h.stream_id) + ": opening data frame of " + std::to_string(h.length) +
                              " bytes exceeds the initial window");
  stream* s = h.has(yamux_flag::syn) ? accept_inbound(h.stream_id, now) : find(h.stream_id);
  if (closed_) return;
  payload_stream_ = h.stream_id;
  payload_left_ = h.length;
  payload_fin_ = false;
  payload_keep_ = false;
  if (s && h.has(yamux_flag::ack) && s->outbound && !s->acked) {
    s->acked = true;
    --ack_backlog_;
  }
  if (s && h.has(yamux_flag::rst)) {
    remote_reset(h.stream_id, *s);
    s = nullptr;
  }
  // Unknown streams (reset or forgotten a moment ago) and reset ones: drop the payload.
  if (s && !s->reset) {
    if (s->remote_closed && h.length > 0)
      return protocol_violation(sid(h.stream_id) + ": data frame after the peer's FIN");
    if (h.length > s->recv_credit)
      return protocol_violation(sid(h.stream_id) + ": data frame of " + std::to_string(h.length) +
                                " bytes exceeds the receive window of " + std::to_string(s->recv_credit));
    s->recv_credit -= h.length;
    s->receiving = h.length;
    payload_keep_ = true;
    payload_fin_ = h.has(yamux_flag::fin);
  }
  if (payload_left_ == 0) finish_payload();
}

void yamux_session::finish_payload() {
  if (!payload_fin_) return;
  payload_fin_ = false;
  if (stream* s = find(payload_stream_); s && !s->reset) remote_fin(payload_stream_, *s);
}

void yamux_session::handle_window_update(const yamux_header& h, instant now) {
  stream* s = h.has(yamux_flag::syn) ? accept_inbound(h.stream_id, now) : find(h.stream_id);
  if (closed_ || !s || s->reset) return;
  if (h.has(yamux_flag::ack) && s->outbound && !s->acked) {
    s->acked = true;
    --ack_backlog_;
  }
  if (h.has(yamux_flag::rst)) return remote_reset(h.stream_id, *s);
  if (std::uint64_t{s->send_window} + h.length > max_stream_id)
    return protocol_violation(sid(h.stream_id) + ": window update of " + std::to_string(h.length) +
                              " overflows the send window");
  s->send_window += h.length;
  if (h.length > 0 && s->write_blocked && out_.size() < config_.max_transmit_buffer) {
    s->write_blocked = false;
    push_stream_event(h.stream_id, *s, ev_writable);
  }
  if (h.has(yamux_flag::fin)) remote_fin(h.stream_id, *s);
}

yamux_session::stream* yamux_session::accept_inbound(std::uint32_t id, instant now) {
  bool ours = (id % 2 == 1) == (role_ == yamux_role::client);
  if (ours) {
    protocol_violation(sid(id) + ": SYN with an id of our parity");
    return nullptr;
  }
  if (streams_.contains(id)) {
    protocol_violation(sid(id) + ": SYN for a stream that is already open");
    return nullptr;
  }
  if (local_go_away_ || streams_.size() >= config_.max_streams) {
    // Refused, not an error: the peer learns it from the RST; any payload is dropped.
    send_frame(yamux_type::window_update, yamux_flag::rst, id, 0);
    return nullptr;
  }
  auto& s = streams_[id];
  s.epoch_start = now;
  s.ack_owed = true;
  push_stream_event(id, s, ev_opened);
  return &s;
}

void yamux_session::remote_reset(std::uint32_t id, stream& s) {
  if (s.outbound && !s.acked) {
    s.acked = true;
    --ack_backlog_;
  }
  s.reset = true;
  s.receiving = 0;
  s.buffer.release();
  window_growth_ -= s.recv_window - yamux_initial_window;
  s.recv_window = yamux_initial_window;
  push_stream_event(id, s, ev_reset);
}

void yamux_session::remote_fin(std::uint32_t id, stream& s) {
  if (s.remote_closed) return;
  s.remote_closed = true;
  push_stream_event(id, s, ev_fin);
}

void yamux_session::handle_ping(const yamux_header& h, instant now) {
  if (h.has(yamux_flag::syn)) return send_frame(yamux_type::ping, yamux_flag::ack, 0, h.length);
  if (!h.has(yamux_flag::ack) || !ping_outstanding_ || ping_outstanding_->first != h.length) return;
  rtt_ = now - ping_outstanding_->second;
  ping_outstanding_.reset();
  if (config_.ping_interval) next_ping_ = now + *config_.ping_interval;
  if (!rtt_event_pending_) {
    rtt_event_pending_ = true;
    events_.push_back({0, ev_rtt});
  }
}

void yamux_session::handle_go_away(const yamux_header& h) {
  if (remote_go_away_) return;
  remote_go_away_ = true;
  auto code = static_cast<yamux_go_away_code>(h.length);
  remote_go_away_code_ = code;
  events_.push_back({0, ev_go_away});
  if (code == yamux_go_away_code::protocol_error)
    return close(yamux_errc::remote_protocol_error, "peer sent GoAway(protocol error)");
  if (code != yamux_go_away_code::normal)
    return close(yamux_errc::remote_internal_error, "peer sent GoAway with code " + std::to_string(h.length));
  check_go_away_done();
}

void yamux_session::handle_eof() {
  if (closed_) return;
  std::string where = header_len_ > 0 || payload_left_ > 0 ? " in the middle of a frame" : "";
  close(yamux_errc::connection_closed, "transport closed" + where);
}

// ---- output and events -----------------------------------------------------

void yamux_session::shrink_buffers() {
  if (out_.empty()) bytes().swap(out_);
}

bool yamux_session::poll_transmit(bytes& out) {
  out.clear();
  if (out_.empty()) return false;
  std::swap(out, out_);
  if (!closed_) wake_writers();
  return true;
}

void yamux_session::wake_writers() {
  for (auto& [id, s] : streams_)
    if (s.write_blocked && s.send_window > 0) {
      s.write_blocked = false;
      push_stream_event(id, s, ev_writable);
    }
}

std::optional<yamux_event> yamux_session::poll_event() {
  while (!events_.empty()) {
    auto q = events_.pop_front();
    switch (q.kind) {
      case ev_go_away: return go_away_received{remote_go_away_code_};
      case ev_closed: return session_closed{*closed_};
      case ev_rtt:
        rtt_event_pending_ = false;
        if (rtt_) return rtt_measured{*rtt_};
        continue;
      default: break;
    }
    stream* s = find(q.stream_id);
    if (!s || !(s->pending & q.kind)) continue;  // the application reset it, or read the data, meanwhile
    s->pending = static_cast<std::uint8_t>(s->pending & ~q.kind);
    maybe_forget(q.stream_id);
    switch (q.kind) {
      case ev_opened: return inbound_stream{q.stream_id};
      case ev_readable: return stream_readable{q.stream_id};
      case ev_writable: return stream_writable{q.stream_id};
      case ev_fin: return stream_remote_closed{q.stream_id};
      default: return stream_reset{q.stream_id};
    }
  }
  return std::nullopt;
}

void yamux_session::push_stream_event(std::uint32_t id, stream& s, event_kind kind) {
  if (s.pending & kind) return;
  s.pending = static_cast<std::uint8_t>(s.pending | kind);
  events_.push_back({id, kind});
}

void yamux_session::send_frame(yamux_type type, std::uint16_t flags, std::uint32_t id, std::uint32_t length) {
  append_yamux_header(out_, {type, flags, id, length});
}

void yamux_session::send_stream_frame(stream& s, yamux_type type, std::uint16_t flags, std::uint32_t id,
                                      std::uint32_t length) {
  if (s.ack_owed) {
    flags |= yamux_flag::ack;
    s.ack_owed = false;
  }
  send_frame(type, flags, id, length);
}

// ---- time ------------------------------------------------------------------

std::optional<instant> yamux_session::poll_timeout() const {
  if (closed_) return std::nullopt;
  if (ping_outstanding_) {
    if (config_.ping_timeout) return ping_outstanding_->second + *config_.ping_timeout;
    return std::nullopt;
  }
  return next_ping_;
}

void yamux_session::handle_timeout(instant now) {
  if (closed_) return;
  if (ping_outstanding_) {
    if (config_.ping_timeout && now >= ping_outstanding_->second + *config_.ping_timeout)
      close(yamux_errc::keepalive_timeout,
            "no answer to a ping within " +
                std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(*config_.ping_timeout).count()) +
                " ms");
    return;
  }
  if (next_ping_ && now >= *next_ping_) send_ping(now);
}

void yamux_session::send_ping(instant now) {
  ++ping_value_;
  send_frame(yamux_type::ping, yamux_flag::syn, 0, ping_value_);
  ping_outstanding_ = {ping_value_, now};
  next_ping_.reset();
}

// ---- session end -------------------------------------------------------------

void yamux_session::go_away(yamux_go_away_code code) {
  if (closed_) return;
  if (!local_go_away_) {
    local_go_away_ = true;
    send_frame(yamux_type::go_away, 0, 0, static_cast<std::uint32_t>(code));
  }
  if (code != yamux_go_away_code::normal)
    return close(yamux_errc::internal_error,
                 "we sent GoAway with code " + std::to_string(static_cast<std::uint32_t>(code)));
  check_go_away_done();
}

void yamux_session::check_go_away_done() {
  if (closed_ || !(local_go_away_ || remote_go_away_) || !streams_.empty()) return;
  close(yamux_errc::go_away_completed,
        std::string(local_go_away_ ? "we" : "the peer") + " sent GoAway and no stream is left");
}

void yamux_session::protocol_violation(std::string detail) {
  if (closed_) return;
  if (!local_go_away_) {
    local_go_away_ = true;
    send_frame(yamux_type::go_away, 0, 0, static_cast<std::uint32_t>(yamux_go_away_code::protocol_error));
  }
  close(yamux_errc::protocol_error, std::move(detail));
}

void yamux_session::close(yamux_errc code, std::string detail) {
  if (closed_) return;
  closed_ = error{make_error_code(code), std::move(detail)};
  streams_.clear();
  ack_backlog_ = 0;
  window_growth_ = 0;
  payload_left_ = 0;
  ping_outstanding_.reset();
  next_ping_.reset();
  events_.push_back({0, ev_closed});
}

}  // namespace converge::p2p
