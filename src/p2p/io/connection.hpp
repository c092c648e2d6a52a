#pragma once
// The connection driver: one upgraded TCP connection, its secure channel and
// its Yamux session, driven by three coroutines on the host's executor:
//   reader: socket bytes -> channel.handle_input -> channel.poll_read ->
//           yamux.handle_input, then the events are dispatched;
//   writer: yamux.poll_transmit -> channel.send (in bounded pieces) ->
//           channel.poll_transmit -> socket; it sleeps until woken;
//   timer:  a steady_timer at yamux.poll_timeout() -> handle_timeout.
// Every call into a core is followed by after_core_call(): dispatch events,
// wake the writer, re-arm the timer if the wake-up moved earlier. The cores
// are touched by nobody else, so they need no locks.
// The connection ends once (closed() then holds the reason): on the
// session's terminal event, a channel failure, a socket error or close().
#include <functional>
#include <memory>
#include <optional>
#include <unordered_map>

#include "multiformats/multiaddr.hpp"
#include "p2p/io/stream.hpp"
#include "p2p/io/upgrader.hpp"
#include "p2p/yamux_session.hpp"

namespace converge::p2p::io {

enum class direction { inbound, outbound };

class connection : public std::enable_shared_from_this<connection> {
 public:
  using stream_callback = std::function<void(stream)>;
  using closed_callback = std::function<void(connection&)>;

  connection(upgraded up, direction dir, mf::multiaddr remote_addr, const yamux_config& config);
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  // Starts the three loops. on_stream gets each inbound stream (before any
  // protocol is negotiated); on_closed runs once when the connection ends.
  void start(stream_callback on_stream, closed_callback on_closed);
  result<stream> open_stream();
  // Sends GoAway, flushes, closes the socket.
  void close();

  [[nodiscard]] const crypto::peer_id& remote_peer() const { return remote_peer_; }
  [[nodiscard]] const crypto::public_key& remote_key() const { return remote_key_; }
  [[nodiscard]] const mf::multiaddr& remote_addr() const { return remote_addr_; }
  [[nodiscard]] const mf::multiaddr& local_addr() const { return local_addr_; }
  [[nodiscard]] direction dir() const { return dir_; }
  [[nodiscard]] const std::string& security_protocol() const { return security_protocol_; }
  [[nodiscard]] const std::optional<error>& closed() const { return closed_; }
  [[nodiscard]] std::size_t stream_count() const { return session_.stream_count(); }

  // For stream handles.
  yamux_session& session() { return session_; }
  void after_core_call();
  void forget_if_done(std::uint32_t id);
  void forget(std::uint32_t id) { slots_.erase(id); }

 private:
  task<void> read_loop(std::shared_ptr<connection> self);
  task<void> write_loop(std::shared_ptr<connection> self);
  task<void> timer_loop(std::shared_ptr<connection> self);
  void feed_channel_output();
  void dispatch_events();
  void end(error reason);
  std::shared_ptr<stream_slot> make_slot(std::uint32_t id);

  asio::any_io_executor ex_;
  tcp::socket socket_;
  std::unique_ptr<security::secure_channel> channel_;
  yamux_session session_;
  crypto::peer_id remote_peer_;
  crypto::public_key remote_key_;
  std::string security_protocol_;
  direction dir_;
  mf::multiaddr remote_addr_;
  mf::multiaddr local_addr_;

  std::unordered_map<std::uint32_t, std::shared_ptr<stream_slot>> slots_;
  signal writer_wake_;
  asio::steady_timer timer_;
  // After the end, the writer flushes (GoAway) for at most linger_time; then the socket is closed regardless.
  asio::steady_timer linger_;
  instant armed_ = instant::max();
  bytes plain_;            // Yamux output not yet handed to the channel
  std::size_t plain_off_ = 0;
  stream_callback on_stream_;
  closed_callback on_closed_;
  std::optional<error> closed_;
  bool dispatching_ = false;
};

}  // namespace converge::p2p::io
