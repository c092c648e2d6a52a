#pragma once
// Internal: small OpenSSL 3 helpers shared by the ECDSA and RSA keys.
// Every failure path drains OpenSSL's thread-local error queue into the
// returned detail, so no stale errors leak into unrelated calls.
#include <openssl/evp.h>

#include <memory>
#include <string>

#include "base/bytes.hpp"
#include "crypto/errors.hpp"

namespace converge::crypto::detail {

struct evp_pkey_free {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, evp_pkey_free>;

// "what: <first OpenSSL reason>", and clears the error queue.
std::string ossl_error(std::string_view what);
void ossl_clear_errors();

// DER SubjectPublicKeyInfo decode; fails unless the whole input is consumed.
result<pkey_ptr> parse_spki(bytes_view der, std::string_view what);
// Type-specific private key DER (PKCS#1 for RSA, SEC1 for EC); whole input consumed.
result<pkey_ptr> parse_private_der(int evp_type, bytes_view der, std::string_view what);

bytes encode_spki(EVP_PKEY* k);
bytes encode_private_der(EVP_PKEY* k);  // secret

// Signs / verifies SHA-256(msg) with the key's default scheme (ECDSA with a DER
// signature; RSASSA-PKCS1-v1_5 for RSA).
result<bytes> digest_sign_sha256(EVP_PKEY* k, bytes_view msg);
bool digest_verify_sha256(EVP_PKEY* k, bytes_view msg, bytes_view sig);

}  // namespace converge::crypto::detail
