#pragma once
// A GossipSub v1.1/v1.2 router (with meshsub/1.0.0 and floodsub/1.0.0 peers)
// as a sans-IO core: one gossip_router per node, for all its peers and topics.
//
// Driver contract (docs/SANS_IO.md, docs/GOSSIPSUB.md):
//  * add_peer() when a pubsub stream pair with a peer is up (protocol as
//    negotiated, outbound = we dialed the connection, ip for P6 scoring);
//    remove_peer() when it goes away.
//  * handle_rpc(peer, payload, now) for every frame read from the peer's
//    inbound stream (frame_decoder strips the length prefix).
//  * poll_send() yields (peer, RPC payload) pairs; frame them with
//    encode_frame() on the outbound stream. Each peer's queue holds at most
//    options.max_queued_rpcs; past that, new RPCs for the peer are dropped and
//    counted (counters().dropped_rpcs), never buffered without bound.
//  * poll_event() yields deliveries, validation requests, graft/prune, PX
//    candidates and score band changes. The queue holds at most
//    options.max_events; past it events are dropped and counted.
//  * handle_timeout(now) once poll_timeout() has passed: runs the heartbeat.
// Randomness comes from the rng& given at construction (kept by reference).
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
#include <unordered_set>
#include <variant>
#include <vector>

#include "base/bytes.hpp"
#include "base/clock.hpp"
#include "base/error.hpp"
#include "base/rng.hpp"
#include "crypto/keys.hpp"
#include "crypto/peer_id.hpp"
#include "pubsub/framing.hpp"
#include "pubsub/mcache.hpp"
#include "pubsub/message.hpp"
#include "pubsub/params.hpp"
#include "pubsub/score.hpp"

namespace converge::pubsub {

enum class protocol { floodsub_v10, meshsub_v10, meshsub_v11, meshsub_v12 };
std::string_view protocol_id(protocol p);
std::optional<protocol> parse_protocol_id(std::string_view id);

enum class validation_result { accept, reject, ignore };
// A synchronous validator may also defer: the router then emits a
// validation_request and waits for report_validation().
enum class validator_verdict { accept, reject, ignore, defer };
using validator_fn = std::function<validator_verdict(const crypto::peer_id& source, const pb::Message&)>;

struct router_options {
  gossip_params gossip;
  std::optional<score_params> score;  // nullopt: scoring off (all scores 0)
  score_thresholds thresholds;
  signature_policy policy = signature_policy::strict_sign;
  message_id_fn id_fn;  // empty: from+seqno (StrictSign) or sha256(data) (StrictNoSign)
  std::size_t max_rpc_size = default_max_rpc_size;
  std::size_t max_message_size = default_max_rpc_size - 1024;
  std::size_t max_topic_length = 256;
  std::size_t max_subscriptions_per_peer = 1024;
  std::size_t max_topics = 1024;  // topics we subscribe to or publish on (fanout)
  std::size_t max_queued_rpcs = 256;  // per peer
  std::size_t max_events = 8192;
  std::size_t max_pending_validations = 4096;
  duration validation_timeout = 10s;
  std::set<crypto::peer_id> direct_peers;
};

struct message_event {  // an accepted message on a subscribed topic
  message_id id;
  crypto::peer_id source;  // the peer that forwarded it to us
  pb::Message message;
};
struct validation_request {  // answer with report_validation(id, ...)
  message_id id;
  crypto::peer_id source;
  pb::Message message;
};
struct graft_event { crypto::peer_id peer; std::string topic; };
struct prune_event { crypto::peer_id peer; std::string topic; };
struct px_event {  // peer exchange: candidates to connect to, record bytes opaque
  crypto::peer_id from;
  std::string topic;
  std::vector<std::pair<bytes, bytes>> peers;  // (peer ID bytes, signed peer record or empty)
};
enum class score_band { healthy, below_zero, below_gossip, below_publish, below_graylist };
struct score_event { crypto::peer_id peer; double score; score_band band; };
using router_event = std::variant<message_event, validation_request, graft_event, prune_event, px_event, score_event>;

struct outgoing_rpc {  // one RPC payload for one peer (frame it with encode_frame)
  crypto::peer_id peer;
  bytes rpc;
};

struct router_counters {
  std::uint64_t dropped_rpcs = 0, dropped_events = 0, graylisted_rpcs = 0, malformed_rpcs = 0;
  std::uint64_t invalid_signatures = 0, rejected = 0, ignored = 0, duplicates = 0, delivered = 0;
  std::uint64_t validation_timeouts = 0, validation_throttled = 0, broken_promises = 0;
  std::uint64_t iwant_served = 0, ihave_sent = 0, idontwant_sent = 0, idontwant_skips = 0;
};

// Checks the parameter relations gossipsub-v1.1.md requires (D_low <= D <=
// D_high, D_out < D_low and D_out <= D/2, D_score <= D, mcache_gossip <=
// mcache_len, threshold order graylist <= publish <= gossip <= 0, penalty
// weights <= 0, reward weights >= 0, decays in (0, 1)). invalid_argument
// names the first offending parameter.
result<void> validate_options(const router_options& o);

class gossip_router {
 public:
  // `key` signs our messages (required for strict_sign). `r` must outlive the router.
  // The constructor trusts `options`; create() validates them first.
  gossip_router(crypto::private_key key, rng& r, router_options options, instant now);
  static result<std::unique_ptr<gossip_router>> create(crypto::private_key key, rng& r, router_options options,
                                                       instant now);

