#pragma once
// PUBSUB control requests of converge-p2pd (go-libp2p-daemon conventions):
// GET_TOPICS and LIST_PEERS answer OK with a PSResponse (always present, so
// the js client sees `topics`), PUBLISH answers OK, SUBSCRIBE answers OK and
// then streams one framed PSMessage per received message until the client
// closes the connection. Without -pubsub every request answers ERROR.
#include <memory>

#include "p2p/io/asio.hpp"
#include "p2pd.pb.h"
#include "pubsub/io/driver.hpp"

namespace converge::p2pd {

// The daemon's pubsub driver, or null when -pubsub was not given.
std::shared_ptr<pubsub::io::driver>& pubsub_driver();

// Serves one PUBSUB request on the control connection `sock` (writes every reply).
p2p::io::task<void> serve_pubsub(std::shared_ptr<p2p::io::tcp::socket> sock, pb::PSRequest req);

}  // namespace converge::p2pd
