#pragma once
// The kad driver: runs one kad::dht core (src/kad, sans-IO) over a libp2p
// host (src/p2p/io) on the host's single-threaded executor.
//
// Streams: every outbound request opens a /ipfs/kad/1.0.0 stream, writes one
// length-prefixed Message, reads one answer when one is expected, and closes
// the stream (the core times the request out on its own). Inbound streams
// are served in a loop: each frame is one request, each answer one frame, as
// go-libp2p and js-libp2p reuse a stream for several requests. A frame over
// the core's max_message or a request the core refuses resets the stream.
// In client mode no handler is registered (peers never see us as a server).
//
// Peers: a peer enters the core's routing table when identify reports that it
// speaks /ipfs/kad/1.0.0 (on_host_event, to be called by whoever consumes the
// host's events), when it answers one of our requests, or when it sends us a
// request after identify listed the protocol. add_peer() seeds bootstrap
// peers with their addresses.
//
// Threading and lifetime: every member function must be called from the
// host's executor. create() returns a shared_ptr; coroutines hold it while
// they run. stop() removes the handler and wakes every waiter; pending
// queries then finish with kad_errc::unknown_query.
#include <map>
#include <memory>

#include "kad/dht.hpp"
#include "p2p/io/host.hpp"

namespace converge::kad::io {

namespace p2pio = converge::p2p::io;
template <class T>
using task = p2pio::task<T>;

struct driver_config {
  dht_options dht;
  std::size_t max_inbound_streams = 256;
  duration address_ttl = 30min;  // for addresses learned from closerPeers/providerPeers
};

class driver : public std::enable_shared_from_this<driver> {
 public:
  static std::shared_ptr<driver> create(std::shared_ptr<p2pio::host> host,
                                        std::shared_ptr<const validator_registry> validators,
                                        std::shared_ptr<record_store> store, driver_config config);
  ~driver();
  void start();
  void stop();

  void on_host_event(const p2pio::host_event& e);
  // A bootstrap peer: its addresses go to the peerstore and it enters the table as a server.
  void add_peer(const crypto::peer_id& peer, const std::vector<mf::multiaddr>& addrs);

  task<result<query_done>> find_node(bytes key);
  task<result<query_done>> get_value(bytes key, std::size_t quorum);
  task<result<query_done>> put_value(bytes key, bytes value);
  task<result<query_done>> provide(bytes key);
  task<result<query_done>> get_providers(bytes key, std::size_t count);
  void bootstrap();

  dht& core() { return *core_; }
  [[nodiscard]] std::size_t inbound_streams() const { return inbound_; }

 private:
  driver(std::shared_ptr<p2pio::host> host, std::shared_ptr<const validator_registry> validators,
         std::shared_ptr<record_store> store, driver_config config);
  void pump();
  task<result<query_done>> wait_for(result<query_id> q);
  static task<void> run_request(std::shared_ptr<driver> self, outbound_request req);
  static task<void> serve(std::weak_ptr<driver> weak, p2pio::stream s);
  static task<void> timer_loop(std::shared_ptr<driver> self);
  peer_info info_of(const crypto::peer_id& peer) const;

  std::shared_ptr<p2pio::host> host_;
  driver_config config_;
  system_clock_source clock_;
  std::unique_ptr<dht> core_;
  p2pio::asio::steady_timer timer_;
  p2pio::signal done_;
  std::map<query_id, query_done> finished_;
  std::size_t inbound_ = 0;
  bool started_ = false, stopped_ = false;
};

}  // namespace converge::kad::io
