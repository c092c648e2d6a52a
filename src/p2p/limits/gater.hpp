#pragma once
// The connection gater: allow and deny rules by peer ID and by CIDR, asked at
// each step of a connection's life (the go-libp2p ConnectionGater hooks):
//
//   intercept_peer_dial(peer)            before dialling a peer at all
//   intercept_addr_dial(peer, addr)      before dialling one of its addresses
//   intercept_accept(remote_addr)        an inbound socket, before any handshake
//   intercept_secured(dir, peer, addr)   after the security handshake (peer now known)
//   intercept_upgraded(dir, peer, addr)  after muxer negotiation (same rules; a hook
//                                        for the host so rules changed mid-handshake apply)
//
// Rules, evaluated per dimension (peer, address):
//   1. deny wins: a peer on the deny list, or an address inside a denied CIDR,
//      is refused even if it is also allowed;
//   2. if the allow list of that dimension is non-empty, only what is on it
//      passes (allow-list mode); an empty allow list allows everything;
//   3. an address without an IP (dns, relay) is refused only in CIDR allow-list mode.
// Both dimensions must pass where both are known. Refusals are limits_errc::gated
// and the detail names the rule ("address /ip4/10.1.2.3/tcp/4001 is inside denied
// CIDR 10.0.0.0/8"). Rule counts are bounded (max_gater_rules per list).
#include <set>
#include <vector>

#include "crypto/peer_id.hpp"
#include "multiformats/multiaddr.hpp"
#include "p2p/limits/cidr.hpp"
#include "p2p/limits/errors.hpp"

namespace converge::p2p::limits {

inline constexpr std::size_t max_gater_rules = 4096;

enum class direction { inbound, outbound };
[[nodiscard]] const char* to_string(direction d);

class connection_gater {
 public:
  // Each fails with invalid_argument when its list already holds max_gater_rules entries.
  result<void> allow_peer(const crypto::peer_id& p);
  result<void> deny_peer(const crypto::peer_id& p);
  result<void> allow_cidr(const cidr& c);
  result<void> deny_cidr(const cidr& c);
  // Return true iff the rule was present.
  bool remove_allowed_peer(const crypto::peer_id& p) { return allow_peers_.erase(p) > 0; }
  bool remove_denied_peer(const crypto::peer_id& p) { return deny_peers_.erase(p) > 0; }
  bool remove_allowed_cidr(const cidr& c);
  bool remove_denied_cidr(const cidr& c);

  [[nodiscard]] result<void> intercept_peer_dial(const crypto::peer_id& p) const { return check_peer(p); }
  [[nodiscard]] result<void> intercept_addr_dial(const crypto::peer_id& p, const mf::multiaddr& addr) const;
  [[nodiscard]] result<void> intercept_accept(const mf::multiaddr& remote_addr) const {
    return check_addr(remote_addr);
  }
  [[nodiscard]] result<void> intercept_secured(direction dir, const crypto::peer_id& p,
                                               const mf::multiaddr& remote_addr) const;
  [[nodiscard]] result<void> intercept_upgraded(direction dir, const crypto::peer_id& p,
                                                const mf::multiaddr& remote_addr) const {
    return intercept_secured(dir, p, remote_addr);
  }

  [[nodiscard]] result<void> check_peer(const crypto::peer_id& p) const;
  [[nodiscard]] result<void> check_addr(const mf::multiaddr& addr) const;

 private:
  std::set<crypto::peer_id> allow_peers_;
  std::set<crypto::peer_id> deny_peers_;
  std::vector<cidr> allow_cidrs_;
  std::vector<cidr> deny_cidrs_;
};

}  // namespace converge::p2p::limits
