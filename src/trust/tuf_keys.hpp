#pragma once
// TUF key objects and signature verification.
//
//   {"keytype": "ed25519", "scheme": "ed25519",
//    "keyval": {"public": "<64 hex chars>"}}
//   {"keytype": "ecdsa" | "ecdsa-sha2-nistp256", "scheme": "ecdsa-sha2-nistp256",
//    "keyval": {"public": "<PEM SubjectPublicKeyInfo, P-256>"}}
//   {"keytype": "rsa", "scheme": "rsassa-pss-sha256",
//    "keyval": {"public": "<PEM SubjectPublicKeyInfo, RSA >= 2048 bits>"}}
//
// A key ID is the lower-case hex SHA-256 of the canonical JSON of the key
// object exactly as it appears (unrecognised fields included). Signatures
// ("sig") are hex: 64 raw bytes for Ed25519, DER for ECDSA, the RSA block for
// PSS (any salt length accepted, MGF1-SHA-256), matching securesystemslib.
// Ed25519 is verified by libsodium; ECDSA and RSA by OpenSSL 3.
#include <array>
#include <memory>
#include <span>
#include <string>

#include <nlohmann/json.hpp>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "trust/errors.hpp"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY

namespace converge::trust::tuf {

enum class key_scheme { ed25519, ecdsa_sha2_nistp256, rsassa_pss_sha256 };

struct public_key {
  key_scheme scheme = key_scheme::ed25519;
  nlohmann::json object;  // the key object as parsed or built
  std::string keyid;      // sha256 hex of canonical(object)
  // Identity of the key material (raw Ed25519 key or DER SubjectPublicKeyInfo):
  // two key IDs with the same material are the same signer.
  bytes material;
  std::shared_ptr<evp_pkey_st> evp;  // ECDSA and RSA only
};

inline constexpr std::size_t max_pem_bytes = 16 * 1024;

// sha256 hex of encode_canonical(key_object).
result<std::string> compute_keyid(const nlohmann::json& key_object);

// Parses and validates a key object; `path` prefixes errors ("root.keys.<id>").
result<public_key> parse_public_key(const nlohmann::json& key_object, std::string_view path);

// The key object for a raw Ed25519 public key (e.g. a FROST group key).
public_key ed25519_public_key(std::span<const std::uint8_t, 32> raw);

// Verifies sig over msg; trust_errc::invalid_signature when it does not verify.
result<void> verify_signature(const public_key& key, bytes_view msg, bytes_view sig);

// A private key that signs for one public key object: Ed25519 here,
// ECDSA P-256 and RSA-PSS in tuf_pem_signer.hpp.
class signer {
 public:
  virtual ~signer() = default;
  virtual const public_key& key() const = 0;
  // The "sig" bytes for msg in the key's scheme (see the header comment).
  virtual result<bytes> sign_message(bytes_view msg) const = 0;
};

// An Ed25519 signing key (libsodium 64-byte secret key: seed || public key).
class ed25519_signer final : public signer {
 public:
  explicit ed25519_signer(std::span<const std::uint8_t, 32> seed);
  ~ed25519_signer() override;
  ed25519_signer(const ed25519_signer&) = delete;
  ed25519_signer& operator=(const ed25519_signer&) = delete;
  const public_key& key() const override { return key_; }
  std::array<std::uint8_t, 64> sign(bytes_view msg) const;
  result<bytes> sign_message(bytes_view msg) const override {
    auto sig = sign(msg);
    return bytes(sig.begin(), sig.end());
  }

 private:
  std::array<std::uint8_t, 64> secret_{};
  public_key key_;
};

}  // namespace converge::trust::tuf
