// Secp256k1 via libsecp256k1. Data encodings (peer-ids spec, "standard
// Bitcoin EC encoding"): public = 33-byte compressed point, private = the
// 32-byte scalar. Signatures: ECDSA over SHA-256(msg), DER encoded (BIP 62).
// Signing is RFC 6979 deterministic and always low-S; verification also
// accepts high-S signatures (normalised first), as go-libp2p does.
#include <secp256k1.h>
#include <sodium.h>

#include <array>

#include "crypto/key_impl.hpp"

namespace converge::crypto::detail {
namespace {

// One context for the process, randomised once against side channels; after
// that it is only read, which libsecp256k1 allows from many threads.
const secp256k1_context* context() {
  static secp256k1_context* ctx = [] {
    secp256k1_context* c = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    std::array<std::uint8_t, 32> seed{};
    randombytes_buf(seed.data(), seed.size());
    [[maybe_unused]] int ok = secp256k1_context_randomize(c, seed.data());
    return c;
  }();
  return ctx;
}

class secp256k1_public final : public public_key_impl {
 public:
  secp256k1_public(const secp256k1_pubkey& pk, bytes compressed) : pk_(pk), raw_(std::move(compressed)) {}
  key_type type() const override { return key_type::secp256k1; }
  const bytes& raw() const override { return raw_; }
  bool verify(bytes_view msg, bytes_view sig) const override {
    secp256k1_ecdsa_signature s;
    if (sig.empty() || secp256k1_ecdsa_signature_parse_der(context(), &s, sig.data(), sig.size()) != 1) return false;
    secp256k1_ecdsa_signature_normalize(context(), &s, &s);
    auto digest = sha256(msg);
    return secp256k1_ecdsa_verify(context(), &s, digest.data(), &pk_) == 1;
  }

 private:
  secp256k1_pubkey pk_;
  bytes raw_;
};

result<std::shared_ptr<const secp256k1_public>> make_public(const secp256k1_pubkey& pk) {
  bytes out(33);
  std::size_t len = out.size();
  secp256k1_ec_pubkey_serialize(context(), out.data(), &len, &pk, SECP256K1_EC_COMPRESSED);
  return std::make_shared<secp256k1_public>(pk, std::move(out));
}

class secp256k1_private final : public private_key_impl {
 public:
  secp256k1_private(const std::uint8_t* scalar, std::shared_ptr<const secp256k1_public> pub) : pub_(std::move(pub)) {
    std::copy(scalar, scalar + 32, sk_.begin());
  }
  ~secp256k1_private() override { sodium_memzero(sk_.data(), sk_.size()); }
  secp256k1_private(const secp256k1_private&) = delete;
  secp256k1_private& operator=(const secp256k1_private&) = delete;

  key_type type() const override { return key_type::secp256k1; }
  bytes raw() const override { return {sk_.begin(), sk_.end()}; }
  result<bytes> sign(bytes_view msg) const override {
    auto digest = sha256(msg);
    secp256k1_ecdsa_signature s;
    if (secp256k1_ecdsa_sign(context(), &s, digest.data(), sk_.data(), nullptr, nullptr) != 1)
      return fail(crypto_errc::signing_failed, "secp256k1_ecdsa_sign failed");
    bytes der(72);
    std::size_t len = der.size();
    if (secp256k1_ecdsa_signature_serialize_der(context(), der.data(), &len, &s) != 1)
      return fail(crypto_errc::signing_failed, "secp256k1 DER serialisation failed");
    der.resize(len);
    return der;
  }
  public_ptr public_key() const override { return pub_; }

 private:
  std::array<std::uint8_t, 32> sk_{};
  std::shared_ptr<const secp256k1_public> pub_;
};

result<private_ptr> from_scalar(const std::uint8_t* scalar) {
  if (secp256k1_ec_seckey_verify(context(), scalar) != 1)
    return fail(crypto_errc::invalid_key, "secp256k1 private key is zero or not below the group order");
  secp256k1_pubkey pk;
  if (secp256k1_ec_pubkey_create(context(), &pk, scalar) != 1)
    return fail(crypto_errc::invalid_key, "secp256k1 public key derivation failed");
  auto pub = make_public(pk);
  if (!pub) return fail(pub.error());
  return std::make_shared<secp256k1_private>(scalar, std::move(*pub));
}

}  // namespace

result<public_ptr> secp256k1_public_from_raw(bytes_view data) {
  // Only the compressed form every implementation writes: one key, one encoding,
  // so the identity peer ID of a key is unambiguous.
  if (data.size() != 33 || (data[0] != 0x02 && data[0] != 0x03))
    return fail(crypto_errc::invalid_key,
                "secp256k1 public key must be 33 bytes, compressed (0x02/0x03 prefix), got " +
                    std::to_string(data.size()) + " bytes");
  secp256k1_pubkey pk;
  if (secp256k1_ec_pubkey_parse(context(), &pk, data.data(), data.size()) != 1)
    return fail(crypto_errc::invalid_key, "secp256k1 public key is not a point on the curve");
  auto pub = make_public(pk);
  if (!pub) return fail(pub.error());
  return public_ptr(std::move(*pub));
}

result<private_ptr> secp256k1_private_from_raw(bytes_view data) {
  if (data.size() != 32)
    return fail(crypto_errc::invalid_key, "secp256k1 private key must be 32 bytes, got " + std::to_string(data.size()));
  return from_scalar(data.data());
}

private_ptr secp256k1_generate(rng& r) {
  std::array<std::uint8_t, 32> scalar{};
  for (;;) {  // a random 256-bit value is a valid scalar with probability 1 - 2^-128
    r.fill(scalar);
    auto key = from_scalar(scalar.data());
    if (key) {
      sodium_memzero(scalar.data(), scalar.size());
      return *key;
    }
  }
}

}  // namespace converge::crypto::detail
