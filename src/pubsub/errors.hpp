#pragma once
// Errors of the pubsub module (framing, RPC decoding, the router's API).
#include <system_error>

#include "base/error.hpp"

namespace converge::pubsub {

enum class pubsub_errc {
  rpc_too_large = 1,   // a frame's length prefix exceeds max_rpc_size
  malformed_frame,     // the length prefix is not a valid minimal uvarint
  malformed_rpc,       // the frame is not a decodable RPC protobuf
  unknown_peer,        // the call names a peer that was never added (or was removed)
  duplicate_peer,      // add_peer for a peer that is already connected
  not_subscribed,      // unsubscribe from a topic we are not in
  invalid_topic,       // empty topic or over max_topic_length
  message_too_large,   // publish() data over max_message_size
  signing_failed,      // StrictSign with no key, or the key refused to sign
  unknown_message,     // report_validation for an ID that is not pending
  queue_full,          // the peer's output queue is full: the RPC was dropped
  invalid_argument,
};

const std::error_category& pubsub_category() noexcept;
inline std::error_code make_error_code(pubsub_errc e) noexcept { return {static_cast<int>(e), pubsub_category()}; }

}  // namespace converge::pubsub

template <>
struct std::is_error_code_enum<converge::pubsub::pubsub_errc> : std::true_type {};
