#pragma once
// The Kademlia DHT node as a sans-IO core (docs/SANS_IO.md, docs/DHT.md):
// routing table, server side of /ipfs/kad/1.0.0, and the iterative queries
// FIND_NODE, GET_VALUE (quorum, best-record selection, correction of peers
// that returned stale records), PUT_VALUE, ADD_PROVIDER and GET_PROVIDERS,
// plus bootstrap/refresh and provider republish.
//
// The driver's side of the contract:
//  * outbound: poll_request() hands over a request (ID, peer with addresses,
//    message bytes). The driver opens a /ipfs/kad/1.0.0 stream, writes the
//    frame and, if `expects_response`, reads one frame and calls
//    handle_response(id, bytes, now), or handle_request_failed(id, now) on any
//    failure (dial, reset, bad frame). The core applies its own request
//    timeout; a late answer for a timed-out ID is ignored.
//  * inbound: handle_request(from, bytes, now) returns the response to write
//    (nullopt: none, as for ADD_PROVIDER), or an error (the driver resets the
//    stream). A client-mode node answers nothing (kad_errc::client_mode); its
//    driver must not advertise the protocol.
//  * peer_connected(peer, is_server, now): identify says the peer speaks
//    /ipfs/kad/1.0.0 (is_server) — only such peers enter the routing table.
//  * time: poll_timeout()/handle_timeout(now) as every core; record validity
//    (IPNS EOL) is wall time, read from the clock given at construction.
//  * events: poll_event() yields one query_done per finished query. Queue
//    bound: one event per query, queries bounded by max_queries.
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <variant>
#include <vector>

#include "base/clock.hpp"
#include "base/rng.hpp"
#include "kad/message.hpp"
#include "kad/providers.hpp"
#include "kad/query.hpp"
#include "kad/records.hpp"
#include "kad/routing_table.hpp"

namespace converge::kad {

enum class mode { client, server };

struct dht_options {
  kad::mode mode = mode::server;
  routing_options routing{};
  query_options query{};
  provider_options providers{};
  message_limits limits{};
  duration request_timeout = 10s;
  duration query_timeout = 60s;
  duration refresh_interval = 10min;
  duration provider_republish = 22h;
  duration provider_gc_interval = 1h;
  std::size_t max_queries = 64;
  std::size_t max_pending_requests = 1024;  // queued + outstanding
  std::size_t max_refresh_buckets = 16;     // refresh random keys for CPL 0..15 at most
  std::size_t max_local_provides = 10'000;
};

using query_id = std::uint64_t;
using request_id = std::uint64_t;

enum class query_kind { find_node, get_value, put_value, provide, get_providers, refresh };

struct query_done {
  query_id id = 0;
  query_kind kind = query_kind::find_node;
  std::optional<error> failure;     // nullopt: success
  std::vector<peer_info> closest;   // answered peers nearest the key
  std::optional<peer_info> found;   // find_node: the target itself, when met
  std::optional<bytes> value;       // get_value: the best valid value
  std::size_t records = 0;          // get_value: valid records received (local one included)
  std::size_t corrected = 0;        // get_value: peers sent the best record
  std::size_t stored = 0;           // put_value: peers that confirmed; provide: peers told
  std::vector<peer_info> providers; // get_providers
  query_stats stats;
  duration elapsed{};
};

using event = std::variant<query_done>;

struct outbound_request {
  request_id id = 0;
  peer_info peer;
  bytes message;  // one Message protobuf (the driver adds the length prefix)
  bool expects_response = true;
};

class dht {
 public:
  // `validators` judges records from the network (GET_VALUE answers); `store`
  // holds ours and must use the same validators.
  dht(const crypto::peer_id& self, std::shared_ptr<const validator_registry> validators,
      std::shared_ptr<record_store> store, const clock& wall_clock, rng& r, dht_options o, instant now);

  // --- connectivity ---
  void peer_connected(const peer_info& peer, bool is_server, instant now);
  void set_listen_addrs(std::vector<bytes> addrs) { self_addrs_ = std::move(addrs); }
  void set_mode(kad::mode m) { opts_.mode = m; }

