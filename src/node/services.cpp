#include "node/services.hpp"

#include "node/svc_agent.hpp"
#include "node/svc_blocks.hpp"
#include "node/svc_dht.hpp"
#include "node/svc_pubsub.hpp"

namespace converge::node {

result<void> add_default_services(node& n) {
  // One line per service, e.g.:
  //   if (auto r = add_pubsub_service(n); !r) return r;
  if (auto r = add_dht_service(n); !r) return r;
  if (auto r = add_blocks_service(n); !r) return r;
  if (auto r = add_pubsub_service(n); !r) return r;
  // The update agent uses the three above: it comes last.
  if (auto r = add_agent_service(n); !r) return r;
  return ok();
}

}  // namespace converge::node
