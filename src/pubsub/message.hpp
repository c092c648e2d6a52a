#pragma once
// Pubsub message authenticity (libp2p/specs pubsub/README.md "Message
// Signing"): the signature covers "libp2p-pubsub:" followed by the Message
// protobuf without its signature and key fields. `from` must be the signer's
// peer ID; the key travels in `key` only when the peer ID does not embed it.
#include <functional>
#include <optional>
#include <string>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "crypto/keys.hpp"
#include "crypto/peer_id.hpp"
#include "pubsub/params.hpp"
#include "pubsub/rpc.pb.h"

namespace converge::pubsub {

// Binary message IDs (IHAVE/IWANT carry them as proto2 strings, unchecked).
using message_id = std::string;
using message_id_fn = std::function<message_id(const pb::Message&)>;

inline constexpr std::string_view signing_prefix = "libp2p-pubsub:";

// The spec default: from || seqno.
message_id default_message_id(const pb::Message& m);
// For StrictNoSign topics: sha2-256 of the data (content-addressed).
message_id content_message_id(const pb::Message& m);

// Fills signature (and key when needed) for a message whose from/seqno/data/topic are set.
result<void> sign_message(pb::Message& m, const crypto::private_key& key);

enum class verify_outcome { ok, missing_fields, invalid_from, invalid_key, key_mismatch, bad_signature, unexpected_fields };

// StrictSign: from, seqno (8 bytes) and a valid signature are required.
// StrictNoSign: from, seqno, signature and key must all be absent.
verify_outcome verify_message(const pb::Message& m, signature_policy policy);
std::string_view to_string(verify_outcome o);

}  // namespace converge::pubsub
