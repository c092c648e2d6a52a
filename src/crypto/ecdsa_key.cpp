// ECDSA (NIST curves) via OpenSSL 3. Data encodings, as the peer-ids spec's
// test vectors and go-libp2p have them: public = DER SubjectPublicKeyInfo
// (id-ecPublicKey, named curve, uncompressed point); private = DER SEC1
// ECPrivateKey (RFC 5915) with the named curve and the public key.
// Signatures: ECDSA over SHA-256(msg), DER encoded.
//
// P-256 is what we generate; P-384 and P-521 keys parse too (go-libp2p and
// js-libp2p accept all three). Note: js-libp2p (@libp2p/crypto) writes a
// non-standard ECDSA public key structure and raw r||s signatures; we follow
// the spec and go-libp2p, so ECDSA keys do not interoperate with js-libp2p.
#include <openssl/core_names.h>
#include <openssl/ec.h>

#include <array>
#include <cstring>

#include "crypto/key_impl.hpp"
#include "crypto/ossl.hpp"

namespace converge::crypto::detail {
namespace {

// Public key DER for P-521 is 158 bytes, private 223; these leave room.
constexpr std::size_t max_public_der = 256;
constexpr std::size_t max_private_der = 512;

bool allowed_curve(EVP_PKEY* k, std::string& name) {
  std::array<char, 64> buf{};
  std::size_t len = 0;
  if (EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, buf.data(), buf.size(), &len) != 1) {
    ossl_clear_errors();
    name = "explicit parameters";
    return false;
  }
  name.assign(buf.data(), len);
  return name == "prime256v1" || name == "secp384r1" || name == "secp521r1";
}

class ecdsa_public final : public public_key_impl {
 public:
  ecdsa_public(pkey_ptr k, bytes raw) : key_(std::move(k)), raw_(std::move(raw)) {}
  key_type type() const override { return key_type::ecdsa; }
  const bytes& raw() const override { return raw_; }
  bool verify(bytes_view msg, bytes_view sig) const override { return digest_verify_sha256(key_.get(), msg, sig); }

 private:
  pkey_ptr key_;
  bytes raw_;
};

class ecdsa_private final : public private_key_impl {
 public:
  ecdsa_private(pkey_ptr k, public_ptr pub) : key_(std::move(k)), pub_(std::move(pub)) {}
  key_type type() const override { return key_type::ecdsa; }
  bytes raw() const override { return encode_private_der(key_.get()); }
  result<bytes> sign(bytes_view msg) const override { return digest_sign_sha256(key_.get(), msg); }
  public_ptr public_key() const override { return pub_; }

 private:
  pkey_ptr key_;
  public_ptr pub_;
};

result<public_ptr> public_of(EVP_PKEY* k) {
  // Always the uncompressed point, whatever form the private key carried.
  if (EVP_PKEY_set_utf8_string_param(k, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
                                     const_cast<char*>(OSSL_PKEY_EC_POINT_CONVERSION_FORMAT_UNCOMPRESSED)) != 1)
    return fail(crypto_errc::invalid_key, ossl_error("ECDSA: cannot select the uncompressed point form"));
  bytes spki = encode_spki(k);
  if (spki.empty()) return fail(crypto_errc::invalid_key, ossl_error("ECDSA: cannot encode the public key"));
  auto parsed = parse_spki(spki, "ECDSA public key");
  if (!parsed) return fail(parsed.error());
  return std::make_shared<ecdsa_public>(std::move(*parsed), std::move(spki));
}

}  // namespace

result<public_ptr> ecdsa_public_from_raw(bytes_view data) {
  if (data.size() > max_public_der)
    return fail(crypto_errc::invalid_key, "ECDSA public key DER over " + std::to_string(max_public_der) + " bytes");
  auto k = parse_spki(data, "ECDSA public key");
  if (!k) return fail(k.error());
  if (EVP_PKEY_get_base_id(k->get()) != EVP_PKEY_EC)
    return fail(crypto_errc::invalid_key, "ECDSA public key: the SubjectPublicKeyInfo is not an EC key");
  std::string curve;
  if (!allowed_curve(k->get(), curve))
    return fail(crypto_errc::invalid_key, "ECDSA public key: unsupported curve (" + curve + ")");
  // DER is unique, so re-encoding catches BER leniency and compressed points.
  auto canonical = public_of(k->get());
  if (!canonical) return fail(canonical.error());
  if (!equal((*canonical)->raw(), data))
    return fail(crypto_errc::invalid_key, "ECDSA public key is not canonical DER with an uncompressed point");
  return canonical;
}

result<private_ptr> ecdsa_private_from_raw(bytes_view data) {
  if (data.size() > max_private_der)
    return fail(crypto_errc::invalid_key, "ECDSA private key DER over " + std::to_string(max_private_der) + " bytes");
  auto k = parse_private_der(EVP_PKEY_EC, data, "ECDSA private key (SEC1)");
  if (!k) return fail(k.error());
  std::string curve;
  if (!allowed_curve(k->get(), curve))
    return fail(crypto_errc::invalid_key, "ECDSA private key: unsupported curve (" + curve + ")");
  {
    // The embedded public key must be the private scalar's.
    std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(EVP_PKEY_CTX_new(k->get(), nullptr),
                                                                     &EVP_PKEY_CTX_free);
    if (!ctx || EVP_PKEY_pairwise_check(ctx.get()) != 1)
      return fail(crypto_errc::invalid_key, ossl_error("ECDSA private key: public key does not match the private key"));
  }
  auto pub = public_of(k->get());
  if (!pub) return fail(pub.error());
  return std::make_shared<ecdsa_private>(std::move(*k), std::move(*pub));
}

result<private_ptr> ecdsa_generate() {
  pkey_ptr k(EVP_EC_gen("P-256"));
  if (!k) return fail(crypto_errc::invalid_key, ossl_error("ECDSA P-256 key generation failed"));
  auto pub = public_of(k.get());
  if (!pub) return fail(pub.error());
  return std::make_shared<ecdsa_private>(std::move(k), std::move(*pub));
}

}  // namespace converge::crypto::detail
