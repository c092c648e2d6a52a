#pragma once
// The libp2p host: an identity, TCP listeners, connections by peer, a table
// of stream handlers, a peerstore and a bounded event queue. Built-in
// protocols: identify (+ push) and ping; perf is opt-in (protocols/perf.hpp).
//
// Threading: a host and everything it owns live on one executor, which must
// be single-threaded (an io_context run by one thread, or a strand). All
// member functions must be called from it.
//
// Lifetime: create() returns a shared_ptr; coroutines of the host keep it
// alive while they run. close() stops listening and closes every connection.
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <unordered_map>
#include <variant>

#include "base/rng.hpp"
#include "p2p/io/connection.hpp"
#include "p2p/io/peerstore.hpp"
#include "p2p/io/protocols/identify_message.hpp"
#include "p2p/io/tcp_transport.hpp"

namespace converge::p2p::io {

struct host_config {
  explicit host_config(crypto::private_key id) : identity(std::move(id)) {}

  crypto::private_key identity;
  std::vector<mf::multiaddr> listen_addrs;  // e.g. /ip4/127.0.0.1/tcp/0
  // Security protocols offered (dialer) or accepted (listener), preferred
  // first; empty: /noise, plus /plaintext/2.0.0 when allow_plaintext.
  std::vector<std::string> security_protocols;
  bool allow_plaintext = false;
  duration handshake_timeout = std::chrono::seconds{10};
  duration stream_negotiation_timeout = std::chrono::seconds{10};
  // new_stream with one protocol returns once the proposal is written; the
  // first read finishes the negotiation (as js-libp2p and go-libp2p do).
  bool lazy_negotiation = true;
  dial_options dial;
  // After a failed dial a peer is not dialled again for backoff x 2^(failures-1), capped at max_backoff.
  duration dial_backoff = std::chrono::seconds{1};
  duration max_dial_backoff = std::chrono::minutes{5};
  yamux_config yamux;  // its max_transmit_buffer is replaced by transmit_buffer
  // Per connection: the muxer's output and the secure channel's output not
  // yet written each stay under this. Small, so that a node serving many
  // slow readers at once holds little; the socket's own buffer keeps a fast
  // link busy (bench/p2p/host_bench.sh).
  std::size_t transmit_buffer = 128 * 1024;
  std::size_t max_connections = 512;
  std::size_t max_events = 1024;
  bool identify_on_connect = true;
  std::string agent_version = "converge/0.1";
  std::string protocol_version = "ipfs/0.1.0";
  peerstore_limits peers;
};

struct peer_connected {
  crypto::peer_id peer;
  mf::multiaddr addr;
  direction dir;
};
struct peer_disconnected {
  crypto::peer_id peer;
  error reason;
};
struct identify_completed {
  crypto::peer_id peer;
  identify_info info;
  bool signed_record_verified = false;  // the record opened, and is the peer's
};
struct identify_failed {
  crypto::peer_id peer;
  error reason;
};
// The queue was full: this many events were dropped before this one.
struct events_dropped {
  std::size_t count;
};
using host_event = std::variant<peer_connected, peer_disconnected, identify_completed, identify_failed, events_dropped>;

// Runs once per negotiated inbound stream; owns the stream (close or reset it).
using stream_handler = std::function<task<void>(stream)>;

class host : public std::enable_shared_from_this<host> {
 public:
  static result<std::shared_ptr<host>> create(const asio::any_io_executor& ex, host_config config);
  host(const host&) = delete;
  host& operator=(const host&) = delete;
  ~host();

  // Binds every configured listen address; returns the bound addresses (port 0 resolved).
  result<std::vector<mf::multiaddr>> listen();
  [[nodiscard]] const std::vector<mf::multiaddr>& listen_addrs() const { return bound_; }
  [[nodiscard]] const crypto::peer_id& id() const { return id_; }
  [[nodiscard]] const crypto::private_key& identity() const { return config_.identity; }
  [[nodiscard]] const host_config& config() const { return config_; }
  [[nodiscard]] const asio::any_io_executor& executor() const { return ex_; }

  void set_stream_handler(std::string protocol, stream_handler handler);
  void remove_stream_handler(const std::string& protocol);
  [[nodiscard]] std::vector<std::string> protocols() const;

  // Dials `addr` (/ip4|ip6/.../tcp/N[/p2p/<id>]); with /p2p the remote must be that peer.
  task<result<std::shared_ptr<connection>>> connect(mf::multiaddr addr);
  // An open connection to `peer`, or a dial of its peerstore addresses (raced).
  task<result<std::shared_ptr<connection>>> connect(crypto::peer_id peer);
  // Opens a stream and negotiates the first protocol of `protocols` the peer accepts.
  task<result<stream>> new_stream(crypto::peer_id peer, std::vector<std::string> protocols);
  task<result<stream>> new_stream(const std::shared_ptr<connection>& conn, std::vector<std::string> protocols);
  void disconnect(const crypto::peer_id& peer);
  [[nodiscard]] std::shared_ptr<connection> connection_to(const crypto::peer_id& peer) const;
  [[nodiscard]] std::size_t connection_count() const;
  // Every open connection, grouped by peer (for listings such as `swarm peers`).
  [[nodiscard]] std::vector<std::shared_ptr<connection>> connections() const;
  void close();

  peerstore& peers() { return peers_; }
  rng& random() { return rng_; }

  std::optional<host_event> poll_event();
  task<host_event> next_event();
  // Queues an event (bounded; used by the built-in protocols too).
  void emit(host_event e);

  // Sends identify push to every connected peer (after handler changes).
  void push_identify();

 private:
  host(const asio::any_io_executor& ex, host_config config);
  task<void> accept_loop(std::shared_ptr<host> self, std::shared_ptr<tcp::acceptor> acceptor);
  task<void> upgrade_inbound(std::shared_ptr<host> self, tcp::socket socket);
  task<result<std::shared_ptr<connection>>> dial(crypto::peer_id peer, std::vector<mf::multiaddr> addrs);
  task<void> handle_inbound_stream(std::shared_ptr<host> self, stream s);
  void add_connection(const std::shared_ptr<connection>& conn);
  void on_connection_closed(connection& conn);
  upgrade_options upgrade_settings(std::optional<crypto::peer_id> expected) const;
  yamux_config muxer_config() const;
  result<void> check_backoff(const crypto::peer_id& peer) const;
  void note_dial_failure(const crypto::peer_id& peer);

  asio::any_io_executor ex_;
  host_config config_;
  crypto::peer_id id_;
  system_rng rng_;
  peerstore peers_;
  std::vector<std::shared_ptr<tcp::acceptor>> acceptors_;
  std::vector<mf::multiaddr> bound_;
  std::map<std::string, stream_handler> handlers_;
  std::unordered_map<crypto::peer_id, std::vector<std::shared_ptr<connection>>> conns_;
  std::unordered_map<crypto::peer_id, std::shared_ptr<signal>> dialing_;
  struct backoff_state {
    instant until;
    unsigned failures = 0;
  };
  std::unordered_map<crypto::peer_id, backoff_state> backoff_;
  std::deque<host_event> events_;
  std::size_t dropped_ = 0;
  signal event_wake_;
  bool closed_ = false;
};

}  // namespace converge::p2p::io
