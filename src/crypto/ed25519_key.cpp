// Ed25519 (RFC 8032) via libsodium. Data encodings (peer-ids spec):
// public = the 32-byte key; private = seed || public (64 bytes), and on input
// also the legacy seed || public || public (96 bytes) whose two public copies
// must agree. The public part of a private key must be the one the seed derives.
#include <sodium.h>

#include <array>
#include <cstring>

#include "crypto/key_impl.hpp"

namespace converge::crypto::detail {
namespace {

void init_sodium() {
  // Idempotent and thread-safe; fails only without an entropy source, which
  // system_rng already reports at start-up.
  [[maybe_unused]] static const int once = sodium_init();
}

class ed25519_public final : public public_key_impl {
 public:
  explicit ed25519_public(bytes_view pk) : raw_(pk.begin(), pk.end()) {}
  key_type type() const override { return key_type::ed25519; }
  const bytes& raw() const override { return raw_; }
  bool verify(bytes_view msg, bytes_view sig) const override {
    if (sig.size() != crypto_sign_BYTES) return false;
    return crypto_sign_verify_detached(sig.data(), msg.data(), msg.size(), raw_.data()) == 0;
  }

 private:
  bytes raw_;
};

class ed25519_private final : public private_key_impl {
 public:
  explicit ed25519_private(const std::uint8_t* seed) {
    std::array<std::uint8_t, crypto_sign_PUBLICKEYBYTES> pk{};
    crypto_sign_seed_keypair(pk.data(), sk_.data(), seed);
    pub_ = std::make_shared<ed25519_public>(pk);
  }
  ~ed25519_private() override { sodium_memzero(sk_.data(), sk_.size()); }
  ed25519_private(const ed25519_private&) = delete;
  ed25519_private& operator=(const ed25519_private&) = delete;

  key_type type() const override { return key_type::ed25519; }
  // libsodium's secret key is already seed || public, the spec's 64-byte form.
  bytes raw() const override { return {sk_.begin(), sk_.end()}; }
  result<bytes> sign(bytes_view msg) const override {
    bytes sig(crypto_sign_BYTES);
    crypto_sign_detached(sig.data(), nullptr, msg.data(), msg.size(), sk_.data());
    return sig;
  }
  public_ptr public_key() const override { return pub_; }
  const bytes& public_raw() const { return pub_->raw(); }

 private:
  std::array<std::uint8_t, crypto_sign_SECRETKEYBYTES> sk_{};
  std::shared_ptr<const ed25519_public> pub_;
};

}  // namespace

result<public_ptr> ed25519_public_from_raw(bytes_view data) {
  init_sodium();
  if (data.size() != crypto_sign_PUBLICKEYBYTES)
    return fail(crypto_errc::invalid_key,
                "Ed25519 public key must be 32 bytes, got " + std::to_string(data.size()));
  return std::make_shared<ed25519_public>(data);
}

result<private_ptr> ed25519_private_from_raw(bytes_view data) {
  init_sodium();
  if (data.size() != 64 && data.size() != 96)
    return fail(crypto_errc::invalid_key,
                "Ed25519 private key must be 64 bytes (or legacy 96), got " + std::to_string(data.size()));
  bytes_view seed = data.first(32);
  bytes_view stated_pub = data.subspan(32, 32);
  if (data.size() == 96 && !equal(stated_pub, data.subspan(64, 32)))
    return fail(crypto_errc::invalid_key, "legacy 96-byte Ed25519 private key: the two public key copies differ");
  auto key = std::make_shared<ed25519_private>(seed.data());
  if (sodium_memcmp(key->public_raw().data(), stated_pub.data(), 32) != 0)
    return fail(crypto_errc::invalid_key, "Ed25519 private key: public part does not match the seed");
  return key;
}

private_ptr ed25519_generate(rng& r) {
  init_sodium();
  std::array<std::uint8_t, crypto_sign_SEEDBYTES> seed{};
  r.fill(seed);
  auto key = std::make_shared<ed25519_private>(seed.data());
  sodium_memzero(seed.data(), seed.size());
  return key;
}

std::array<std::uint8_t, 32> sha256(bytes_view msg) {
  std::array<std::uint8_t, 32> out{};
  crypto_hash_sha256(out.data(), msg.data(), msg.size());
  return out;
}

}  // namespace converge::crypto::detail
