#pragma once
// The pubsub service: the node's GossipSub (src/pubsub/io driver over the
// node's host) and its RPC commands.
//
// Configuration, config.json section "pubsub" (every field optional; an
// unknown field is an error naming it):
//   {"enabled": true, "router": "gossipsub" | "floodsub",
//    "subscription_queue": 1024}          messages held per subscription
//
// RPC commands:
//   pubsub/pub   {"topic", "data"}         -> {"topic", "id" (hex), "peers"}
//                data is text (its UTF-8 bytes); or "data_base64" (multibase-less base64)
//   pubsub/sub   {"topic"}  streaming      -> one line per message:
//                {"topic", "from", "seqno" (hex), "data" (text, if UTF-8), "data_base64",
//                 "received_from"}; ends when the client goes
//   pubsub/peers {"topic"?}                -> ["<peer id>", ...] (all pubsub peers without topic)
//   pubsub/ls    {}                        -> ["<topic>", ...] subscribed topics
#include <memory>

#include "node/node.hpp"
#include "pubsub/io/driver.hpp"

namespace converge::node {

class pubsub_service : public service {
 public:
  explicit pubsub_service(pubsub::io::driver_config cfg) : cfg_(std::move(cfg)) {}
  [[nodiscard]] std::string_view name() const override { return "pubsub"; }
  result<void> start(node& n, rpc_registry& rpc) override;
  void stop() override;
  // After start(): the driver, for other services (the update agent's topic).
  [[nodiscard]] const std::shared_ptr<pubsub::io::driver>& driver() const { return driver_; }

 private:
  pubsub::io::driver_config cfg_;
  std::shared_ptr<pubsub::io::driver> driver_;
};

// Parses the "pubsub" config section; nullopt when pubsub is disabled.
[[nodiscard]] result<std::optional<pubsub::io::driver_config>> pubsub_config(const nlohmann::json& section);

// Adds the pubsub service unless the configuration disables it.
[[nodiscard]] result<void> add_pubsub_service(node& n);

}  // namespace converge::node
