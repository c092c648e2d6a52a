#pragma once
// Errors of the bitswap module.
#include <system_error>

#include "base/error.hpp"

namespace converge::bitswap {

enum class bitswap_errc {
  malformed_message = 1,  // not a valid Bitswap protobuf (detail names field and offset)
  too_large,              // a message, wantlist or queue over its bound
  unsupported_hash,       // a block whose prefix names a hash we cannot compute
  unknown_peer,           // an API call for a peer that is not connected
  unknown_session,
  session_limit,          // max_sessions reached
  not_found,              // the DAG cannot be completed: no peer has a block
  invalid_argument,
};

const std::error_category& bitswap_category() noexcept;
inline std::error_code make_error_code(bitswap_errc e) noexcept { return {static_cast<int>(e), bitswap_category()}; }

}  // namespace converge::bitswap

template <>
struct std::is_error_code_enum<converge::bitswap::bitswap_errc> : std::true_type {};