  // --- inbound (server side) ---
  result<std::optional<bytes>> handle_request(const crypto::peer_id& from, bytes_view data, instant now);

  // --- outbound ---
  std::optional<outbound_request> poll_request();
  void handle_response(request_id id, bytes_view data, instant now);
  void handle_request_failed(request_id id, instant now);

  // --- queries ---
  result<query_id> find_node(bytes key, instant now);
  result<query_id> get_value(bytes key, std::size_t quorum, instant now);
  // Validates and stores locally first (an invalid value fails here), then puts to the k closest.
  result<query_id> put_value(bytes key, bytes value, instant now);
  // Records us as a provider locally, announces to the k closest, republishes every 22 h.
  result<query_id> provide(bytes key, instant now);
  result<query_id> get_providers(bytes key, std::size_t count, instant now);
  // A self lookup plus one lookup per bucket up to the deepest one (also run every refresh_interval).
  void bootstrap(instant now);

  std::optional<event> poll_event();
  std::optional<instant> poll_timeout() const;
  void handle_timeout(instant now);

  [[nodiscard]] const routing_table& table() const { return table_; }
  [[nodiscard]] routing_table& table() { return table_; }
  [[nodiscard]] const provider_store& providers() const { return providers_; }
  [[nodiscard]] record_store& store() { return *store_; }
  [[nodiscard]] const crypto::peer_id& self() const { return self_; }
  [[nodiscard]] std::size_t active_queries() const { return queries_.size(); }
  [[nodiscard]] const dht_options& options() const { return opts_; }

 private:
  enum class phase { lookup, deliver };
  enum class purpose { query_step, deliver, correction, liveness };
  struct value_reply {
    crypto::peer_id from;
    bytes value;
  };
  struct query_state {
    query_state(query_kind k, bytes key_, lookup w, instant now, instant until)
        : kind(k), key(std::move(key_)), walk(std::move(w)), started(now), deadline(until) {}
    query_kind kind;
    bytes key;
    lookup walk;
    phase ph = phase::lookup;
    instant started, deadline;
    std::size_t quorum = 0, want = 0;
    std::optional<bytes> value_to_put;
    std::vector<value_reply> values;
    bool have_local = false;
    std::vector<peer_info> providers;
    std::set<crypto::peer_id> provider_ids;
    std::optional<peer_info> found;
    std::size_t delivering = 0, stored = 0, corrected = 0;
  };
  struct pending {
    query_id query = 0;  // 0: no query (correction, liveness)
    purpose why;
    peer_info peer;
    message_type type;
    instant deadline;
  };

  result<query_id> start(query_kind kind, bytes key, instant now);
  void step(query_id id, query_state& q, instant now);
  void finish(query_id id, query_state& q, std::optional<error> failure, instant now);
  void begin_delivery(query_id id, query_state& q, instant now);
  void finish_get_value(query_id id, query_state& q, instant now);
  request_id send(query_id qid, purpose why, const peer_info& peer, const message& m, bool expects_response,
                  instant now);
  void on_query_reply(query_id qid, query_state& q, const crypto::peer_id& from, const message& m, instant now);
  [[nodiscard]] peer_info self_info() const;
  [[nodiscard]] std::vector<peer_info> closer_peers_for(bytes_view key, const crypto::peer_id& requester) const;
  void refresh(instant now);

  void complete(query_id id, query_state& q, instant now);
  void run_liveness(instant now);

  crypto::peer_id self_;
  std::shared_ptr<const validator_registry> validators_;
  std::shared_ptr<record_store> store_;
  const clock& wall_;
  rng& rng_;
  dht_options opts_;
  routing_table table_;
  provider_store providers_;
  std::vector<bytes> self_addrs_;

  std::map<query_id, query_state> queries_;
  query_id next_query_ = 1;
  std::map<request_id, pending> outstanding_;
  std::deque<outbound_request> to_send_;
  request_id next_request_ = 1;
  std::deque<event> events_;

  std::map<bytes, instant> local_provides_;  // key -> next republish
  instant next_refresh_, next_provider_gc_;
};

}  // namespace converge::kad
