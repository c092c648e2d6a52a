#pragma once
// The pubsub driver: runs one gossip_router (src/pubsub, sans-IO) over a
// libp2p host (src/p2p/io) on the host's single-threaded executor.
//
// Streams: per peer, one outbound stream that we write RPC frames to and any
// inbound streams the peer opened, which we read (pubsub streams carry data
// one way; libp2p/specs pubsub/README.md). The router learns a peer when the
// first of the two exists; our outbound stream is opened when the host
// reports the connection (on_host_event / add_peer) or when the peer opens
// its stream to us first. The peer leaves the router when its connection is
// gone (host event, a failed write, a read that ends with the connection
// closed, or the heartbeat's sweep).
//
// Frames: uvarint length || RPC protobuf (pubsub/framing.hpp), at most
// router.max_rpc_size; a bad prefix resets the inbound stream.
//
// Queues are bounded: each peer has its own writer coroutine and queue (frames
// and bytes), so a slow peer fills only its own queue (then its frames are
// dropped and counted) while the others go on; subscriptions hold at most
// subscription_queue messages (past it messages are dropped and counted on
// the subscription); the router bounds its own queues (docs/GOSSIPSUB.md).
//
// Threading and lifetime: every member function must be called from the
// host's executor. create() returns a shared_ptr; coroutines hold it while
// they run. stop() removes the stream handlers, ends every stream and wakes
// every waiter; the driver is inert afterwards.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "p2p/io/host.hpp"
#include "pubsub/router.hpp"

namespace converge::pubsub::io {

namespace p2pio = converge::p2p::io;
template <class T>
using task = p2pio::task<T>;

enum class router_kind {
  gossipsub,  // speaks /meshsub/1.2.0, 1.1.0, 1.0.0 and /floodsub/1.0.0 (preferred in that order)
  floodsub,   // speaks /floodsub/1.0.0 only
};

struct driver_config {
  router_kind kind = router_kind::gossipsub;
  router_options router;
  std::size_t max_peer_queue_frames = 1024;
  std::size_t max_peer_queue_bytes = 16u << 20;
  std::size_t subscription_queue = 1024;    // messages held per subscription
  std::size_t max_subscriptions = 1024;     // open subscription handles
  std::size_t max_peers = 1024;             // pubsub peers (further streams are reset)
  std::size_t max_inbound_streams_per_peer = 4;
  // Peer exchange: candidates from a PRUNE (the router accepts them only from
  // peers scoring at least accept_px_threshold) whose signed peer record
  // verifies are dialled, at most px_dials per PRUNE and px_pending_dials at
  // once (go-libp2p: 16 and 128). 0 turns PX dialling off.
  std::size_t px_dials = 16;
  std::size_t px_pending_dials = 32;
};

struct received_message {
  message_id id;
  crypto::peer_id received_from;  // the peer that forwarded it (ourselves for local publishes)
  pb::Message message;
};

class driver;

// A local subscription handle: messages of one topic, in arrival order.
// Several handles may share a topic; the router leaves the topic when the
// last one is cancelled (or destroyed).
class subscription {
 public:
  subscription(std::weak_ptr<driver> d, std::string topic, std::uint64_t id, const p2pio::asio::any_io_executor& ex)
      : driver_(std::move(d)), topic_(std::move(topic)), id_(id), wake_(ex) {}
  subscription(const subscription&) = delete;
  subscription& operator=(const subscription&) = delete;
  ~subscription();

  // The next message; nullopt once cancelled or the driver stopped.
  task<std::optional<received_message>> next();
  std::optional<received_message> try_next();
  void cancel();

  [[nodiscard]] const std::string& topic() const { return topic_; }
  [[nodiscard]] bool active() const { return !closed_; }
  [[nodiscard]] std::size_t queued() const { return queue_.size(); }
  [[nodiscard]] std::uint64_t dropped() const { return dropped_; }

 private:
  friend class driver;
  void push(const received_message& m, std::size_t bound);
  void close();

  std::weak_ptr<driver> driver_;
  std::string topic_;
  std::uint64_t id_;
  p2pio::signal wake_;
  std::deque<received_message> queue_;
  std::uint64_t dropped_ = 0;
  bool closed_ = false;
};

// An asynchronous validator: runs as its own coroutine on the executor.
using async_validator = std::function<task<validation_result>(crypto::peer_id source, pb::Message msg)>;

struct driver_counters {
  std::uint64_t frames_sent = 0, frames_received = 0, frames_dropped = 0;
  std::uint64_t bad_frames = 0, streams_opened = 0, stream_open_failures = 0, streams_refused = 0;
  std::uint64_t peers_added = 0, peers_removed = 0, local_deliveries = 0, subscription_drops = 0;
  std::uint64_t async_validations = 0;
  std::uint64_t graylisted = 0;                 // peers whose score fell below the graylist threshold
  std::uint64_t px_dials = 0, px_connected = 0;  // PX candidates dialled, and reached
  std::uint64_t px_refused = 0;                 // candidates without a valid signed record for their ID
};

class driver : public std::enable_shared_from_this<driver> {
 public:
  static result<std::shared_ptr<driver>> create(std::shared_ptr<p2pio::host> host, driver_config config);
  driver(const driver&) = delete;
  driver& operator=(const driver&) = delete;
  ~driver();

