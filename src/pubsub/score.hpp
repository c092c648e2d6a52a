#pragma once
// GossipSub v1.1 peer scoring (gossipsub-v1.1.md "Peer Scoring"): P1 time in
// mesh, P2 first message deliveries, P3 mesh message delivery deficit (with
// activation window) and P3b mesh failure penalty, P4 invalid messages, P5
// application score, P6 IP colocation (with a whitelist), P7 behaviour
// penalty. Counters decay every decay_interval (refresh()). A disconnected
// peer with a non-positive score is retained for retain_score so that
// reconnecting does not wash its record.
//
// Bounds: one record per connected or retained peer, per scored topic, and
// one delivery record per message ID seen within the seen TTL.
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>

#include "base/clock.hpp"
#include "crypto/peer_id.hpp"
#include "pubsub/message.hpp"
#include "pubsub/params.hpp"

namespace converge::pubsub {

enum class reject_reason { invalid_signature, validator_reject, validator_ignore, validation_throttled };

// Scoring as converge's daemons run it: the spec's default weights and
// thresholds, for every topic (default_topic: a daemon's topics are chosen at
// run time), with P6 (IP colocation) not counted for the loopback addresses
// (several processes on one machine are a test or a local setup, not Sybils).
score_params daemon_score_params();

class peer_score {
 public:
  peer_score(score_params params, duration delivery_record_ttl, instant now);

  void add_peer(const crypto::peer_id& p, const std::string& ip, instant now);
  void remove_peer(const crypto::peer_id& p, instant now);
  [[nodiscard]] double score(const crypto::peer_id& p, instant now) const;

  void graft(const crypto::peer_id& p, const std::string& topic, instant now);
  void prune(const crypto::peer_id& p, const std::string& topic);
  // First receipt of a message (before validation).
  void validate_message(const crypto::peer_id& from, const message_id& id, instant now);
  void deliver_message(const crypto::peer_id& from, const message_id& id, const std::string& topic, instant now);
  void reject_message(const crypto::peer_id& from, const message_id& id, const std::string& topic, reject_reason why);
  void duplicate_message(const crypto::peer_id& from, const message_id& id, const std::string& topic, instant now);
  void add_penalty(const crypto::peer_id& p, double count);
  void set_app_score(const crypto::peer_id& p, double v);

  // Decays counters once per decay_interval and drops expired retained peers and delivery records.
  void refresh(instant now);
  [[nodiscard]] const score_params& params() const { return params_; }

  // Raw counters, for tests and diagnostics.
  struct topic_stats {
    bool in_mesh = false;
    instant graft_time{};
    bool mesh_deliveries_active = false;
    double first_message_deliveries = 0, mesh_message_deliveries = 0, mesh_failure_penalty = 0,
           invalid_message_deliveries = 0;
  };
  struct peer_stats {
    bool connected = true;
    instant expire{};
    std::string ip;
    std::map<std::string, topic_stats> topics;
    double behaviour_penalty = 0;
    double app_score = 0;
  };
  [[nodiscard]] const peer_stats* stats(const crypto::peer_id& p) const;

 private:
  enum class delivery_status { validating, valid, invalid, ignored };
  struct delivery_record {
    delivery_status status = delivery_status::validating;
    instant first_seen{};
    instant validated{};
    std::set<crypto::peer_id> peers;
  };
  // The topic's parameters: its own entry, else default_topic, else nullptr (not scored).
  const topic_score_params* topic_params(const std::string& t) const;
  topic_stats* topic(const crypto::peer_id& p, const std::string& t);
  void mark_invalid(const crypto::peer_id& p, const std::string& t);
  void mark_first(const crypto::peer_id& p, const std::string& t);
  void mark_duplicate(const crypto::peer_id& p, const std::string& t, std::optional<instant> validated, instant now);
  void update_activation(topic_stats& ts, const topic_score_params& tp, instant now) const;
  delivery_record& record(const message_id& id, instant now);

  score_params params_;
  duration record_ttl_;
  std::unordered_map<crypto::peer_id, peer_stats> peers_;
  std::map<std::string, std::set<crypto::peer_id>> by_ip_;
  std::unordered_map<message_id, delivery_record> records_;
  std::deque<std::pair<instant, message_id>> record_order_;
  instant next_decay_;
};

}  // namespace converge::pubsub
