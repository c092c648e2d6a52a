#pragma once
// Identify (/ipfs/id/1.0.0) and identify push (/ipfs/id/push/1.0.0).
// The requester opens a stream; the responder writes one length-prefixed
// Identify message and closes. A push is the same message sent unasked.
// Our message carries a signed peer record (an envelope sealed with the
// host key over our listen addresses); received records are opened and
// checked against the connection's authenticated peer before use.
#include <memory>

#include "p2p/io/host.hpp"

namespace converge::p2p::io {

inline constexpr std::string_view identify_protocol_id = "/ipfs/id/1.0.0";
inline constexpr std::string_view identify_push_protocol_id = "/ipfs/id/push/1.0.0";

// What we tell `conn`'s peer about ourselves.
identify_info local_identify(host& h, const connection& conn);
task<void> serve_identify(std::shared_ptr<host> h, stream s);
task<void> receive_identify_push(std::shared_ptr<host> h, stream s);
// Asks the peer of `conn`, records the answer in the peerstore and emits
// identify_completed (or identify_failed).
task<result<identify_info>> request_identify(std::shared_ptr<host> h, std::shared_ptr<connection> conn);
task<result<void>> send_identify_push(std::shared_ptr<host> h, std::shared_ptr<connection> conn);
// Stores what `peer` said; true if its signed peer record verified.
bool record_identify(host& h, const connection& conn, const identify_info& info);

}  // namespace converge::p2p::io