  // Registers the protocol handlers and starts the heartbeat. Peers already
  // connected are not discovered: call add_peer() for them.
  void start();
  void stop();

  // Feed every host event here (the host has one event queue; its owner
  // forwards): peer_connected opens our stream, peer_disconnected drops the peer.
  void on_host_event(const p2pio::host_event& e);
  // Opens our stream to a connected peer (no-op if it exists or is being opened).
  void add_peer(const crypto::peer_id& p);

  result<std::shared_ptr<subscription>> subscribe(const std::string& topic);
  result<message_id> publish(const std::string& topic, bytes_view data);
  void set_validator(const std::string& topic, validator_fn fn);
  void set_async_validator(const std::string& topic, async_validator fn);

  // Topics we are subscribed to.
  [[nodiscard]] std::vector<std::string> topics() const;
  // Pubsub peers subscribed to `topic`; every pubsub peer when `topic` is empty.
  [[nodiscard]] std::vector<crypto::peer_id> peers(const std::string& topic = {}) const;
  [[nodiscard]] std::vector<std::string> protocols() const;

  // Notified after every change the router may have seen (RPCs in, peers,
  // subscriptions): loop on a condition with co_await changed(gen).
  [[nodiscard]] std::uint64_t generation() const { return changed_.generation(); }
  task<void> changed(std::uint64_t seen) { return changed_.wait(seen); }

  gossip_router& router() { return *router_; }
  [[nodiscard]] const driver_counters& counters() const { return counters_; }
  [[nodiscard]] const std::shared_ptr<p2pio::host>& host() const { return host_; }
  [[nodiscard]] bool stopped() const { return stopped_; }

 private:
  friend class subscription;
  struct link {
    explicit link(const p2pio::asio::any_io_executor& ex) : wake(ex) {}
    p2pio::signal wake;                  // the writer sleeps on it
    std::optional<p2pio::stream> out;    // our stream to the peer
    std::deque<bytes> queue;             // frames waiting for `out`
    std::size_t queued_bytes = 0;
    std::vector<p2pio::stream> inbound;  // the peer's streams to us
    bool opening = false;                // an outbound open is in flight
    bool writer = false;                 // the writer coroutine runs
    bool in_router = false;
    bool has_record = false;             // the router holds the peer's signed record (for PX)
    bool gone = false;                   // removed; coroutines exit
  };

  driver(std::shared_ptr<p2pio::host> host, driver_config config);

  // driver.cpp
  void pump();
  void dispatch(router_event e);
  void deliver(const received_message& m);
  void rearm_timer();
  void unsubscribe_handle(const std::string& topic, std::uint64_t id);
  static task<void> heartbeat_loop(std::shared_ptr<driver> self);
  static task<void> run_validator(std::shared_ptr<driver> self, async_validator fn, validation_request req);

  // driver_px.cpp: score band changes and peer exchange
  void on_score(const score_event& e);
  void dial_px(const px_event& e);
  void share_records();
  static task<void> px_dial(std::shared_ptr<driver> self, crypto::peer_id p);

  // driver_links.cpp
  std::shared_ptr<link> link_for(const crypto::peer_id& p);
  bool join_router(const crypto::peer_id& p, std::shared_ptr<link> l, const std::string& proto);
  void enqueue(const crypto::peer_id& p, bytes frame);
  void drop_peer(const crypto::peer_id& p);
  void sweep();
  static task<void> open_outbound(std::shared_ptr<driver> self, crypto::peer_id p, std::shared_ptr<link> l);
  static task<void> write_loop(std::shared_ptr<driver> self, crypto::peer_id p, std::shared_ptr<link> l);
  static task<void> serve_inbound(std::weak_ptr<driver> weak, p2pio::stream s);
  task<void> read_loop(p2pio::stream s, std::shared_ptr<link> l);  // the caller keeps the driver alive

  std::shared_ptr<p2pio::host> host_;
  driver_config config_;
  system_rng rng_;  // before router_: the router keeps a reference
  std::unique_ptr<gossip_router> router_;
  std::map<crypto::peer_id, std::shared_ptr<link>> links_;
  std::map<std::string, std::map<std::uint64_t, std::weak_ptr<subscription>>> subs_;
  std::size_t open_subs_ = 0;
  std::uint64_t next_sub_id_ = 1;
  std::map<std::string, async_validator> async_validators_;
  p2pio::signal changed_;
  p2pio::asio::steady_timer timer_;
  instant armed_ = instant::max();
  driver_counters counters_;
  std::size_t px_pending_ = 0;
  bool started_ = false;
  bool stopped_ = false;
};

}  // namespace converge::pubsub::io
