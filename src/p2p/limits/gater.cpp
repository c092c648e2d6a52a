#include "p2p/limits/gater.hpp"

#include <algorithm>

namespace converge::p2p::limits {
namespace {

result<void> add_bounded(std::vector<cidr>& list, const cidr& c, const char* which) {
  if (std::find(list.begin(), list.end(), c) != list.end()) return ok();
  if (list.size() >= max_gater_rules)
    return fail(limits_errc::invalid_argument,
                std::string(which) + " CIDR list is full (" + std::to_string(max_gater_rules) + " rules)");
  list.push_back(c);
  return ok();
}

result<void> add_bounded(std::set<crypto::peer_id>& list, const crypto::peer_id& p, const char* which) {
  if (list.contains(p)) return ok();
  if (list.size() >= max_gater_rules)
    return fail(limits_errc::invalid_argument,
                std::string(which) + " peer list is full (" + std::to_string(max_gater_rules) + " rules)");
  list.insert(p);
  return ok();
}

bool remove(std::vector<cidr>& list, const cidr& c) {
  auto it = std::find(list.begin(), list.end(), c);
  if (it == list.end()) return false;
  list.erase(it);
  return true;
}

}  // namespace

const char* to_string(direction d) { return d == direction::inbound ? "inbound" : "outbound"; }

result<void> connection_gater::allow_peer(const crypto::peer_id& p) { return add_bounded(allow_peers_, p, "allow"); }
result<void> connection_gater::deny_peer(const crypto::peer_id& p) { return add_bounded(deny_peers_, p, "deny"); }
result<void> connection_gater::allow_cidr(const cidr& c) { return add_bounded(allow_cidrs_, c, "allow"); }
result<void> connection_gater::deny_cidr(const cidr& c) { return add_bounded(deny_cidrs_, c, "deny"); }
bool connection_gater::remove_allowed_cidr(const cidr& c) { return remove(allow_cidrs_, c); }
bool connection_gater::remove_denied_cidr(const cidr& c) { return remove(deny_cidrs_, c); }

result<void> connection_gater::check_peer(const crypto::peer_id& p) const {
  if (deny_peers_.contains(p)) return fail(limits_errc::gated, "peer " + p.to_string() + " is on the deny list");
  if (!allow_peers_.empty() && !allow_peers_.contains(p))
    return fail(limits_errc::gated, "peer " + p.to_string() + " is not on the allow list");
  return ok();
}

result<void> connection_gater::check_addr(const mf::multiaddr& addr) const {
  auto ip = ip_of(addr);
  if (!ip) {
    if (!allow_cidrs_.empty())
      return fail(limits_errc::gated,
                  "address " + addr.to_string() + " has no IP to match against the CIDR allow list");
    return ok();
  }
  for (const auto& c : deny_cidrs_)
    if (c.contains(*ip))
      return fail(limits_errc::gated, "address " + addr.to_string() + " is inside denied CIDR " + c.to_string());
  if (allow_cidrs_.empty()) return ok();
  for (const auto& c : allow_cidrs_)
    if (c.contains(*ip)) return ok();
  return fail(limits_errc::gated, "address " + addr.to_string() + " is inside no allowed CIDR");
}

result<void> connection_gater::intercept_addr_dial(const crypto::peer_id& p, const mf::multiaddr& addr) const {
  if (auto r = check_peer(p); !r) return r;
  return check_addr(addr);
}

result<void> connection_gater::intercept_secured(direction dir, const crypto::peer_id& p,
                                                 const mf::multiaddr& remote_addr) const {
  auto r = check_peer(p);
  if (r) r = check_addr(remote_addr);
  if (!r) return fail(with_context(r.error(), std::string(to_string(dir)) + " connection"));
  return ok();
}

}  // namespace converge::p2p::limits
