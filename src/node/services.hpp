#pragma once
// The services a daemon runs. One explicit list (not self-registration: the
// node is a static library, and the linker would drop unreferenced objects).
#include "node/node.hpp"

namespace converge::node {

// Adds every service enabled by the node's configuration, in start order.
// Each service's glue (svc_<name>.cpp) adds its own line here.
result<void> add_default_services(node& n);

}  // namespace converge::node
