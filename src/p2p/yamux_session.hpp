#pragma once
// Yamux 1.0.0 (/yamux/1.0.0) as a sans-IO core: one yamux_session per
// connection, fed the connection's bytes after the security upgrade.
//
// Driver contract (see docs/SANS_IO.md):
//  * Construct it once multistream-select chose /yamux/1.0.0 (role client on
//    the dialing side), feed it the negotiation's leftover bytes first, and
//    drain poll_transmit() at once: the constructor queues the first ping,
//    which measures the RTT that receive-window auto-tuning needs.
//  * Feed every byte read with handle_input(data, now), in order, in any
//    fragmentation. Call handle_eof() when the transport's read side ends or
//    fails. Call handle_timeout(now) once the instant from poll_timeout() has
//    passed (re-ask poll_timeout() after every call: it moves).
//  * After every call, drain poll_transmit() and poll_event(). poll_transmit
//    swaps the pending output into the caller's buffer; write all of it before
//    polling the next one. Not polling is the back-pressure: output stays
//    queued, write() accepts less, and past config.max_transmit_buffer plus
//    control slack the session fails with output_overflow.
//  * Events name streams by id; a stream is forgotten once both directions are
//    closed, a read() returned fin (or consume() emptied the buffer after the
//    FIN) and its events are polled; or after a peer's reset once that event is
//    polled; or right away on the application's own reset(). Calls naming a
//    forgotten stream fail with unknown_stream. A stream not yet forgotten
//    counts against max_streams.
//  * write() returns how many bytes it took (bounded by the peer's window and
//    the output buffer); after a short write, wait for stream_writable.
//  * read()/peek()+consume() take buffered data; consuming is what reopens the
//    peer's window, so an application that stops reading stops the sender.
//  * After session_closed, flush poll_transmit() (it may hold a GoAway) and
//    close the transport; every later call is refused with session_closed.
//  * Events are bounded by construction: at most one of each kind is queued
//    per stream and one of each session kind (go-away, rtt, closed), so the
//    queue holds at most 5 x max_streams + 3 entries (plus stale entries for
//    streams the application reset itself, which poll_event skips).
// Threading: none. A session is used by one thread (or strand) at a time.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "base/bytes.hpp"
#include "base/clock.hpp"
#include "base/error.hpp"
#include "p2p/byte_ring.hpp"
#include "p2p/ring_queue.hpp"
#include "p2p/yamux_frame.hpp"

