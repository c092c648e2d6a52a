#pragma once
// Errors of the multiformats module (multibase, multihash, CID, multiaddr).
// The detail string names the exact problem: the bad character and its
// offset, the unknown code, the protocol whose value is wrong.
#include <system_error>

#include "base/error.hpp"

namespace converge::mf {

enum class mf_errc {
  unknown_base = 1,     // multibase prefix character not supported
  invalid_character,    // character outside the alphabet
  non_canonical,        // trailing bits set, bad padding, impossible length, mixed forms
  too_large,            // input over a documented bound
  truncated,            // binary input ended inside a field
  trailing_data,        // bytes left after a complete value that must be exact
  invalid_multihash,    // malformed multihash (length mismatch, bad digest size)
  unknown_code,         // a multicodec code or name we do not know (where we must)
  invalid_cid,          // breaks a CID rule (version, v0 shape, framing)
  invalid_multiaddr,    // malformed multiaddr text or binary
  unknown_protocol,     // multiaddr protocol name or code not in the table
  invalid_value,        // a multiaddr component value is wrong (bad ip, port range, ...)
};

const std::error_category& mf_category() noexcept;
inline std::error_code make_error_code(mf_errc e) noexcept { return {static_cast<int>(e), mf_category()}; }

}  // namespace converge::mf

template <>
struct std::is_error_code_enum<converge::mf::mf_errc> : std::true_type {};
