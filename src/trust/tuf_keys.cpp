#include "trust/tuf_keys.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <sodium.h>

#include "trust/canonical_json.hpp"
#include "trust/json_fields.hpp"

namespace converge::trust::tuf {
namespace {

std::unexpected<error> key_error(std::string_view path, std::string_view problem) {
  return fail(trust_errc::invalid_key, std::string(path) + ": " + std::string(problem));
}

// Loads a PEM SubjectPublicKeyInfo and checks it is the kind the scheme needs.
result<public_key> load_pem(public_key k, const std::string& pem, std::string_view path) {
  if (pem.size() > max_pem_bytes) return key_error(path, "keyval.public PEM is too large");
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  if (!bio) return fail(trust_errc::crypto_failure, "BIO_new_mem_buf failed");
  EVP_PKEY* raw = PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
  if (raw == nullptr) return key_error(path, "keyval.public is not a PEM public key");
  std::shared_ptr<evp_pkey_st> pkey(raw, EVP_PKEY_free);
  if (k.scheme == key_scheme::ecdsa_sha2_nistp256) {
    char group[64] = {};
    std::size_t len = 0;
    if (!EVP_PKEY_is_a(raw, "EC") ||
        EVP_PKEY_get_utf8_string_param(raw, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &len) != 1 ||
        std::string_view(group, len) != "prime256v1")
      return key_error(path, "ecdsa-sha2-nistp256 needs a P-256 EC public key");
  } else {
    if (!EVP_PKEY_is_a(raw, "RSA")) return key_error(path, "rsassa-pss-sha256 needs an RSA public key");
    if (EVP_PKEY_get_bits(raw) < 2048) return key_error(path, "RSA key is shorter than 2048 bits");
  }
  unsigned char* der = nullptr;
  int der_len = i2d_PUBKEY(raw, &der);
  if (der_len <= 0) return fail(trust_errc::crypto_failure, "i2d_PUBKEY failed");
  k.material.assign(der, der + der_len);
  OPENSSL_free(der);
  k.evp = std::move(pkey);
  return k;
}

result<void> verify_evp(const public_key& key, bytes_view msg, bytes_view sig) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_PKEY_CTX* pctx = nullptr;
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), &pctx, EVP_sha256(), nullptr, key.evp.get()) != 1)
    return fail(trust_errc::crypto_failure, "EVP_DigestVerifyInit failed");
  if (key.scheme == key_scheme::rsassa_pss_sha256) {
    if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) != 1 ||
        EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_AUTO) != 1)
      return fail(trust_errc::crypto_failure, "cannot configure RSA-PSS");
  }
  if (EVP_DigestVerify(ctx.get(), sig.data(), sig.size(), msg.data(), msg.size()) != 1)
    return fail(trust_errc::invalid_signature, "signature by key " + key.keyid + " does not verify");
  return ok();
}

}  // namespace

result<std::string> compute_keyid(const nlohmann::json& key_object) {
  auto c = encode_canonical(key_object);
  if (!c) return fail(c.error());
  std::array<std::uint8_t, crypto_hash_sha256_BYTES> h;
  crypto_hash_sha256(h.data(), reinterpret_cast<const unsigned char*>(c->data()), c->size());
  return to_hex(h);
}

result<public_key> parse_public_key(const nlohmann::json& obj, std::string_view path) {
  auto keytype = require_string(obj, "keytype", path);
  if (!keytype) return fail(keytype.error());
  auto scheme = require_string(obj, "scheme", path);
  if (!scheme) return fail(scheme.error());
  auto keyval = require_object(obj, "keyval", path);
  if (!keyval) return fail(keyval.error());
  auto pub = require_string(**keyval, "public", field_path(path, "keyval"));
  if (!pub) return fail(pub.error());
  if ((*keyval)->contains("private")) {
    const auto& priv = (**keyval)["private"];
    if (!priv.is_string() || !priv.get_ref<const std::string&>().empty())
      return key_error(path, "keyval.private must not be published");
  }

  public_key k;
  k.object = obj;
  auto id = compute_keyid(obj);
  if (!id) return fail(trust_errc::invalid_key, std::string(path) + ": " + id.error().detail);
  k.keyid = *id;
  if (*keytype == "ed25519" && *scheme == "ed25519") {
    k.scheme = key_scheme::ed25519;
    auto raw = from_hex(*pub);
    if (!raw || raw->size() != 32 || *pub != to_hex(*raw))
      return key_error(path, "keyval.public must be 64 lower-case hex characters");
    k.material = std::move(*raw);
    return k;
  }
  if ((*keytype == "ecdsa" || *keytype == "ecdsa-sha2-nistp256") && *scheme == "ecdsa-sha2-nistp256") {
    k.scheme = key_scheme::ecdsa_sha2_nistp256;
    return load_pem(std::move(k), *pub, path);
  }
  if (*keytype == "rsa" && *scheme == "rsassa-pss-sha256") {
    k.scheme = key_scheme::rsassa_pss_sha256;
    return load_pem(std::move(k), *pub, path);
  }
  return key_error(path, "unsupported keytype/scheme \"" + *keytype + "\"/\"" + *scheme + "\"");
}

public_key ed25519_public_key(std::span<const std::uint8_t, 32> raw) {
  public_key k;
  k.scheme = key_scheme::ed25519;
  k.material.assign(raw.begin(), raw.end());
  k.object = {{"keytype", "ed25519"}, {"scheme", "ed25519"}, {"keyval", {{"public", to_hex(raw)}}}};
  k.keyid = compute_keyid(k.object).value();  // cannot fail: a fixed ASCII object
  return k;
}

result<void> verify_signature(const public_key& key, bytes_view msg, bytes_view sig) {
  switch (key.scheme) {
    case key_scheme::ed25519:
      if (sig.size() != crypto_sign_BYTES || key.material.size() != crypto_sign_PUBLICKEYBYTES)
        return fail(trust_errc::invalid_signature, "Ed25519 signature by key " + key.keyid + " is not 64 bytes");
      if (crypto_sign_verify_detached(sig.data(), msg.data(), msg.size(), key.material.data()) != 0)
        return fail(trust_errc::invalid_signature, "signature by key " + key.keyid + " does not verify");
      return ok();
    case key_scheme::ecdsa_sha2_nistp256:
    case key_scheme::rsassa_pss_sha256:
      if (!key.evp) return fail(trust_errc::invalid_key, "key " + key.keyid + " has no loaded public key");
      return verify_evp(key, msg, sig);
  }
  return fail(trust_errc::invalid_key, "unknown scheme");
}

ed25519_signer::ed25519_signer(std::span<const std::uint8_t, 32> seed) {
  std::array<std::uint8_t, 32> pk;
  crypto_sign_seed_keypair(pk.data(), secret_.data(), seed.data());
  key_ = ed25519_public_key(pk);
}

ed25519_signer::~ed25519_signer() { sodium_memzero(secret_.data(), secret_.size()); }

std::array<std::uint8_t, 64> ed25519_signer::sign(bytes_view msg) const {
  std::array<std::uint8_t, 64> sig;
  crypto_sign_detached(sig.data(), nullptr, msg.data(), msg.size(), secret_.data());
  return sig;
}

}  // namespace converge::trust::tuf
