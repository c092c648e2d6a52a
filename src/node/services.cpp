#include "node/services.hpp"

namespace converge::node {

result<void> add_default_services([[maybe_unused]] node& n) {
  // One line per service, e.g.:
  //   if (auto r = add_pubsub_service(n); !r) return r;
  return ok();
}

}  // namespace converge::node
