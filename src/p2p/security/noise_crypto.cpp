#include "p2p/security/noise_crypto.hpp"

#include <openssl/evp.h>
#include <sodium.h>

#include <cstring>
#include <stdexcept>

#include "p2p/security/errors.hpp"

namespace converge::p2p::security::noise {

void ensure_sodium() {
  static const bool ready = [] {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
    return true;
  }();
  (void)ready;
}

namespace {

// Noise's nonce encoding for ChaChaPoly: 32 bits of zeros, then n little-endian.
std::array<std::uint8_t, crypto_aead_chacha20poly1305_ietf_NPUBBYTES> make_nonce(std::uint64_t n) {
  std::array<std::uint8_t, crypto_aead_chacha20poly1305_ietf_NPUBBYTES> out{};
  for (std::size_t i = 0; i < 8; ++i) out[4 + i] = static_cast<std::uint8_t>(n >> (8 * i));
  return out;
}

hash hmac(bytes_view k, bytes_view a, bytes_view b = {}) {
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, k.data(), k.size());
  crypto_auth_hmacsha256_update(&st, a.data(), a.size());
  crypto_auth_hmacsha256_update(&st, b.data(), b.size());
  hash out{};
  crypto_auth_hmacsha256_final(&st, out.data());
  sodium_memzero(&st, sizeof st);
  return out;
}

// ChaCha20-Poly1305 (RFC 8439) through OpenSSL's EVP: on this project's
// machines it runs at about twice libsodium 1.0.18's rate (AVX-512 code paths;
// bench/p2p/host_bench.sh prints both). One context per thread, reused; a
// call sets key and nonce, so no state is shared between cipher_states.
struct evp_aead {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  EVP_CIPHER* cipher = EVP_CIPHER_fetch(nullptr, "ChaCha20-Poly1305", nullptr);
  evp_aead() {
    if (ctx == nullptr || cipher == nullptr) throw std::runtime_error("OpenSSL has no ChaCha20-Poly1305");
  }
  ~evp_aead() {
    EVP_CIPHER_free(cipher);
    EVP_CIPHER_CTX_free(ctx);
  }
  evp_aead(const evp_aead&) = delete;
  evp_aead& operator=(const evp_aead&) = delete;
};

evp_aead& aead() {
  thread_local evp_aead a;
  return a;
}

int as_int(std::size_t n) { return static_cast<int>(n); }  // callers bound n by the Noise frame size

// out may equal in (in place). Writes len bytes to out and the tag to tag.
void aead_seal(const key& k, std::span<const std::uint8_t, 12> nonce, bytes_view ad, const std::uint8_t* in,
               std::size_t len, std::uint8_t* out, std::uint8_t* tag) {
  auto& a = aead();
  int n = 0;
  bool okay = EVP_EncryptInit_ex2(a.ctx, a.cipher, k.data(), nonce.data(), nullptr) == 1 &&
              (ad.empty() || EVP_EncryptUpdate(a.ctx, nullptr, &n, ad.data(), as_int(ad.size())) == 1) &&
              (len == 0 || EVP_EncryptUpdate(a.ctx, out, &n, in, as_int(len)) == 1) &&
              EVP_EncryptFinal_ex(a.ctx, out + len, &n) == 1 &&
              EVP_CIPHER_CTX_ctrl(a.ctx, EVP_CTRL_AEAD_GET_TAG, tag_len, tag) == 1;
  if (!okay) throw std::runtime_error("OpenSSL ChaCha20-Poly1305 encryption failed");
}

// False when the tag does not match (nothing else can fail on valid sizes).
bool aead_open(const key& k, std::span<const std::uint8_t, 12> nonce, bytes_view ad, const std::uint8_t* in,
               std::size_t len, const std::uint8_t* tag, std::uint8_t* out) {
  auto& a = aead();
  int n = 0;
  std::array<std::uint8_t, tag_len> t{};
  std::memcpy(t.data(), tag, tag_len);
  if (EVP_DecryptInit_ex2(a.ctx, a.cipher, k.data(), nonce.data(), nullptr) != 1) return false;
  if (!ad.empty() && EVP_DecryptUpdate(a.ctx, nullptr, &n, ad.data(), as_int(ad.size())) != 1) return false;
  if (len > 0 && EVP_DecryptUpdate(a.ctx, out, &n, in, as_int(len)) != 1) return false;
  if (EVP_CIPHER_CTX_ctrl(a.ctx, EVP_CTRL_AEAD_SET_TAG, tag_len, t.data()) != 1) return false;
  return EVP_DecryptFinal_ex(a.ctx, out + len, &n) == 1;
}

}  // namespace

