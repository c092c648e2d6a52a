#pragma once
// libp2p keys (libp2p/specs peer-ids/peer-ids.md): Ed25519 (the default),
// Secp256k1, ECDSA and RSA, with the spec's protobuf PublicKey / PrivateKey
// encodings, byte for byte.
//
// Both classes are immutable values: cheap to copy (shared, read-only
// implementation), safe to use from several threads.
//
// Parsing is strict: the protobuf must be exactly the canonical encoding
// (fields in tag order, minimal varints, no unknown fields or key types),
// because a public key's bytes define its peer ID: one key, one encoding.
// The one accepted legacy form is the 96-byte Ed25519 private key data
// (seed, public, public); it is always written back as 64 bytes.
#include <cstddef>
#include <memory>

#include "base/bytes.hpp"
#include "base/rng.hpp"
#include "crypto/errors.hpp"
#include "crypto/key_type.hpp"

namespace converge::crypto {

namespace detail {
class public_key_impl;
class private_key_impl;
}  // namespace detail

// Size bounds on encoded keys (an 8192-bit RSA key is the largest).
inline constexpr std::size_t max_public_key_protobuf = 1200;
inline constexpr std::size_t max_private_key_protobuf = 5000;
inline constexpr unsigned default_rsa_bits = 2048;

class public_key {
 public:
  // `data` is the type's Data encoding (Ed25519: 32 bytes; Secp256k1: 33-byte
  // compressed point; ECDSA: DER SubjectPublicKeyInfo; RSA: DER PKIX).
  static result<public_key> from_raw(key_type type, bytes_view data);
  static result<public_key> from_protobuf(bytes_view encoded);

  [[nodiscard]] key_type type() const;
  [[nodiscard]] const bytes& raw() const;
  // The deterministic protobuf PublicKey encoding: what peer IDs are derived from.
  [[nodiscard]] bytes to_protobuf() const;
  // True iff `sig` is a valid signature of `msg` under this key's scheme.
  [[nodiscard]] bool verify(bytes_view msg, bytes_view sig) const;

  friend bool operator==(const public_key& a, const public_key& b);

 private:
  explicit public_key(std::shared_ptr<const detail::public_key_impl> impl) : impl_(std::move(impl)) {}
  friend class private_key;
  std::shared_ptr<const detail::public_key_impl> impl_;
};

class private_key {
 public:
  // Ed25519 and Secp256k1 keys come from `r` (deterministic under a seeded
  // rng); ECDSA (P-256) and RSA keys use OpenSSL's CSPRNG. `rsa_bits` must be
  // 2048..8192 and is ignored for other types.
  static result<private_key> generate(key_type type, rng& r, unsigned rsa_bits = default_rsa_bits);
  static result<private_key> from_raw(key_type type, bytes_view data);
  static result<private_key> from_protobuf(bytes_view encoded);

  [[nodiscard]] key_type type() const;
  // The Data encoding: secret material, wipe it when done (sodium_memzero).
  [[nodiscard]] bytes raw() const;
  // The protobuf PrivateKey: what key files hold. Secret as well.
  [[nodiscard]] bytes to_protobuf() const;
  [[nodiscard]] result<bytes> sign(bytes_view msg) const;
  [[nodiscard]] const crypto::public_key& public_key() const { return public_; }

  // Equal iff same type and same private Data encoding.
  friend bool operator==(const private_key& a, const private_key& b);

 private:
  explicit private_key(std::shared_ptr<const detail::private_key_impl> impl);
  std::shared_ptr<const detail::private_key_impl> impl_;
  crypto::public_key public_;
};

}  // namespace converge::crypto
