#pragma once
// The four limits objects a host holds, built from one limits_config. The
// composition root creates one host_limits per node and hands references to
// the runtime; see docs/LIMITS.md for the order of the calls.
//
// Not movable (the resource manager is referenced by its reservations): hold
// it in a std::unique_ptr or as a member that never moves.
#include "p2p/limits/bandwidth_manager.hpp"
#include "p2p/limits/config.hpp"
#include "p2p/limits/connection_manager.hpp"
#include "p2p/limits/gater.hpp"
#include "p2p/limits/resource_manager.hpp"

namespace converge::p2p::limits {

struct host_limits {
  host_limits(const limits_config& cfg, instant now)
      : gater(cfg.make_gater()), resources(cfg.resources), connections(cfg.connmgr), bandwidth(cfg.bandwidth, now) {}
  host_limits(const host_limits&) = delete;
  host_limits& operator=(const host_limits&) = delete;

  connection_gater gater;
  resource_manager resources;
  connection_manager connections;
  bandwidth_manager bandwidth;
};

}  // namespace converge::p2p::limits