x25519_keypair x25519_keypair::generate(rng& r) {
  std::array<std::uint8_t, dh_len> secret{};
  r.fill(secret);
  auto kp = from_secret(secret);
  sodium_memzero(secret.data(), secret.size());
  return kp;
}

x25519_keypair x25519_keypair::from_secret(std::span<const std::uint8_t, dh_len> secret) {
  ensure_sodium();
  x25519_keypair kp;
  std::memcpy(kp.secret.data(), secret.data(), dh_len);
  crypto_scalarmult_base(kp.public_key.data(), kp.secret.data());
  return kp;
}

result<key> x25519_keypair::dh(std::span<const std::uint8_t, dh_len> remote_public) const {
  key out{};
  // libsodium returns -1 when the shared point is the identity (all-zero output).
  if (crypto_scalarmult(out.data(), secret.data(), remote_public.data()) != 0)
    return fail(security_errc::invalid_key, "X25519 shared secret is all zero: the remote sent a low-order public key");
  return out;
}

void x25519_keypair::wipe() { sodium_memzero(secret.data(), secret.size()); }

std::pair<key, key> hkdf2(std::span<const std::uint8_t, hash_len> chaining_key, bytes_view input_key_material) {
  hash temp_key = hmac(chaining_key, input_key_material);
  const std::uint8_t one = 0x01, two = 0x02;
  hash out1 = hmac(temp_key, bytes_view(&one, 1));
  hash out2 = hmac(temp_key, out1, bytes_view(&two, 1));
  sodium_memzero(temp_key.data(), temp_key.size());
  return {out1, out2};
}

// ---- cipher_state ----

cipher_state::cipher_state(cipher_state&& o) noexcept : k_(o.k_), has_key_(o.has_key_), n_(o.n_) {
  sodium_memzero(o.k_.data(), o.k_.size());
  o.has_key_ = false;
  o.n_ = 0;
}

cipher_state& cipher_state::operator=(cipher_state&& o) noexcept {
  if (this != &o) {
    k_ = o.k_;
    has_key_ = o.has_key_;
    n_ = o.n_;
    sodium_memzero(o.k_.data(), o.k_.size());
    o.has_key_ = false;
    o.n_ = 0;
  }
  return *this;
}

cipher_state::~cipher_state() { sodium_memzero(k_.data(), k_.size()); }

void cipher_state::initialize_key(const key& k) {
  k_ = k;
  has_key_ = true;
  n_ = 0;
}

result<void> cipher_state::encrypt_in_place(bytes_view ad, std::span<std::uint8_t> buf) {
  if (buf.size() < tag_len) return fail(security_errc::invalid_state, "encrypt buffer has no room for the tag");
  if (n_ == max_nonce) return fail(security_errc::nonce_exhausted, "send nonce reached 2^64-1");
  std::size_t len = buf.size() - tag_len;
  auto nonce = make_nonce(n_);
  aead_seal(k_, nonce, ad, buf.data(), len, buf.data(), buf.data() + len);
  ++n_;
  return ok();
}

