#pragma once
// The Bitswap core (sans-IO): one object per node, serving blocks to every
// connected peer (the decision engine) and fetching DAGs for local sessions.
//
// Driver contract (docs/SANS_IO.md shape, one instance per node, one strand):
//   peer_connected / peer_disconnected   as streams for a peer come and go;
//   handle_message(peer, payload, now)   one unframed message read from the peer;
//   poll_transmit() -> {peer, payload}   one unframed message to write to the peer
//                                        (frame() it); call sent(peer, n) once written;
//   poll_event()                         blocks received (verified: store them, then
//                                        call block_added), session outcomes, penalties;
//   poll_timeout / handle_timeout        request timeouts and upload token buckets.
//
// Serving: each peer has a ledger (its wantlist, bounded; bytes and blocks
// each way). Work is scheduled round-robin across peers, one message of at
// most target_message_bytes at a time; a peer gets nothing more while
// max_outstanding_bytes_per_peer of its messages are unwritten, or while its
// upload token bucket (upload_per_peer) is empty.
//
// Fetching: a session walks a DAG from its root. Blocks the provider already
// has are walked, never fetched (resume after a crash). Each missing block is
// asked of one peer at a time (want-block + send-dont-have), spread by the
// fewest requests in flight, preferring peers that have delivered; DONT_HAVE
// or a timeout moves it to the next peer; when every peer has been tried the
// session emits need_providers and waits for new peers. Every block's CID is
// computed from its bytes (message.hpp) and checked again; a block nobody
// asked for counts as a strike against its sender, and max_strikes strikes
// penalise and drop the peer (its requests move to other peers).
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>
#include <unordered_set>
#include <variant>
#include <vector>

#include "base/clock.hpp"
#include "bitswap/message.hpp"
#include "p2p/limits/token_bucket.hpp"