  result<void> add_peer(const crypto::peer_id& p, protocol proto, bool outbound, instant now, std::string ip = {});
  void remove_peer(const crypto::peer_id& p, instant now);
  // Protocol violations by the peer are handled (scored, dropped), not returned:
  // the result fails only for an unknown peer or an undecodable RPC.
  result<void> handle_rpc(const crypto::peer_id& p, bytes_view payload, instant now);
  result<void> handle_rpc(const crypto::peer_id& p, const pb::RPC& rpc, instant now);

  result<void> subscribe(const std::string& topic, instant now);
  result<void> unsubscribe(const std::string& topic, instant now);
  result<message_id> publish(const std::string& topic, bytes_view data, instant now);
  void set_validator(const std::string& topic, validator_fn fn);
  // Answers a validation_request. unknown_message if not pending (timed out, answered).
  result<void> report_validation(const message_id& id, validation_result r, instant now);
  void set_app_score(const crypto::peer_id& p, double v);
  // The peer's signed peer record (opaque envelope bytes from the host's
  // peerstore), sent along when we offer the peer in PX. At most 4 KiB.
  result<void> set_signed_peer_record(const crypto::peer_id& p, bytes record);
  [[nodiscard]] bool has_signed_record(const crypto::peer_id& p) const;

  std::optional<outgoing_rpc> poll_send();
  std::optional<router_event> poll_event();
  // The next heartbeat or the earliest pending-validation deadline.
  [[nodiscard]] std::optional<instant> poll_timeout() const;
  void handle_timeout(instant now);
  void heartbeat(instant now);

  // Queries.
  [[nodiscard]] const crypto::peer_id& local_peer() const { return self_; }
  [[nodiscard]] std::set<crypto::peer_id> mesh(const std::string& topic) const;
  [[nodiscard]] std::set<crypto::peer_id> fanout(const std::string& topic) const;
  [[nodiscard]] bool subscribed(const std::string& topic) const { return subscriptions_.contains(topic); }
  [[nodiscard]] bool peer_subscribed(const crypto::peer_id& p, const std::string& topic) const;
  [[nodiscard]] double score(const crypto::peer_id& p, instant now) const;
  [[nodiscard]] bool in_backoff(const std::string& topic, const crypto::peer_id& p, instant now) const;
  [[nodiscard]] const router_counters& counters() const { return counters_; }
  [[nodiscard]] const peer_score* scoring() const { return score_ ? &*score_ : nullptr; }
  [[nodiscard]] const message_cache& mcache() const { return mcache_; }
  [[nodiscard]] bool seen(const message_id& id) const { return seen_.contains(id); }
  [[nodiscard]] std::size_t queued_rpcs(const crypto::peer_id& p) const;
  [[nodiscard]] std::size_t pending_validations() const { return pending_.size(); }