result<void> cipher_state::decrypt_in_place(bytes_view ad, std::span<std::uint8_t> buf) {
  if (buf.size() < tag_len)
    return fail(security_errc::decrypt_failed,
                "ciphertext of " + std::to_string(buf.size()) + " bytes is shorter than the 16-byte tag");
  if (n_ == max_nonce) return fail(security_errc::nonce_exhausted, "receive nonce reached 2^64-1");
  std::size_t len = buf.size() - tag_len;
  auto nonce = make_nonce(n_);
  if (!aead_open(k_, nonce, ad, buf.data(), len, buf.data() + len, buf.data()))
    return fail(security_errc::decrypt_failed,
                "authentication tag mismatch at nonce " + std::to_string(n_) + " (" + std::to_string(buf.size()) +
                    "-byte ciphertext): tampered or misframed");
  ++n_;
  return ok();
}

result<void> cipher_state::encrypt_with_ad(bytes_view ad, bytes_view plaintext, bytes& out) {
  std::size_t start = out.size();
  append(out, plaintext);
  if (!has_key_) return ok();
  out.resize(out.size() + tag_len);
  auto r = encrypt_in_place(ad, std::span(out).subspan(start));
  if (!r) out.resize(start);
  return r;
}

result<void> cipher_state::decrypt_with_ad(bytes_view ad, bytes_view ciphertext, bytes& out) {
  std::size_t start = out.size();
  append(out, ciphertext);
  if (!has_key_) return ok();
  auto r = decrypt_in_place(ad, std::span(out).subspan(start));
  out.resize(r ? out.size() - tag_len : start);
  return r;
}

void cipher_state::rekey() {
  std::array<std::uint8_t, key_len + tag_len> buf{};
  auto nonce = make_nonce(max_nonce);
  aead_seal(k_, nonce, {}, buf.data(), key_len, buf.data(), buf.data() + key_len);
  std::memcpy(k_.data(), buf.data(), key_len);
  sodium_memzero(buf.data(), buf.size());
}

// ---- symmetric_state ----

symmetric_state::symmetric_state(std::string_view protocol_name) {
  ensure_sodium();
  if (protocol_name.size() <= hash_len) {
    std::memcpy(h_.data(), protocol_name.data(), protocol_name.size());
  } else {
    crypto_hash_sha256(h_.data(), reinterpret_cast<const std::uint8_t*>(protocol_name.data()), protocol_name.size());
  }
  ck_ = h_;
}

symmetric_state::~symmetric_state() { sodium_memzero(ck_.data(), ck_.size()); }

void symmetric_state::mix_key(bytes_view input_key_material) {
  auto [ck, temp_k] = hkdf2(ck_, input_key_material);
  ck_ = ck;
  cipher_.initialize_key(temp_k);
  sodium_memzero(temp_k.data(), temp_k.size());
}

void symmetric_state::mix_hash(bytes_view data) {
  crypto_hash_sha256_state st;
  crypto_hash_sha256_init(&st);
  crypto_hash_sha256_update(&st, h_.data(), h_.size());
  crypto_hash_sha256_update(&st, data.data(), data.size());
  crypto_hash_sha256_final(&st, h_.data());
}

result<void> symmetric_state::encrypt_and_hash(bytes_view plaintext, bytes& out) {
  std::size_t start = out.size();
  if (auto r = cipher_.encrypt_with_ad(h_, plaintext, out); !r) return r;
  mix_hash(bytes_view(out).subspan(start));
  return ok();
}

result<void> symmetric_state::decrypt_and_hash(bytes_view ciphertext, bytes& out) {
  if (auto r = cipher_.decrypt_with_ad(h_, ciphertext, out); !r) return r;
  mix_hash(ciphertext);
  return ok();
}

std::pair<cipher_state, cipher_state> symmetric_state::split() {
  auto [k1, k2] = hkdf2(ck_, {});
  std::pair<cipher_state, cipher_state> out;
  out.first.initialize_key(k1);
  out.second.initialize_key(k2);
  sodium_memzero(k1.data(), k1.size());
  sodium_memzero(k2.data(), k2.size());
  return out;
}

}  // namespace converge::p2p::security::noise