namespace converge::bitswap {

using peer_key = std::uint64_t;
using session_id = std::uint64_t;

// What the node already stores. Calls are synchronous and must be cheap for has().
class block_provider {
 public:
  virtual ~block_provider() = default;
  [[nodiscard]] virtual bool has(const mf::cid& id) const = 0;
  virtual result<bytes> get(const mf::cid& id) = 0;
  [[nodiscard]] virtual std::optional<std::size_t> size(const mf::cid& id) const = 0;
};

using links_fn = std::function<result<std::vector<mf::cid>>(const mf::cid&, bytes_view)>;

struct engine_options {
  message_limits limits{};
  // Serving memory: a message is built only when its peer has fewer than
  // max_outstanding_bytes_per_peer handed over and not yet written, and the
  // node fewer than max_outstanding_bytes_total over all peers (a phone
  // serving many peers holds at most that much). The socket's and muxer's
  // buffers keep the link busy meanwhile.
  std::size_t target_message_bytes = 256 * 1024;
  std::size_t max_wantlist_per_peer = 1024;
  std::uint64_t max_outstanding_bytes_per_peer = 256 * 1024;
  std::uint64_t max_outstanding_bytes_total = 256 * 1024;
  p2p::limits::rate_limit upload_per_peer{};  // burst is raised to max_block_bytes if below it
  p2p::limits::rate_limit upload_total{};     // the node's whole upload, shared fairly by the round robin
  // A long-term cap on the node's upload (a device's upload_bytes_per_day:
  // rate = cap / 86400, burst = cap). Unlike the rate limits above, a block
  // that does not fit is not queued: the want is answered DONT_HAVE (dropped
  // for 1.0.0/1.1.0 peers), so the asker turns to another peer at once.
  p2p::limits::rate_limit upload_budget{};
  // The node's whole download through sessions. A want-block is sent only
  // when the bucket holds an estimate of the block (the largest received so
  // far, at least 256 KiB); a block larger than its estimate is paid for
  // before the next want goes out.
  p2p::limits::rate_limit download_total{};
  // A peer that has not yet delivered blocks of a session counts as this many
  // requests busier than one that has (prefer proven providers, still probe others).
  std::size_t non_provider_penalty = 4;
  std::size_t max_inflight_per_peer = 32;
  std::size_t max_inflight_per_session = 256;
  // Receiving memory: blocks asked for and not yet here, all sessions
  // together, times the size of the blocks being fetched (the largest of the
  // last few received; 256 KiB until some are), stay under this. Enough to keep a phone's link busy, small enough that
  // many peers answering at once do not pile megabytes up in buffers.
  std::uint64_t max_inflight_bytes = 1024 * 1024;
  duration request_timeout = 10s;
  std::size_t max_strikes = 2;
  std::size_t max_sessions = 64;
  std::size_t max_peers = 4096;
  std::size_t recent_cids = 4096;  // delivered or cancelled CIDs whose late copies are not strikes
};

struct peer_stats {
  protocol_version version;
  std::uint64_t bytes_sent = 0, bytes_received = 0, blocks_sent = 0, blocks_received = 0;
  std::uint64_t dont_haves_received = 0, timeouts = 0, strikes = 0;
  std::size_t wantlist_size = 0, inflight = 0;
};

// Since the engine was made, over every peer (per-peer stats go with the peer).
struct traffic_totals {
  std::uint64_t bytes_sent = 0, bytes_received = 0, blocks_sent = 0, blocks_received = 0;
  std::uint64_t budget_refusals = 0;  // wants answered DONT_HAVE because of upload_budget
};

struct session_stats {
  std::uint64_t blocks_fetched = 0, bytes_fetched = 0, blocks_local = 0, duplicates = 0, retries = 0;
};

namespace events {
struct block_received {
  session_id session;
  peer_key from;
  blocks::block block;
};
struct session_done {
  session_id session;
  mf::cid root;
  session_stats stats;
};
struct session_failed {
  session_id session;
  error err;
};
struct need_providers {
  session_id session;
  mf::cid cid;
};
struct peer_penalised {
  peer_key peer;
  std::string reason;
};
}  // namespace events
using event = std::variant<events::block_received, events::session_done, events::session_failed, events::need_providers,
                           events::peer_penalised>;

struct outbound {
  peer_key peer;
  bytes payload;  // unframed protobuf
};

class engine {
 public:
  engine(block_provider& provider, links_fn links, engine_options options = {});

  result<void> peer_connected(peer_key peer, protocol_version version, instant now);
  void peer_disconnected(peer_key peer, instant now);
  [[nodiscard]] bool connected(peer_key peer) const { return peers_.contains(peer); }

  // A malformed message penalises the peer (peer_penalised event) and is otherwise ignored.
  void handle_message(peer_key from, bytes_view payload, instant now);
  std::optional<outbound> poll_transmit(instant now);
  void sent(peer_key peer, std::size_t n);
  std::optional<event> poll_event();
  [[nodiscard]] std::optional<instant> poll_timeout() const;
  void handle_timeout(instant now);

  // The node now stores `id` (after a block_received, or an import): peers
  // that asked for it are served.
  void block_added(const mf::cid& id, instant now);

  // Fetches the DAG under `root` (every block missing from the provider).
  result<session_id> start_session(const mf::cid& root, instant now);
  void cancel_session(session_id id);
  [[nodiscard]] const session_stats* session(session_id id) const;
  [[nodiscard]] const peer_stats* peer(peer_key p) const;
  [[nodiscard]] std::size_t sessions() const { return sessions_.size(); }
  [[nodiscard]] const traffic_totals& totals() const { return totals_; }
  // Replace the limits above at run time (tokens kept, clamped to the new burst).
  void set_upload_budget(p2p::limits::rate_limit budget, instant now);
  void set_download_limit(p2p::limits::rate_limit limit, instant now);
  [[nodiscard]] std::size_t peer_count() const { return peers_.size(); }

