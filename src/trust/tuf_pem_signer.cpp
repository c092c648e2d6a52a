#include "trust/tuf_pem_signer.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

namespace converge::trust::tuf {
namespace {

using bio_ptr = std::unique_ptr<BIO, decltype(&BIO_free)>;

std::unexpected<error> crypto_error(std::string_view what) {
  return fail(trust_errc::crypto_failure, std::string(what) + " failed");
}

result<std::string> bio_text(BIO* bio) {
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  if (len <= 0 || data == nullptr) return crypto_error("reading a memory BIO");
  return std::string(data, static_cast<std::size_t>(len));
}

}  // namespace

std::string_view scheme_name(key_scheme scheme) {
  switch (scheme) {
    case key_scheme::ed25519: return "ed25519";
    case key_scheme::ecdsa_sha2_nistp256: return "ecdsa-sha2-nistp256";
    case key_scheme::rsassa_pss_sha256: return "rsassa-pss-sha256";
  }
  return "unknown";
}

result<key_scheme> parse_scheme_name(std::string_view name) {
  for (auto s : {key_scheme::ed25519, key_scheme::ecdsa_sha2_nistp256, key_scheme::rsassa_pss_sha256})
    if (scheme_name(s) == name) return s;
  return fail(trust_errc::invalid_key, "unknown signature scheme \"" + std::string(name) +
                                           "\" (ed25519, ecdsa-sha2-nistp256 or rsassa-pss-sha256)");
}

result<std::unique_ptr<pem_signer>> pem_signer::wrap(key_scheme scheme, std::shared_ptr<evp_pkey_st> pkey) {
  bio_ptr bio(BIO_new(BIO_s_mem()), BIO_free);
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), pkey.get()) != 1) return crypto_error("PEM_write_bio_PUBKEY");
  auto pem = bio_text(bio.get());
  if (!pem) return fail(pem.error());
  const bool ec = scheme == key_scheme::ecdsa_sha2_nistp256;
  nlohmann::json object = {{"keytype", ec ? "ecdsa" : "rsa"},
                           {"scheme", scheme_name(scheme)},
                           {"keyval", {{"public", *pem}}}};
  // parse_public_key checks the curve or the RSA size and fills key ID and material.
  auto pub = parse_public_key(object, "private key");
  if (!pub) return fail(pub.error());
  std::unique_ptr<pem_signer> s(new pem_signer(std::move(pkey)));
  s->key_ = std::move(*pub);
  return s;
}

result<std::unique_ptr<pem_signer>> pem_signer::generate(key_scheme scheme, unsigned rsa_bits) {
  EVP_PKEY* raw = nullptr;
  switch (scheme) {
    case key_scheme::ed25519:
      return fail(trust_errc::invalid_key, "Ed25519 keys are made by ed25519_signer");
    case key_scheme::ecdsa_sha2_nistp256:
      raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
      break;
    case key_scheme::rsassa_pss_sha256:
      if (rsa_bits < 2048) return fail(trust_errc::invalid_key, "RSA keys must have at least 2048 bits");
      raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(rsa_bits));
      break;
  }
  if (raw == nullptr) return crypto_error("EVP_PKEY_Q_keygen");
  return wrap(scheme, std::shared_ptr<evp_pkey_st>(raw, EVP_PKEY_free));
}

result<std::unique_ptr<pem_signer>> pem_signer::from_pem(key_scheme scheme, std::string_view private_pem) {
  if (scheme == key_scheme::ed25519) return fail(trust_errc::invalid_key, "Ed25519 keys are made by ed25519_signer");
  if (private_pem.size() > max_pem_bytes) return fail(trust_errc::invalid_key, "private key PEM is too large");
  bio_ptr bio(BIO_new_mem_buf(private_pem.data(), static_cast<int>(private_pem.size())), BIO_free);
  if (!bio) return crypto_error("BIO_new_mem_buf");
  EVP_PKEY* raw = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  if (raw == nullptr) return fail(trust_errc::invalid_key, "not an unencrypted PEM private key");
  auto s = wrap(scheme, std::shared_ptr<evp_pkey_st>(raw, EVP_PKEY_free));
  if (!s) return s;
  // A file may carry a public key that is not the private key's (PKCS#8 keeps
  // both): sign once and check, so such a key is refused here rather than
  // producing signatures nobody accepts.
  static constexpr std::string_view probe = "converge key check";
  auto sig = (*s)->sign_message(as_bytes(probe));
  if (!sig || !verify_signature((*s)->key(), as_bytes(probe), *sig))
    return fail(trust_errc::invalid_key, "the private key does not match the public key in the same file");
  return s;
}

result<bytes> pem_signer::sign_message(bytes_view msg) const {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_PKEY_CTX* pctx = nullptr;
  if (!ctx || EVP_DigestSignInit(ctx.get(), &pctx, EVP_sha256(), nullptr, pkey_.get()) != 1)
    return crypto_error("EVP_DigestSignInit");
  if (key_.scheme == key_scheme::rsassa_pss_sha256 &&
      (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
       EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) != 1 ||
       EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1))
    return crypto_error("configuring RSA-PSS");
  std::size_t len = 0;
  if (EVP_DigestSign(ctx.get(), nullptr, &len, msg.data(), msg.size()) != 1) return crypto_error("EVP_DigestSign");
  bytes sig(len);
  if (EVP_DigestSign(ctx.get(), sig.data(), &len, msg.data(), msg.size()) != 1) return crypto_error("EVP_DigestSign");
  sig.resize(len);
  return sig;
}

result<std::string> pem_signer::private_pem() const {
  bio_ptr bio(BIO_new(BIO_s_mem()), BIO_free);
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), pkey_.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
    return crypto_error("PEM_write_bio_PrivateKey");
  return bio_text(bio.get());
}

}  // namespace converge::trust::tuf
