#pragma once
// What the host knows about other peers: addresses (each with an expiry),
// supported protocols, public keys, agent and the last verified signed peer
// record. Bounded: at most max_peers peers (new peers beyond it are not
// recorded) and max_addrs addresses / max_protocols protocols per peer.
// Not thread-safe: used from the host's executor.
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/clock.hpp"
#include "crypto/peer_id.hpp"
#include "crypto/peer_record.hpp"
#include "multiformats/multiaddr.hpp"

namespace converge::p2p::io {

struct peerstore_limits {
  std::size_t max_peers = 10000;
  std::size_t max_addrs = 64;
  std::size_t max_protocols = 256;
};

inline constexpr duration connected_addr_ttl = std::chrono::hours{24 * 365};
inline constexpr duration recent_addr_ttl = std::chrono::minutes{30};

class peerstore {
 public:
  explicit peerstore(peerstore_limits limits = {}) : limits_(limits) {}

  // Adds addresses (without /p2p); an address already known keeps the later expiry.
  void add_addrs(const crypto::peer_id& peer, const std::vector<mf::multiaddr>& addrs, duration ttl, instant now);
  // Unexpired addresses, soonest-expiring last.
  [[nodiscard]] std::vector<mf::multiaddr> addrs(const crypto::peer_id& peer, instant now) const;
  void set_protocols(const crypto::peer_id& peer, std::vector<std::string> protocols);
  [[nodiscard]] std::vector<std::string> protocols(const crypto::peer_id& peer) const;
  [[nodiscard]] bool supports(const crypto::peer_id& peer, std::string_view protocol) const;
  void set_key(const crypto::peer_id& peer, const crypto::public_key& key);
  [[nodiscard]] std::optional<crypto::public_key> key(const crypto::peer_id& peer) const;
  void set_agent(const crypto::peer_id& peer, std::string agent, std::string protocol_version);
  [[nodiscard]] std::string agent(const crypto::peer_id& peer) const;
  // Keeps the record with the highest seq, and the signed envelope it came in
  // (forwarded as is by GossipSub's peer exchange; empty when not known).
  void set_record(const crypto::peer_id& peer, const crypto::peer_record& record, bytes signed_envelope = {});
  [[nodiscard]] std::optional<crypto::peer_record> record(const crypto::peer_id& peer) const;
  [[nodiscard]] bytes signed_record(const crypto::peer_id& peer) const;
  [[nodiscard]] std::size_t size() const { return peers_.size(); }

 private:
  struct entry {
    std::map<mf::multiaddr, instant> addrs;
    std::vector<std::string> protocols;
    std::optional<crypto::public_key> key;
    std::string agent;
    std::string protocol_version;
    std::optional<crypto::peer_record> record;
    bytes signed_record;
  };
  entry* find_or_add(const crypto::peer_id& peer);
  const entry* find(const crypto::peer_id& peer) const;

  peerstore_limits limits_;
  std::unordered_map<crypto::peer_id, entry> peers_;
};

}  // namespace converge::p2p::io