 private:
  enum class task_kind : std::uint8_t { block, have, dont_have };
  struct task {
    mf::cid cid;
    task_kind kind;
  };
  struct ledger {
    protocol_version version;
    p2p::limits::token_bucket bucket;
    std::map<mf::cid, wantlist_entry> wants;  // what the peer wants and we lack
    std::deque<task> queue;                   // what we owe the peer
    std::vector<wantlist_entry> outgoing;     // our wants / cancels for the peer
    std::uint64_t outstanding = 0;
    std::optional<instant> bucket_wake;
    peer_stats stats;
  };
  struct request {
    peer_key peer;
    instant deadline;
  };
  struct session_state {
    mf::cid root;
    std::deque<mf::cid> queue;                          // missing, not yet asked
    std::unordered_map<mf::cid, request> inflight;      // asked of one peer
    std::unordered_map<mf::cid, std::set<peer_key>> tried;
    std::unordered_set<mf::cid> stalled;                // every peer said no
    std::unordered_set<mf::cid> pending;                // queued, in flight or stalled
    std::unordered_set<mf::cid> seen;                   // every CID ever queued
    std::set<peer_key> providers;                       // peers that had blocks of this DAG
    session_stats stats;
  };

  void on_wantlist(peer_key from, ledger& l, const message& m);
  // False when the sender was dropped (its ledger is gone).
  bool on_block(peer_key from, ledger& l, blocks::block b, instant now);
  void on_presence(peer_key from, ledger& l, const block_presence& p, instant now);
  // True when the strike dropped the peer.
  bool strike(peer_key p, ledger& l, const std::string& why, instant now);
  void drop_peer(peer_key p, const std::string& why, instant now);
  // Walks a block of session `s` that we hold: queues its missing children, walks local ones.
  result<void> walk(session_id sid, session_state& s, const mf::cid& id, bytes_view data);
  void schedule(session_id sid, session_state& s, instant now);
  void schedule_all(instant now);
  void release(const request& r, const mf::cid& id, bool cancel);
  // After DONT_HAVE or a timeout: keep a want-have with the peer (see engine.cpp).
  void downgrade(ledger& l, const mf::cid& id);
  // `id` arrived: the peers asked for it (but `except`) get a CANCEL.
  void cancel_at_tried(session_state& s, const mf::cid& id, std::optional<peer_key> except);
  // Emits session_done and erases the session when nothing is missing.
  bool finish_if_done(session_id sid);
  std::optional<outbound> build(peer_key p, ledger& l, instant now);
  void remember(const mf::cid& id);

  block_provider& provider_;
  links_fn links_;
  engine_options options_;
  std::map<peer_key, ledger> peers_;
  std::map<session_id, session_state> sessions_;
  // True when a want-block may go out now (its estimate is taken from the
  // download bucket); otherwise sets download_wake_.
  bool take_download_tokens(instant now);
  void pay_download(std::size_t block_bytes, instant now);

  p2p::limits::token_bucket total_bucket_;
  p2p::limits::token_bucket budget_;
  p2p::limits::token_bucket download_bucket_;
  std::uint64_t download_debt_ = 0;      // received beyond the estimates taken
  // The size of the blocks being fetched: raised at once by a larger block,
  // lowered to the largest of the last 32 received (at least 1 KiB), so DAGs
  // of small blocks get more requests in flight. Starts at 256 KiB.
  std::uint64_t download_estimate_ = 256 * 1024;
  std::uint64_t window_max_ = 0;
  std::size_t window_count_ = 0;
  std::optional<instant> download_wake_;
  traffic_totals totals_;
  std::uint64_t outstanding_total_ = 0;  // sum of the ledgers' outstanding
  std::optional<instant> total_wake_;
  session_id next_session_ = 1;
  peer_key rr_cursor_ = 0;
  std::deque<event> events_;
  std::unordered_set<mf::cid> recent_;
  std::deque<mf::cid> recent_order_;
};

}  // namespace converge::bitswap
