#include "crypto/ossl.hpp"

#include <openssl/err.h>
#include <openssl/x509.h>

#include <climits>

namespace converge::crypto::detail {

void ossl_clear_errors() { ERR_clear_error(); }

std::string ossl_error(std::string_view what) {
  std::string out(what);
  unsigned long e = ERR_get_error();
  if (e != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    out += ": ";
    out += buf;
  }
  ERR_clear_error();
  return out;
}

result<pkey_ptr> parse_spki(bytes_view der, std::string_view what) {
  if (der.empty() || der.size() > INT_MAX) return fail(crypto_errc::invalid_key, std::string(what) + ": empty");
  const unsigned char* p = der.data();
  pkey_ptr k(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
  if (!k) return fail(crypto_errc::invalid_key, ossl_error(std::string(what) + ": not a DER SubjectPublicKeyInfo"));
  if (p != der.data() + der.size())
    return fail(crypto_errc::invalid_key, std::string(what) + ": trailing bytes after the DER structure");
  return k;
}

result<pkey_ptr> parse_private_der(int evp_type, bytes_view der, std::string_view what) {
  if (der.empty() || der.size() > INT_MAX) return fail(crypto_errc::invalid_key, std::string(what) + ": empty");
  const unsigned char* p = der.data();
  pkey_ptr k(d2i_PrivateKey(evp_type, nullptr, &p, static_cast<long>(der.size())));
  if (!k) return fail(crypto_errc::invalid_key, ossl_error(std::string(what) + ": not a valid DER private key"));
  if (p != der.data() + der.size())
    return fail(crypto_errc::invalid_key, std::string(what) + ": trailing bytes after the DER structure");
  return k;
}

bytes encode_spki(EVP_PKEY* k) {
  int n = i2d_PUBKEY(k, nullptr);
  if (n <= 0) return {};
  bytes out(static_cast<std::size_t>(n));
  unsigned char* p = out.data();
  i2d_PUBKEY(k, &p);
  return out;
}

bytes encode_private_der(EVP_PKEY* k) {
  int n = i2d_PrivateKey(k, nullptr);
  if (n <= 0) return {};
  bytes out(static_cast<std::size_t>(n));
  unsigned char* p = out.data();
  i2d_PrivateKey(k, &p);
  return out;
}

namespace {
struct md_ctx_free {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using md_ctx_ptr = std::unique_ptr<EVP_MD_CTX, md_ctx_free>;
}  // namespace

result<bytes> digest_sign_sha256(EVP_PKEY* k, bytes_view msg) {
  md_ctx_ptr ctx(EVP_MD_CTX_new());
  std::size_t len = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, k) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, msg.data(), msg.size()) != 1)
    return fail(crypto_errc::signing_failed, ossl_error("EVP_DigestSign"));
  bytes sig(len);
  if (EVP_DigestSign(ctx.get(), sig.data(), &len, msg.data(), msg.size()) != 1)
    return fail(crypto_errc::signing_failed, ossl_error("EVP_DigestSign"));
  sig.resize(len);
  return sig;
}

bool digest_verify_sha256(EVP_PKEY* k, bytes_view msg, bytes_view sig) {
  md_ctx_ptr ctx(EVP_MD_CTX_new());
  bool ok = ctx && !sig.empty() && EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, k) == 1 &&
            EVP_DigestVerify(ctx.get(), sig.data(), sig.size(), msg.data(), msg.size()) == 1;
  ERR_clear_error();
  return ok;
}

}  // namespace converge::crypto::detail