 private:
  struct peer_state {
    protocol proto;
    bool outbound;
    std::set<std::string> topics;
    std::size_t queued = 0;
    std::size_t ihave_count = 0;   // IHAVEs received this heartbeat
    std::size_t iasked = 0;        // IDs we asked for this heartbeat
    std::size_t iwant_served = 0;  // IDs served this heartbeat
    std::unordered_set<message_id> dont_want;  // v1.2, cleared each mcache shift
    bytes signed_record;                       // for PX, may be empty
    score_band band = score_band::healthy;
  };
  struct pending_validation {
    crypto::peer_id source;
    pb::Message msg;
    instant deadline;
  };
  struct outgoing_control {
    std::vector<pb::ControlGraft> graft;
    std::vector<pb::ControlPrune> prune;
    std::vector<pb::ControlIHave> ihave;
  };

  // router.cpp
  void emit(router_event e);
  void send(const crypto::peer_id& p, pb::RPC&& rpc);
  [[nodiscard]] bool is_gossipsub(const peer_state& ps) const { return ps.proto != protocol::floodsub_v10; }
  [[nodiscard]] std::vector<crypto::peer_id> topic_peers(const std::string& topic) const;
  message_id id_of(const pb::Message& m) const;
  void add_backoff(const std::string& topic, const crypto::peer_id& p, duration d, instant now);
  pb::ControlPrune make_prune(const std::string& topic, const crypto::peer_id& to, bool px, bool unsubscribe, instant now);
  void shuffle(std::vector<crypto::peer_id>& v);

  // router_messages.cpp
  void handle_message(const crypto::peer_id& from, const pb::Message& m, instant now);
  void finish_validation(const crypto::peer_id& source, const message_id& id, const pb::Message& m,
                         validation_result r, instant now);
  void forward(const message_id& id, const pb::Message& m, const crypto::peer_id* source, instant now);
  void send_idontwant(const crypto::peer_id& from, const message_id& id, const std::string& topic);

  // router_control.cpp
  void handle_subscription(const crypto::peer_id& p, peer_state& ps, const pb::RPC::SubOpts& s, instant now);
  void handle_ihave(const crypto::peer_id& p, peer_state& ps, const pb::ControlIHave& ih, pb::ControlIWant& iwant, instant now);
  void handle_iwant(const crypto::peer_id& p, peer_state& ps, const pb::ControlIWant& iw, pb::RPC& out, instant now);
  void handle_graft(const crypto::peer_id& p, peer_state& ps, const pb::ControlGraft& g, std::vector<pb::ControlPrune>& prunes, instant now);
  void handle_prune(const crypto::peer_id& p, const pb::ControlPrune& pr, instant now);
  void handle_idontwant(peer_state& ps, const pb::ControlIDontWant& idw);

  // router_heartbeat.cpp
  void maintain_mesh(const std::string& topic, std::set<crypto::peer_id>& mesh, std::map<crypto::peer_id, outgoing_control>& ctl, instant now);
  void maintain_fanout(instant now);
  void emit_gossip(const std::string& topic, const std::set<crypto::peer_id>& exclude, std::map<crypto::peer_id, outgoing_control>& ctl, instant now);
  void check_promises(instant now);
  void expire_validations(instant now);
  void update_bands(instant now);

  crypto::private_key key_;
  crypto::peer_id self_;
  rng& rng_;
  router_options opt_;
  std::optional<peer_score> score_;
  message_cache mcache_;
  seen_cache seen_;
  std::unordered_map<crypto::peer_id, peer_state> peers_;
  std::set<std::string> subscriptions_;
  std::map<std::string, std::set<crypto::peer_id>> mesh_;
  std::map<std::string, std::set<crypto::peer_id>> fanout_;
  std::map<std::string, instant> fanout_last_pub_;
  std::map<std::string, std::map<crypto::peer_id, instant>> backoff_;
  std::map<std::string, validator_fn> validators_;
  std::unordered_map<message_id, pending_validation> pending_;
  // Deadlines in order (one fixed timeout, so arrival order); answered IDs linger until they reach the front.
  std::deque<std::pair<instant, message_id>> pending_order_;
  // IWANT promises: message ID -> peer -> deadline.
  std::unordered_map<message_id, std::map<crypto::peer_id, instant>> promises_;
  std::deque<std::pair<crypto::peer_id, bytes>> out_;
  std::deque<router_event> events_;
  router_counters counters_;
  std::uint64_t seqno_;
  std::uint64_t heartbeat_ticks_ = 0;
  instant next_heartbeat_;
};

}  // namespace converge::pubsub
