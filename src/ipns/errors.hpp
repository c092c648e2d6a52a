#pragma once
// Errors of the ipns module (DAG-CBOR, IPNS records, names, the sequence policy).
#include <system_error>

#include "base/error.hpp"

namespace converge::ipns {

enum class ipns_errc {
  malformed_cbor = 1,   // not DAG-CBOR, or not in its canonical form
  malformed_record,     // not an IpnsEntry protobuf, or a required field is missing
  record_too_large,     // over max_record_size (10 KiB, the spec's bound)
  bad_signature,        // signatureV2 (or a present signatureV1) does not verify
  key_mismatch,         // the public key does not derive the name
  field_mismatch,       // a V1 protobuf field differs from the signed data
  expired,              // EOL is in the past
  invalid_validity,     // unknown ValidityType or an unparsable RFC 3339 time
  invalid_name,         // not a libp2p-key CID / peer ID
  sequence_rollback,    // lower than the highest sequence seen for the name
  store_failed,
  invalid_argument,
};

const std::error_category& ipns_category() noexcept;
inline std::error_code make_error_code(ipns_errc e) noexcept { return {static_cast<int>(e), ipns_category()}; }

}  // namespace converge::ipns

template <>
struct std::is_error_code_enum<converge::ipns::ipns_errc> : std::true_type {};
