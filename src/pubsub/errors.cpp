#include "pubsub/errors.hpp"

#include <string>

namespace converge::pubsub {
namespace {
struct pubsub_category_impl final : std::error_category {
  [[nodiscard]] const char* name() const noexcept override { return "pubsub"; }
  [[nodiscard]] std::string message(int ev) const override {
    switch (static_cast<pubsub_errc>(ev)) {
      case pubsub_errc::rpc_too_large: return "RPC too large";
      case pubsub_errc::malformed_frame: return "malformed RPC frame";
      case pubsub_errc::malformed_rpc: return "malformed RPC";
      case pubsub_errc::unknown_peer: return "unknown peer";
      case pubsub_errc::duplicate_peer: return "peer already added";
      case pubsub_errc::not_subscribed: return "not subscribed";
      case pubsub_errc::invalid_topic: return "invalid topic";
      case pubsub_errc::message_too_large: return "message too large";
      case pubsub_errc::signing_failed: return "signing failed";
      case pubsub_errc::unknown_message: return "unknown message";
      case pubsub_errc::queue_full: return "output queue full";
      case pubsub_errc::invalid_argument: return "invalid argument";
    }
    return "unknown pubsub error";
  }
};
}  // namespace

const std::error_category& pubsub_category() noexcept {
  static const pubsub_category_impl c;
  return c;
}

}  // namespace converge::pubsub
