#pragma once
// Errors of the trust module: canonical JSON, FROST and TUF metadata.
#include <system_error>

#include "base/error.hpp"

namespace converge::trust {

enum class trust_errc {
  invalid_json = 1,     // not JSON, or JSON we refuse (duplicate keys, floats, too deep)
  too_large,            // input or a count exceeds a bound
  invalid_metadata,     // TUF metadata violates the schema; detail names the field
  invalid_key,          // key object malformed or of an unsupported type/scheme
  invalid_signature,    // a signature does not verify
  threshold_not_met,    // fewer distinct valid signatures than the role's threshold
  invalid_encoding,     // a scalar or point fails to decode (non-canonical, off curve, identity)
  invalid_participants, // FROST participant set malformed (duplicates, bounds, unknown id)
  invalid_share,        // a FROST share or VSS check fails; detail names the participant
  invalid_proof,        // a DKG proof of knowledge fails; detail names the participant
  crypto_failure,       // the crypto library refused an operation (negligible on valid input)
  rollback,             // a version older than (or not following) the trusted one
  expired,              // metadata past its expiry: a freeze attack or a stale mirror
  mismatch,             // length, hash or version differs from what trusted metadata says
  out_of_order,         // e.g. snapshot before timestamp: the client workflow order was not followed
  equivocation,         // two different releases signed with the same sequence for one channel
  revoked,              // the release (version, CID or sequence) is on the signed revocation list
  not_for_device,       // a valid release that carries nothing for this device's channel/platform
  storage,              // the trusted-state store could not be read or written
};

const std::error_category& trust_category() noexcept;
inline std::error_code make_error_code(trust_errc e) noexcept { return {static_cast<int>(e), trust_category()}; }

}  // namespace converge::trust

template <>
struct std::is_error_code_enum<converge::trust::trust_errc> : std::true_type {};
