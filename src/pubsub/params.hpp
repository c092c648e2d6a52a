#pragma once
// GossipSub parameters with the defaults of gossipsub-v1.0/v1.1/v1.2 and
// go-libp2p-pubsub. Divergences are listed in docs/GOSSIPSUB.md.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "base/bytes.hpp"
#include "base/clock.hpp"

namespace converge::pubsub {

struct gossip_params {
  std::size_t d = 6, d_low = 5, d_high = 12, d_score = 4, d_out = 2, d_lazy = 6;
  duration heartbeat_interval = 1s;
  duration heartbeat_initial_delay = 100ms;
  duration fanout_ttl = 60s;
  std::size_t mcache_len = 5, mcache_gossip = 3;
  duration seen_ttl = 120s;
  duration prune_backoff = 60s;
  duration unsubscribe_backoff = 10s;
  duration graft_flood_threshold = 10s;
  // We wait this many extra heartbeats past a backoff before grafting again,
  // so clock drift does not land our GRAFT inside the peer's backoff.
  std::size_t backoff_slack = 1;
  double gossip_factor = 0.25;
  std::size_t gossip_retransmission = 3;
  std::size_t max_ihave_length = 5000;
  std::size_t max_ihave_messages = 10;
  // IWANT message IDs served per peer per heartbeat (not a spec constant; bounds work per peer).
  std::size_t max_iwant_length = 5000;
  duration iwant_followup_time = 3s;
  std::uint64_t opportunistic_graft_ticks = 60;
  std::size_t opportunistic_graft_peers = 2;
  std::size_t prune_peers = 16;  // PX peers sent in a PRUNE
  bool do_px = false;            // go-libp2p default: PX off (enable on bootstrappers)
  bool flood_publish = true;
  // v1.2: messages at least this large trigger IDONTWANT to mesh peers.
  std::size_t idontwant_message_size_threshold = 1024;
  std::size_t max_idontwant_messages = 1000;  // remembered per peer per heartbeat window
};

// Peer scoring (gossipsub-v1.1.md "Peer Scoring"). Weights that are
// penalties are negative, as in the spec.
struct topic_score_params {
  double topic_weight = 1.0;
  // P1
  double time_in_mesh_weight = 0.01;
  duration time_in_mesh_quantum = 1s;
  double time_in_mesh_cap = 3600;
  // P2
  double first_message_deliveries_weight = 1.0;
  double first_message_deliveries_decay = 0.5;
  double first_message_deliveries_cap = 2000;
  // P3 (0 weight disables)
  double mesh_message_deliveries_weight = 0;
  double mesh_message_deliveries_decay = 0.5;
  double mesh_message_deliveries_cap = 100;
  double mesh_message_deliveries_threshold = 20;
  duration mesh_message_deliveries_window = 10ms;
  duration mesh_message_deliveries_activation = 5s;
  // P3b
  double mesh_failure_penalty_weight = 0;
  double mesh_failure_penalty_decay = 0.5;
  // P4
  double invalid_message_deliveries_weight = -1.0;
  double invalid_message_deliveries_decay = 0.3;
};

struct score_params {
  std::map<std::string, topic_score_params> topics;
  // For a topic without an entry in `topics` (a daemon's topics are chosen at
  // run time); unset: such topics do not count (go-libp2p's behaviour).
  std::optional<topic_score_params> default_topic;
  double topic_score_cap = 0;  // 0: no cap
  double app_specific_weight = 1.0;                 // P5
  double ip_colocation_factor_weight = -1.0;        // P6
  double ip_colocation_factor_threshold = 1;
  std::set<std::string> ip_colocation_factor_whitelist;
  double behaviour_penalty_weight = -1.0;           // P7
  double behaviour_penalty_threshold = 0;
  double behaviour_penalty_decay = 0.9;
  duration decay_interval = 1s;
  double decay_to_zero = 0.01;
  duration retain_score = 3600s;
};

struct score_thresholds {
  double gossip_threshold = -10;
  double publish_threshold = -50;
  double graylist_threshold = -80;
  double accept_px_threshold = 10;
  double opportunistic_graft_threshold = 1;
};

enum class signature_policy { strict_sign, strict_no_sign };

}  // namespace converge::pubsub