namespace converge::p2p {

enum class yamux_role { client, server };  // client: odd stream ids (the connection's dialer)

struct yamux_config {
  // Receive windows start at 256 KiB (spec) and auto-tune up to this.
  std::uint32_t max_receive_window = 16 * 1024 * 1024;
  bool auto_tune = true;
  // All streams together may grow their windows by at most this many bytes
  // beyond the initial 256 KiB each: a bound on buffered memory per session.
  std::size_t max_window_growth = 64 * 1024 * 1024;
  // Live streams (both directions). Inbound SYNs beyond it are answered with RST.
  // The libp2p spec asks to hold at least 256 unacknowledged inbound streams.
  std::size_t max_streams = 512;
  // Outbound streams the peer has not ACKed yet (libp2p yamux spec: 256).
  std::size_t max_ack_backlog = 256;
  // write() splits data into frames of at most this many payload bytes.
  std::uint32_t max_frame_payload = 16 * 1024;
  // Pending output beyond which write() accepts nothing more (the host sets
  // its own: host_config::transmit_buffer).
  std::size_t max_transmit_buffer = 1024 * 1024;
  // Control frames (window updates, pongs, RST) may go this far beyond
  // max_transmit_buffer; past it the peer is not reading: output_overflow.
  std::size_t control_slack = 64 * 1024;
  // Ping period, for keep-alive and RTT (which auto-tuning needs); nullopt: never ping.
  std::optional<duration> ping_interval = std::chrono::seconds{15};
  // An unanswered ping older than this ends the session; nullopt: no keep-alive.
  std::optional<duration> ping_timeout = std::chrono::seconds{10};
};

// A remote peer opened a stream. As the libp2p yamux spec asks, it is not
// acknowledged implicitly: the ACK flag rides on the first frame we send on it
// (data, window update or FIN).
struct inbound_stream {
  std::uint32_t id;
};
// New data to read (coalesced: one event until the stream is read or polled again).
struct stream_readable {
  std::uint32_t id;
};
// A write that was cut short can go on: the peer's window or our output buffer opened.
struct stream_writable {
  std::uint32_t id;
};
// The peer closed its sending side (FIN); buffered data is still readable.
struct stream_remote_closed {
  std::uint32_t id;
};
// The peer reset the stream; its unread data is gone.
struct stream_reset {
  std::uint32_t id;
};
struct go_away_received {
  yamux_go_away_code code;
};
// A ping answer arrived; the latest round trip time.
struct rtt_measured {
  duration rtt;
};
// Terminal. reason.code is a yamux_errc (go_away_completed on a clean end).
struct session_closed {
  error reason;
};
using yamux_event = std::variant<inbound_stream, stream_readable, stream_writable, stream_remote_closed, stream_reset,
                                 go_away_received, rtt_measured, session_closed>;

struct yamux_read {
  std::size_t size = 0;
  bool fin = false;  // the peer closed its side and everything has been read
};

struct yamux_stream_info {
  std::uint32_t send_window;     // bytes we may still send
  std::uint32_t receive_window;  // current (auto-tuned) window size
  std::size_t buffered;          // received, not yet read
  bool local_closed;
  bool remote_closed;
  bool reset;
};

class yamux_session {
 public:
  yamux_session(yamux_role role, instant now, const yamux_config& config = {});

  // ---- I/O (the five calls every converge core has) ----
  void handle_input(bytes_view data, instant now);
  void handle_eof();
  // Swaps pending output into `out` (its old contents are dropped, its capacity reused). False if none.
  bool poll_transmit(bytes& out);
  // Gives back the output buffer's capacity when it is empty (for an idle connection).
  void shrink_buffers();
  std::optional<yamux_event> poll_event();
  [[nodiscard]] std::optional<instant> poll_timeout() const;
  void handle_timeout(instant now);

  // ---- streams ----
  result<std::uint32_t> open_stream(instant now);
  result<std::size_t> write(std::uint32_t id, bytes_view data, instant now);
  result<yamux_read> read(std::uint32_t id, std::span<std::uint8_t> out, instant now);
  // Zero-copy read: the buffered bytes as two pieces (valid until the next
  // non-const call), then consume() the bytes used.
  result<std::pair<bytes_view, bytes_view>> peek(std::uint32_t id) const;
  result<void> consume(std::uint32_t id, std::size_t n, instant now);
  // Half-close: sends FIN; reading goes on. Idempotent.
  result<void> close_write(std::uint32_t id);
  // Sends RST (unless the stream is already finished) and forgets the stream.
  result<void> reset(std::uint32_t id);

  // ---- session ----
  // Sends GoAway: no new streams either way. With `normal` the session ends
  // (go_away_completed) once no stream is left; with an error code at once.
  void go_away(yamux_go_away_code code = yamux_go_away_code::normal);
  [[nodiscard]] bool closed() const { return closed_.has_value(); }
  [[nodiscard]] const std::optional<error>& close_reason() const { return closed_; }
  [[nodiscard]] std::optional<yamux_stream_info> stream_info(std::uint32_t id) const;
  [[nodiscard]] std::size_t stream_count() const { return streams_.size(); }
  [[nodiscard]] std::optional<duration> rtt() const { return rtt_; }

