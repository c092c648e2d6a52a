#pragma once
// Errors of the crypto module (keys, peer IDs, key files, signed envelopes,
// peer records). The detail string names exactly what is wrong.
#include <system_error>

#include "base/error.hpp"

namespace converge::crypto {

enum class crypto_errc {
  unknown_key_type = 1,  // protobuf KeyType outside RSA/Ed25519/Secp256k1/ECDSA, or an unknown name
  invalid_key,           // key bytes malformed: wrong length, bad point, bad DER, public part mismatch
  key_too_small,         // RSA modulus under 2048 bits
  key_too_large,         // RSA modulus over 8192 bits, or an input over its size bound
  malformed_protobuf,    // not a valid, canonically encoded protobuf message of the expected kind
  signing_failed,        // the crypto library refused to sign
  invalid_peer_id,       // peer ID bytes or text that are not a valid peer ID
  no_embedded_key,       // peer ID is a sha2-256 hash: the public key cannot be extracted
  wrong_passphrase,      // encrypted key file did not decrypt: wrong passphrase or corrupted file
  passphrase_required,   // encrypted key file read without a passphrase
  invalid_key_file,      // key file container malformed or with out-of-bounds KDF parameters
  malformed_envelope,    // signed envelope not decodable or missing a required field
  wrong_payload_type,    // envelope payload type differs from what the caller expects
  invalid_signature,     // envelope signature does not verify (tampered, or sealed for another domain)
  invalid_record,        // peer record payload malformed or over a bound
  peer_id_mismatch,      // peer record's peer ID is not derived from the envelope's key
  invalid_argument,      // caller error: empty domain, unsupported RSA size, ...
};

const std::error_category& crypto_category() noexcept;
inline std::error_code make_error_code(crypto_errc e) noexcept { return {static_cast<int>(e), crypto_category()}; }

}  // namespace converge::crypto

template <>
struct std::is_error_code_enum<converge::crypto::crypto_errc> : std::true_type {};
