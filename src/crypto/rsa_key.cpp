// RSA via OpenSSL 3. Data encodings (peer-ids spec): public = DER
// SubjectPublicKeyInfo (PKIX, rsaEncryption); private = DER PKCS#1
// RSAPrivateKey. Signatures: RSASSA-PKCS1-v1_5 with SHA-256.
// Moduli under 2048 bits are refused (spec), over 8192 too (go-libp2p,
// js-libp2p), before any expensive work.
#include <openssl/rsa.h>

#include "crypto/key_impl.hpp"
#include "crypto/ossl.hpp"

namespace converge::crypto::detail {
namespace {

// An 8192-bit key's SPKI is ~1062 bytes and its PKCS#1 ~4.7 KB.
constexpr std::size_t max_public_der = 1100;
constexpr std::size_t max_private_der = 4900;

result<void> check_rsa(EVP_PKEY* k, std::string_view what) {
  if (EVP_PKEY_get_base_id(k) != EVP_PKEY_RSA)
    return fail(crypto_errc::invalid_key, std::string(what) + ": not an rsaEncryption key");
  int bits = EVP_PKEY_get_bits(k);
  if (bits < static_cast<int>(min_rsa_bits))
    return fail(crypto_errc::key_too_small, std::string(what) + ": " + std::to_string(bits) +
                                                " bits, at least " + std::to_string(min_rsa_bits) + " required");
  if (bits > static_cast<int>(max_rsa_bits))
    return fail(crypto_errc::key_too_large, std::string(what) + ": " + std::to_string(bits) +
                                                " bits, at most " + std::to_string(max_rsa_bits) + " allowed");
  return ok();
}

class rsa_public final : public public_key_impl {
 public:
  rsa_public(pkey_ptr k, bytes raw) : key_(std::move(k)), raw_(std::move(raw)) {}
  key_type type() const override { return key_type::rsa; }
  const bytes& raw() const override { return raw_; }
  bool verify(bytes_view msg, bytes_view sig) const override { return digest_verify_sha256(key_.get(), msg, sig); }

 private:
  pkey_ptr key_;
  bytes raw_;
};

class rsa_private final : public private_key_impl {
 public:
  rsa_private(pkey_ptr k, public_ptr pub) : key_(std::move(k)), pub_(std::move(pub)) {}
  key_type type() const override { return key_type::rsa; }
  bytes raw() const override { return encode_private_der(key_.get()); }
  result<bytes> sign(bytes_view msg) const override { return digest_sign_sha256(key_.get(), msg); }
  public_ptr public_key() const override { return pub_; }

 private:
  pkey_ptr key_;
  public_ptr pub_;
};

result<private_ptr> wrap_private(pkey_ptr k) {
  bytes spki = encode_spki(k.get());
  if (spki.empty()) return fail(crypto_errc::invalid_key, ossl_error("RSA: cannot encode the public key"));
  auto pub = parse_spki(spki, "RSA public key");
  if (!pub) return fail(pub.error());
  auto p = std::make_shared<rsa_public>(std::move(*pub), std::move(spki));
  return std::make_shared<rsa_private>(std::move(k), std::move(p));
}

}  // namespace

result<public_ptr> rsa_public_from_raw(bytes_view data) {
  if (data.size() > max_public_der)
    return fail(crypto_errc::key_too_large, "RSA public key DER over " + std::to_string(max_public_der) + " bytes");
  auto k = parse_spki(data, "RSA public key");
  if (!k) return fail(k.error());
  if (auto c = check_rsa(k->get(), "RSA public key"); !c) return fail(c.error());
  if (!equal(encode_spki(k->get()), data))
    return fail(crypto_errc::invalid_key, "RSA public key is not canonical DER");
  return std::make_shared<rsa_public>(std::move(*k), to_bytes(data));
}

result<private_ptr> rsa_private_from_raw(bytes_view data) {
  if (data.size() > max_private_der)
    return fail(crypto_errc::key_too_large, "RSA private key DER over " + std::to_string(max_private_der) + " bytes");
  auto k = parse_private_der(EVP_PKEY_RSA, data, "RSA private key (PKCS#1)");
  if (!k) return fail(k.error());
  if (auto c = check_rsa(k->get(), "RSA private key"); !c) return fail(c.error());
  auto key = wrap_private(std::move(*k));
  if (!key) return key;
  // PKCS#1 carries n, e and d side by side, and nothing ties them together:
  // a corrupted file would load and then sign garbage. One sign-and-verify
  // proves the key works (cheaper than OpenSSL's primality-testing check).
  static constexpr std::uint8_t probe[] = {'c', 'o', 'n', 'v', 'e', 'r', 'g', 'e'};
  auto sig = (*key)->sign(probe);
  if (!sig || !(*key)->public_key()->verify(probe, *sig))
    return fail(crypto_errc::invalid_key, "RSA private key is inconsistent: its signatures do not verify");
  return key;
}

result<private_ptr> rsa_generate(unsigned bits) {
  if (bits < min_rsa_bits || bits > max_rsa_bits)
    return fail(crypto_errc::invalid_argument, "RSA key size must be " + std::to_string(min_rsa_bits) + ".." +
                                                   std::to_string(max_rsa_bits) + " bits, got " + std::to_string(bits));
  pkey_ptr k(EVP_RSA_gen(bits));
  if (!k) return fail(crypto_errc::invalid_key, ossl_error("RSA key generation failed"));
  return wrap_private(std::move(k));
}

}  // namespace converge::crypto::detail