 private:
  // Stream events are bits (at most one of each kind queued per stream);
  // session events are queued at most once each (rtt is coalesced).
  enum event_kind : std::uint8_t {
    ev_opened = 1,
    ev_readable = 2,
    ev_writable = 4,
    ev_fin = 8,
    ev_reset = 16,
    ev_go_away = 32,
    ev_rtt = 64,
    ev_closed = 128,
  };
  struct stream {
    bool outbound = false;
    bool acked = false;
    bool local_closed = false;
    bool remote_closed = false;
    bool reset = false;
    bool write_blocked = false;
    bool fin_read = false;
    bool ack_owed = false;  // inbound: our first frame on it carries ACK  // a read or consume reported the end of the peer's data
    std::uint8_t pending = 0;  // pending_bit set: events queued and not yet polled
    std::uint32_t send_window = yamux_initial_window;
    std::uint32_t recv_window = yamux_initial_window;
    std::uint32_t recv_credit = yamux_initial_window;  // what the peer may still send
    std::uint32_t receiving = 0;  // bytes of the current data frame not yet in `buffer`
    // Auto-tuning epoch: when it began and how much the application consumed since.
    instant epoch_start;
    std::size_t epoch_consumed = 0;
    byte_ring buffer;
  };
  // The variant is built when polled, so queueing never allocates.
  struct queued_event {
    std::uint32_t stream_id = 0;  // 0 for session events
    std::uint8_t kind = 0;
  };

  void handle_header(const yamux_header& h, instant now);
  void handle_data_header(const yamux_header& h, instant now);
  void handle_window_update(const yamux_header& h, instant now);
  void handle_ping(const yamux_header& h, instant now);
  void handle_go_away(const yamux_header& h);
  void finish_payload();
  stream* accept_inbound(std::uint32_t id, instant now);
  void remote_reset(std::uint32_t id, stream& s);
  void remote_fin(std::uint32_t id, stream& s);
  void maybe_update_window(std::uint32_t id, stream& s, instant now);
  void send_frame(yamux_type type, std::uint16_t flags, std::uint32_t id, std::uint32_t length);
  // Sends a stream frame, adding ACK if the stream still owes one.
  void send_stream_frame(stream& s, yamux_type type, std::uint16_t flags, std::uint32_t id, std::uint32_t length);
  void send_ping(instant now);
  void push_stream_event(std::uint32_t id, stream& s, event_kind kind);
  void wake_writers();
  void maybe_forget(std::uint32_t id);
  void check_go_away_done();
  void protocol_violation(std::string detail);
  void close(yamux_errc code, std::string detail);
  stream* find(std::uint32_t id);
  const stream* find(std::uint32_t id) const;
  result<stream*> usable(std::uint32_t id);

  yamux_role role_;
  yamux_config config_;
  std::uint64_t next_id_;  // next id we open; 64-bit so exhaustion is visible
  std::unordered_map<std::uint32_t, stream> streams_;
  std::size_t ack_backlog_ = 0;
  std::size_t window_growth_ = 0;  // sum over streams of recv_window - initial

  bytes out_;
  ring_queue<queued_event> events_;
  bool rtt_event_pending_ = false;

  // Frame decoding: a header is collected here byte by byte; a data payload is
  // copied straight into its stream's ring buffer.
  std::array<std::uint8_t, yamux_header_size> header_{};
  std::size_t header_len_ = 0;
  std::uint32_t payload_stream_ = 0;
  std::size_t payload_left_ = 0;
  bool payload_fin_ = false;
  bool payload_keep_ = false;  // false: the payload is discarded (unknown, refused or reset stream)

  // Pings: one outstanding at a time.
  std::uint32_t ping_value_ = 0;
  std::optional<std::pair<std::uint32_t, instant>> ping_outstanding_;
  std::optional<instant> next_ping_;
  std::optional<duration> rtt_;

  bool local_go_away_ = false;
  bool remote_go_away_ = false;
  yamux_go_away_code remote_go_away_code_ = yamux_go_away_code::normal;
  std::optional<error> closed_;
};

}  // namespace converge::p2p
