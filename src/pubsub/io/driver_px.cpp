// Score band changes (a graylisted peer is logged and counted) and peer
// exchange: PX candidates with a valid signed peer record are dialled; once
// connected, the host's peer_connected event brings them into the router
// like any other peer.
#include <cstdio>

#include "base/log.hpp"
#include "crypto/peer_record.hpp"
#include "pubsub/io/driver.hpp"

namespace converge::pubsub::io {

void driver::on_score(const score_event& e) {
  if (e.band != score_band::below_graylist) return;
  ++counters_.graylisted;
  char score[32];
  std::snprintf(score, sizeof score, "%.1f", e.score);
  log(log_level::warn, "pubsub",
      "peer " + e.peer.to_string() + " scored " + score +
          ", below the graylist threshold: its RPCs are ignored until the score recovers");
}

void driver::dial_px(const px_event& e) {
  std::size_t started = 0;
  for (const auto& [id_bytes, record] : e.peers) {
    if (started >= config_.px_dials || px_pending_ >= config_.px_pending_dials) return;
    auto id = crypto::peer_id::from_bytes(id_bytes);
    if (!id || *id == host_->id() || host_->connection_to(*id)) continue;
    // Addresses only from a record the candidate signed itself (a PRUNE's
    // sender could otherwise point us anywhere); no record, no dial.
    if (record.empty()) {
      ++counters_.px_refused;
      continue;
    }
    auto opened = crypto::open_peer_record(record);
    if (!opened || opened->record.id != *id) {
      ++counters_.px_refused;
      continue;
    }
    auto addrs = opened->record.multiaddrs();
    if (addrs.empty()) {
      ++counters_.px_refused;
      continue;
    }
    host_->peers().add_addrs(*id, addrs, p2pio::recent_addr_ttl, std::chrono::steady_clock::now());
    ++counters_.px_dials;
    ++px_pending_;
    ++started;
    p2pio::asio::co_spawn(host_->executor(), px_dial(shared_from_this(), *id), p2pio::asio::detached);
  }
}

// Hands the router the signed peer records identify has collected, so that
// its PRUNEs can carry them (identify may finish after the peer joined).
void driver::share_records() {
  for (auto& [p, l] : links_) {
    if (!l->in_router || l->has_record) continue;
    auto rec = host_->peers().signed_record(p);
    if (!rec.empty() && router_->set_signed_peer_record(p, std::move(rec))) l->has_record = true;
  }
}

task<void> driver::px_dial(std::shared_ptr<driver> self, crypto::peer_id p) {
  auto c = co_await self->host_->connect(p);
  --self->px_pending_;
  if (c) ++self->counters_.px_connected;
}

}  // namespace converge::pubsub::io
