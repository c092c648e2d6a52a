#pragma once
// Internal to the crypto module: each key type implements these two small
// interfaces in its own file (ed25519_key.cpp, secp256k1_key.cpp,
// ecdsa_key.cpp, rsa_key.cpp); keys.cpp dispatches on key_type.
//
// Contracts shared by every implementation:
// - raw() is the spec's `Data` encoding for that type, byte for byte.
// - *_from_raw() validates completely (length, DER, curve point, size bounds)
//   and fails with crypto_errc::invalid_key / key_too_small / key_too_large.
// - verify() never throws and returns false for any malformed signature.
// - Implementations are immutable after construction, so shared between threads.
#include <memory>

#include "base/bytes.hpp"
#include "base/rng.hpp"
#include "crypto/errors.hpp"
#include "crypto/key_type.hpp"

namespace converge::crypto::detail {

class public_key_impl {
 public:
  virtual ~public_key_impl() = default;
  [[nodiscard]] virtual key_type type() const = 0;
  [[nodiscard]] virtual const bytes& raw() const = 0;
  [[nodiscard]] virtual bool verify(bytes_view msg, bytes_view sig) const = 0;
};

class private_key_impl {
 public:
  virtual ~private_key_impl() = default;
  [[nodiscard]] virtual key_type type() const = 0;
  [[nodiscard]] virtual bytes raw() const = 0;  // secret: callers wipe copies they keep
  [[nodiscard]] virtual result<bytes> sign(bytes_view msg) const = 0;
  [[nodiscard]] virtual std::shared_ptr<const public_key_impl> public_key() const = 0;
};

using public_ptr = std::shared_ptr<const public_key_impl>;
using private_ptr = std::shared_ptr<const private_key_impl>;

// RSA modulus bounds (spec: refuse < 2048; go-libp2p and js-libp2p cap at 8192).
inline constexpr unsigned min_rsa_bits = 2048;
inline constexpr unsigned max_rsa_bits = 8192;

result<public_ptr> ed25519_public_from_raw(bytes_view data);
result<private_ptr> ed25519_private_from_raw(bytes_view data);
private_ptr ed25519_generate(rng& r);

result<public_ptr> secp256k1_public_from_raw(bytes_view data);
result<private_ptr> secp256k1_private_from_raw(bytes_view data);
private_ptr secp256k1_generate(rng& r);

result<public_ptr> ecdsa_public_from_raw(bytes_view data);
result<private_ptr> ecdsa_private_from_raw(bytes_view data);
result<private_ptr> ecdsa_generate();  // P-256, OpenSSL's CSPRNG

result<public_ptr> rsa_public_from_raw(bytes_view data);
result<private_ptr> rsa_private_from_raw(bytes_view data);
result<private_ptr> rsa_generate(unsigned bits);  // OpenSSL's CSPRNG

// SHA-256 of msg (libsodium), for the ECDSA-style signers.
std::array<std::uint8_t, 32> sha256(bytes_view msg);

}  // namespace converge::crypto::detail
