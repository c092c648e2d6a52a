#pragma once
// An application's handle on one Yamux stream of a connection. Handles are
// cheap to copy (they share the stream's state); all calls must come from the
// host's executor. Back-pressure is the Yamux window: write_all() suspends
// while the peer's window (or the connection's output bound) is full, and a
// reader that stops calling read_some() stops the sender.
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "base/bytes.hpp"
#include "crypto/peer_id.hpp"
#include "p2p/io/asio.hpp"
#include "p2p/io/signal.hpp"
#include "p2p/multistream.hpp"

namespace converge::p2p::io {

class connection;

// Per-stream state shared by the connection (which wakes it) and its handles.
struct stream_slot {
  explicit stream_slot(const asio::any_io_executor& ex) : wake(ex) {}
  signal wake;      // notified on every event of the stream and when the connection ends
  bytes unread;     // handed out before the session's buffer (negotiation leftovers)
  bool eof = false;    // the peer's FIN has been read
  bool reset = false;  // reset by either side
  std::string protocol;
  // A lazy (optimistic) outbound negotiation still awaiting the responder's
  // echo: the first read finishes it before handing out data.
  std::shared_ptr<multistream_initiator> negotiating;
};

class stream {
 public:
  stream(std::shared_ptr<connection> conn, std::uint32_t id, std::shared_ptr<stream_slot> slot)
      : conn_(std::move(conn)), id_(id), slot_(std::move(slot)) {}

  // Some bytes (at least one), or 0 at the end of the peer's data. After a
  // lazy negotiation that the peer refuses: io_errc::protocol_refused.
  task<result<std::size_t>> read_some(std::span<std::uint8_t> out);
  // read_some without finishing a pending lazy negotiation (for the negotiation itself).
  task<result<std::size_t>> read_raw(std::span<std::uint8_t> out);
  // Exactly out.size() bytes; io_errc::connection_closed if the stream ends first.
  task<result<void>> read_exact(std::span<std::uint8_t> out);
  // Everything until the peer closes; io_errc::limit past `max` bytes.
  task<result<bytes>> read_to_end(std::size_t max);
  task<result<void>> write_all(bytes_view data);
  // Half-close (FIN); reading goes on.
  result<void> close_write();
  // Completes a pending lazy negotiation (reads the responder's echo) without
  // reading data. Call it before close_write() when the reply comes only
  // after the FIN: js-libp2p 3 takes a FIN that arrives before it has answered
  // the proposal as the end of the stream in both directions, and then
  // refuses to write its reply ("Cannot write to a stream that is closed").
  task<result<void>> finish_negotiation();
  void reset();
  // Puts bytes back in front of the stream (the next read returns them first).
  void unread(bytes b);

  [[nodiscard]] std::uint32_t id() const { return id_; }
  [[nodiscard]] const std::string& protocol() const { return slot_->protocol; }
  void set_protocol(std::string p) { slot_->protocol = std::move(p); }
  void set_lazy_negotiation(std::shared_ptr<multistream_initiator> core) { slot_->negotiating = std::move(core); }
  [[nodiscard]] const crypto::peer_id& remote_peer() const;
  [[nodiscard]] const std::shared_ptr<connection>& conn() const { return conn_; }

 private:
  std::shared_ptr<connection> conn_;
  std::uint32_t id_;
  std::shared_ptr<stream_slot> slot_;
};

}  // namespace converge::p2p::io
