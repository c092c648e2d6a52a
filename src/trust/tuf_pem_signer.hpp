#pragma once
// ECDSA P-256 and RSA-PSS signing keys for TUF metadata (OpenSSL 3).
//
// The public key object is securesystemslib's: keytype "ecdsa" with scheme
// "ecdsa-sha2-nistp256", or keytype "rsa" with scheme "rsassa-pss-sha256";
// keyval.public is the PEM SubjectPublicKeyInfo. Signatures are what
// verify_signature checks: DER ECDSA over SHA-256, and RSA-PSS with SHA-256,
// MGF1-SHA-256 and a salt as long as the digest (securesystemslib's choice).
// The private key travels as unencrypted PKCS#8 PEM (the caller keeps the
// file private, as it does with an Ed25519 seed).
#include <memory>
#include <string>
#include <string_view>

#include "trust/tuf_keys.hpp"

namespace converge::trust::tuf {

class pem_signer final : public signer {
 public:
  // A new key: P-256 for ecdsa_sha2_nistp256; rsa_bits (>= 2048) for RSA-PSS.
  // Ed25519 keys come from ed25519_signer.
  static result<std::unique_ptr<pem_signer>> generate(key_scheme scheme, unsigned rsa_bits = 3072);
  // Loads a PKCS#8 (or traditional) PEM private key; it must fit the scheme
  // (a P-256 EC key, or RSA of at least 2048 bits).
  static result<std::unique_ptr<pem_signer>> from_pem(key_scheme scheme, std::string_view private_pem);

  const public_key& key() const override { return key_; }
  result<bytes> sign_message(bytes_view msg) const override;
  // Unencrypted PKCS#8 PEM of the private key.
  result<std::string> private_pem() const;

 private:
  explicit pem_signer(std::shared_ptr<evp_pkey_st> pkey) : pkey_(std::move(pkey)) {}
  static result<std::unique_ptr<pem_signer>> wrap(key_scheme scheme, std::shared_ptr<evp_pkey_st> pkey);

  std::shared_ptr<evp_pkey_st> pkey_;
  public_key key_;
};

// "ed25519", "ecdsa-sha2-nistp256", "rsassa-pss-sha256" and back.
std::string_view scheme_name(key_scheme scheme);
result<key_scheme> parse_scheme_name(std::string_view name);

}  // namespace converge::trust::tuf
