#pragma once
// Errors of the kad module (wire messages, routing table, queries, records).
#include <system_error>

#include "base/error.hpp"

namespace converge::kad {

enum class kad_errc {
  message_too_large = 1,  // a frame's length prefix or a message exceeds the bound
  malformed_frame,        // the length prefix is not a valid minimal uvarint
  malformed_message,      // not a decodable Message protobuf, or a field breaks the spec
  invalid_record,         // a validator refused the record (detail says why)
  record_too_large,       // a record value over its namespace's bound
  unknown_namespace,      // no validator for the key's namespace: never stored
  stale_record,           // a put whose record loses against the stored one
  not_found,              // no record / no peer / no provider
  unknown_query,          // a query ID that does not exist (or already finished)
  unknown_request,        // a response for a request ID that is not outstanding
  too_many_queries,       // the concurrent query bound was reached
  client_mode,            // a request reached a node in client mode
  store_failed,           // the record store failed (I/O); detail names the cause
  invalid_argument,
};

const std::error_category& kad_category() noexcept;
inline std::error_code make_error_code(kad_errc e) noexcept { return {static_cast<int>(e), kad_category()}; }

}  // namespace converge::kad

template <>
struct std::is_error_code_enum<converge::kad::kad_errc> : std::true_type {};
