#pragma once
// The connection manager: keeps the number of open connections between a low
// and a high watermark by closing the least useful ones (go-libp2p connmgr).
//
//   - The host reports connections: connected(id, peer, now) after the
//     security handshake, disconnected(id) when they end.
//   - Protocols say how useful a peer is with tags (tag_peer(p, "bitswap", 20));
//     a peer's value is the sum of its tags. protect(p, tag) exempts a peer
//     from trimming until every protecting tag is removed.
//   - trim(now) returns the connections to close. It acts only when more than
//     high_water connections are open and silence_period has passed since
//     the last trim that closed something; then it closes whole peers, the
//     lowest value first, until at most low_water connections remain or no
//     candidate is left. Never trimmed: protected peers and peers whose first
//     current connection is younger than grace_period.
//   - Order among equal values: the peer with more connections first, then
//     the peer whose first connection is newest, then by peer ID; so the
//     result is deterministic.
// The host calls trim(now) after each connected() and when next_trim_at(now)
// comes due, and closes what it returns (with the reason, for logs).
//
// Bounded: at most max_tracked_peers peers with tags or protections but no
// connection, and max_tags_per_peer tags per peer.
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.hpp"
#include "crypto/peer_id.hpp"
#include "p2p/limits/errors.hpp"

namespace converge::p2p::limits {

struct connmgr_config {
  std::size_t low_water = 64;
  std::size_t high_water = 96;
  duration grace_period = std::chrono::seconds{20};
  duration silence_period = std::chrono::seconds{10};
  std::size_t max_tracked_peers = 4096;
  std::size_t max_tags_per_peer = 64;
  friend bool operator==(const connmgr_config&, const connmgr_config&) = default;
};

using connection_id = std::uint64_t;

struct trim_decision {
  connection_id id;
  crypto::peer_id peer;
  std::string reason;  // "connection manager: 101 connections over high water 96; peer value 0"
};

class connection_manager {
 public:
  explicit connection_manager(connmgr_config cfg) : cfg_(cfg) {}

  // A connection to `p` is open (idempotent per id).
  void connected(connection_id id, const crypto::peer_id& p, instant now);
  // The connection ended (unknown ids are ignored).
  void disconnected(connection_id id);

  // Sets tag `tag` of `p` to `value` (replacing it). invalid_argument when the
  // peer already has max_tags_per_peer other tags, or too many peers are tracked.
  result<void> tag_peer(const crypto::peer_id& p, std::string_view tag, std::int64_t value);
  void untag_peer(const crypto::peer_id& p, std::string_view tag);
  // Same bounds as tag_peer.
  result<void> protect(const crypto::peer_id& p, std::string_view tag);
  // Returns true iff the peer is still protected by another tag.
  bool unprotect(const crypto::peer_id& p, std::string_view tag);
  [[nodiscard]] bool is_protected(const crypto::peer_id& p) const;
  [[nodiscard]] std::int64_t peer_value(const crypto::peer_id& p) const;

  [[nodiscard]] std::size_t connection_count() const { return conns_.size(); }
  [[nodiscard]] std::size_t connections_of(const crypto::peer_id& p) const;
  [[nodiscard]] std::size_t tracked_peers() const { return peers_.size(); }

  // The connections to close now (see the header comment); empty if none.
  // Connections returned are forgotten at once, so a second call does not
  // return them again; the host's disconnected() for them is then a no-op.
  [[nodiscard]] std::vector<trim_decision> trim(instant now);
  // When trim() could next do something while over high water: the end of the
  // silence period or of the earliest grace period among unprotected peers.
  // nullopt when at or under high water.
  [[nodiscard]] std::optional<instant> next_trim_at(instant now) const;

  [[nodiscard]] const connmgr_config& config() const { return cfg_; }

 private:
  struct peer_info {
    std::map<std::string, std::int64_t, std::less<>> tags;
    std::set<std::string, std::less<>> protections;
    std::set<connection_id> conns;
    instant first_seen{};  // when its oldest current connection opened
    [[nodiscard]] std::int64_t value() const;
    [[nodiscard]] bool idle() const { return tags.empty() && protections.empty() && conns.empty(); }
  };
  result<peer_info*> tracked(const crypto::peer_id& p);
  void collect(const crypto::peer_id& p);

  connmgr_config cfg_;
  std::map<crypto::peer_id, peer_info> peers_;
  std::map<connection_id, crypto::peer_id> conns_;
  std::optional<instant> last_trim_;
};

}  // namespace converge::p2p::limits
