#pragma once
// The Bitswap driver for the libp2p host (src/p2p/io): wires one
// bitswap::engine to the host's streams and a blocks::blockstore.
//
// Streams: like go-libp2p and Helia, each side writes its messages on its own
// outbound stream (/ipfs/bitswap/1.2.0, 1.1.0 or 1.0.0, negotiated) and reads
// the peer's messages from inbound streams; a peer becomes known to the
// engine at its first inbound bitswap stream or when we open one to it.
// Blocks the engine accepts are put in the store (which verifies them again)
// before block_added(). A peer the engine penalises is disconnected.
//
// Without a DHT here, a session whose blocks no connected peer has fails with
// bitswap_errc::not_found (fail_when_stalled) instead of waiting for providers.
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <unordered_map>

#include "bitswap/engine.hpp"
#include "blocks/blockstore.hpp"
#include "p2p/io/host.hpp"
#include "p2p/io/signal.hpp"

namespace converge::bitswap {

struct service_options {
  engine_options engine;
  bool fail_when_stalled = true;
};

class service : public std::enable_shared_from_this<service> {
 public:
  static std::shared_ptr<service> create(std::shared_ptr<p2p::io::host> host, blocks::blockstore& store, service_options options = {});
  ~service();
  // Registers the three protocol handlers and starts the timer.
  void start();
  void stop();

  // Opens our bitswap stream to `peer` (dialling it through the host if needed).
  p2p::io::task<result<void>> add_peer(crypto::peer_id peer);
  // Called after each block the session stores; returning false cancels the
  // session (fetch then fails with bitswap_errc::unknown_session, "cancelled").
  using progress_fn = std::function<bool(const session_stats&)>;
  // Fetches every missing block of the DAG under `root` from the bitswap peers.
  p2p::io::task<result<session_stats>> fetch(mf::cid root, progress_fn progress = {});
  // Blocks put in the store by someone else (an import): serve waiting peers.
  void block_added(const mf::cid& id);

  [[nodiscard]] engine& core() { return *engine_; }
  [[nodiscard]] std::optional<peer_key> key_of(const crypto::peer_id& p) const;

 private:
  struct store_provider final : block_provider {
    explicit store_provider(blocks::blockstore& s) : store(s) {}
    blocks::blockstore& store;
    [[nodiscard]] bool has(const mf::cid& id) const override { return store.has(id); }
    result<bytes> get(const mf::cid& id) override { return store.get(id); }
    [[nodiscard]] std::optional<std::size_t> size(const mf::cid& id) const override { return store.size_of(id); }
  };
  struct peer_state {
    crypto::peer_id id;
    peer_key key;
    std::optional<p2p::io::stream> out;
    std::deque<bytes> queue;
    bool writer_running = false;
    bool gone = false;
  };
  struct waiter {
    std::shared_ptr<p2p::io::signal> wake;
    progress_fn progress;
    std::optional<result<session_stats>> outcome;
  };

  service(std::shared_ptr<p2p::io::host> host, blocks::blockstore& store, service_options options);
  std::shared_ptr<peer_state> ensure_peer(const crypto::peer_id& p, protocol_version v);
  void forget_peer(const std::shared_ptr<peer_state>& ps);
  void pump();
  static p2p::io::task<void> reader(std::shared_ptr<service> self, p2p::io::stream s);
  static p2p::io::task<void> writer(std::shared_ptr<service> self, std::shared_ptr<peer_state> ps);
  static p2p::io::task<void> timer_loop(std::shared_ptr<service> self);

  std::shared_ptr<p2p::io::host> host_;
  blocks::blockstore& store_;
  service_options options_;
  store_provider provider_;
  std::unique_ptr<engine> engine_;
  std::map<crypto::peer_id, std::shared_ptr<peer_state>> peers_;
  std::unordered_map<peer_key, std::shared_ptr<peer_state>> by_key_;
  std::map<session_id, waiter> waiters_;
  peer_key next_key_ = 1;
  p2p::io::asio::steady_timer timer_;
  std::optional<instant> armed_;
  bool pumping_ = false, again_ = false, stopped_ = false;
};

}  // namespace converge::bitswap
