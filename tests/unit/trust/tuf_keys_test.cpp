#include "trust/tuf_keys.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "trust/canonical_json.hpp"
#include "tuf_test_util.hpp"

using namespace converge;
using namespace converge::trust;
using namespace converge::trust::tuf;

namespace {

struct evp_key {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey{nullptr, EVP_PKEY_free};
  std::string pem() const {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
    PEM_write_bio_PUBKEY(bio.get(), pkey.get());
    char* data = nullptr;
    long n = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(n));
  }
  bytes sign(bytes_view msg, bool pss) const {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    EVP_PKEY_CTX* pctx = nullptr;
    EVP_DigestSignInit(ctx.get(), &pctx, EVP_sha256(), nullptr, pkey.get());
    if (pss) {
      EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
      EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST);
    }
    std::size_t len = 0;
    EVP_DigestSign(ctx.get(), nullptr, &len, msg.data(), msg.size());
    bytes sig(len);
    EVP_DigestSign(ctx.get(), sig.data(), &len, msg.data(), msg.size());
    sig.resize(len);
    return sig;
  }
};

evp_key ec_key() { return {{EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"), EVP_PKEY_free}}; }
evp_key rsa_key(std::size_t bits) { return {{EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", bits), EVP_PKEY_free}}; }

}  // namespace

TEST(tuf_keys, ed25519_keyid_is_sha256_of_canonical_key) {
  auto s = test_util::signer(1);
  const auto& k = s->key();
  auto canon = encode_canonical(k.object).value();
  EXPECT_EQ(canon.substr(0, 40), "{\"keytype\":\"ed25519\",\"keyval\":{\"public\":");
  EXPECT_EQ(k.keyid.size(), 64u);
  EXPECT_EQ(compute_keyid(k.object).value(), k.keyid);
  auto parsed = parse_public_key(k.object, "k").value();
  EXPECT_EQ(parsed.keyid, k.keyid);
  EXPECT_EQ(parsed.material, k.material);
}

TEST(tuf_keys, ed25519_sign_and_verify) {
  auto s = test_util::signer(2);
  auto sig = s->sign(as_bytes("hello"));
  EXPECT_TRUE(verify_signature(s->key(), as_bytes("hello"), sig));
  auto bad = verify_signature(s->key(), as_bytes("hellO"), sig);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, trust_errc::invalid_signature);
  EXPECT_FALSE(verify_signature(s->key(), as_bytes("hello"), bytes(63, 0)));
}

TEST(tuf_keys, ecdsa_p256_verification) {
  auto k = ec_key();
  nlohmann::json obj = {{"keytype", "ecdsa"}, {"scheme", "ecdsa-sha2-nistp256"}, {"keyval", {{"public", k.pem()}}}};
  auto pk = parse_public_key(obj, "root.keys.x").value();
  EXPECT_EQ(pk.scheme, key_scheme::ecdsa_sha2_nistp256);
  auto sig = k.sign(as_bytes("msg"), false);
  EXPECT_TRUE(verify_signature(pk, as_bytes("msg"), sig));
  EXPECT_FALSE(verify_signature(pk, as_bytes("msh"), sig));
  EXPECT_FALSE(verify_signature(pk, as_bytes("msg"), bytes(sig.begin(), sig.end() - 1)));
  // The older keytype spelling is accepted too.
  obj["keytype"] = "ecdsa-sha2-nistp256";
  EXPECT_TRUE(parse_public_key(obj, "k"));
}

TEST(tuf_keys, rsa_pss_sha256_verification) {
  auto k = rsa_key(2048);
  nlohmann::json obj = {{"keytype", "rsa"}, {"scheme", "rsassa-pss-sha256"}, {"keyval", {{"public", k.pem()}}}};
  auto pk = parse_public_key(obj, "k").value();
  auto sig = k.sign(as_bytes("msg"), true);
  EXPECT_TRUE(verify_signature(pk, as_bytes("msg"), sig));
  EXPECT_FALSE(verify_signature(pk, as_bytes("other"), sig));
  // PKCS#1 v1.5 signatures are not PSS signatures.
  auto v15 = k.sign(as_bytes("msg"), false);
  EXPECT_FALSE(verify_signature(pk, as_bytes("msg"), v15));
}

TEST(tuf_keys, scheme_and_key_type_must_agree) {
  auto ec = ec_key();
  auto rsa = rsa_key(2048);
  auto ed = test_util::signer(3);
  // An RSA PEM claiming to be ECDSA, an EC PEM claiming to be RSA.
  nlohmann::json a = {{"keytype", "ecdsa"}, {"scheme", "ecdsa-sha2-nistp256"}, {"keyval", {{"public", rsa.pem()}}}};
  nlohmann::json b = {{"keytype", "rsa"}, {"scheme", "rsassa-pss-sha256"}, {"keyval", {{"public", ec.pem()}}}};
  EXPECT_FALSE(parse_public_key(a, "k"));
  EXPECT_FALSE(parse_public_key(b, "k"));
  // Mismatched keytype/scheme pairs and unknown schemes.
  auto c = ed->key().object;
  c["scheme"] = "ecdsa-sha2-nistp256";
  auto err = parse_public_key(c, "root.keys.abc");
  ASSERT_FALSE(err);
  EXPECT_EQ(err.error().code, trust_errc::invalid_key);
  EXPECT_NE(err.error().detail.find("root.keys.abc"), std::string::npos);
  auto d = ed->key().object;
  d["keytype"] = "rsa";
  d["scheme"] = "rsassa-pss-sha512";
  EXPECT_FALSE(parse_public_key(d, "k"));
  // Ed25519 public key must be 32 bytes of lower-case hex.
  auto e = ed->key().object;
  e["keyval"]["public"] = "abcd";
  EXPECT_FALSE(parse_public_key(e, "k"));
  auto f = ed->key().object;
  std::string upper = f["keyval"]["public"];
  for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  f["keyval"]["public"] = upper;
  EXPECT_FALSE(parse_public_key(f, "k"));
  // Short RSA keys are refused.
  auto small = rsa_key(1024);
  nlohmann::json g = {{"keytype", "rsa"}, {"scheme", "rsassa-pss-sha256"}, {"keyval", {{"public", small.pem()}}}};
  EXPECT_FALSE(parse_public_key(g, "k"));
  // A published private key is refused.
  auto h = ed->key().object;
  h["keyval"]["private"] = "00";
  EXPECT_FALSE(parse_public_key(h, "k"));
}

TEST(tuf_keys, unrecognised_fields_change_the_keyid) {
  auto ed = test_util::signer(4);
  auto obj = ed->key().object;
  obj["keyid_hash_algorithms"] = {"sha256", "sha512"};
  auto k = parse_public_key(obj, "k").value();
  EXPECT_NE(k.keyid, ed->key().keyid);
  EXPECT_EQ(k.material, ed->key().material);
}
