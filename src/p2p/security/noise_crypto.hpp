#pragma once
// The Noise Protocol Framework (revision 34) objects for the single suite
// libp2p uses, 25519 / ChaChaPoly / SHA256, on libsodium:
//   cipher_state    k, n; ChaCha20-Poly1305 (IETF) with nonce = 4 zero bytes || LE64(n)
//   symmetric_state ck, h; MixKey, MixHash, EncryptAndHash, DecryptAndHash, Split
//   x25519_keypair  DH keys; a DH whose result is all zero (low-order peer key) fails
// Names and semantics follow the spec's sections 5.1 and 5.2 so the code can be
// read against it line by line.
#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <utility>

#include "base/bytes.hpp"
#include "base/rng.hpp"

namespace converge::p2p::security::noise {

inline constexpr std::size_t key_len = 32;
inline constexpr std::size_t hash_len = 32;
inline constexpr std::size_t dh_len = 32;
inline constexpr std::size_t tag_len = 16;
// A Noise message (handshake or transport) is at most 65535 bytes.
inline constexpr std::size_t max_message_len = 65535;
inline constexpr std::size_t max_plaintext_len = max_message_len - tag_len;
// n = 2^64-1 is reserved by the spec: a cipher_state refuses to use it.
inline constexpr std::uint64_t max_nonce = UINT64_MAX;

using key = std::array<std::uint8_t, key_len>;
using hash = std::array<std::uint8_t, hash_len>;

// Calls sodium_init once; every entry point of this module that touches
// libsodium goes through it (idempotent, thread-safe).
void ensure_sodium();

struct x25519_keypair {
  std::array<std::uint8_t, dh_len> secret{};
  std::array<std::uint8_t, dh_len> public_key{};

  // GENERATE_KEYPAIR: 32 bytes from `r` as the secret scalar (X25519 clamps it),
  // so tests inject fixed ephemeral keys through a scripted rng.
  static x25519_keypair generate(rng& r);
  static x25519_keypair from_secret(std::span<const std::uint8_t, dh_len> secret);
  // DH(self, remote_public); fails with invalid_key when the result is all zero.
  result<key> dh(std::span<const std::uint8_t, dh_len> remote_public) const;
  void wipe();
};

// HKDF as Noise defines it (HMAC-SHA256 chaining, 2 outputs).
std::pair<key, key> hkdf2(std::span<const std::uint8_t, hash_len> chaining_key, bytes_view input_key_material);

class cipher_state {
 public:
  cipher_state() = default;
  cipher_state(const cipher_state&) = delete;
  cipher_state& operator=(const cipher_state&) = delete;
  cipher_state(cipher_state&& o) noexcept;
  cipher_state& operator=(cipher_state&& o) noexcept;
  ~cipher_state();

  void initialize_key(const key& k);
  [[nodiscard]] bool has_key() const { return has_key_; }
  void set_nonce(std::uint64_t n) { n_ = n; }
  [[nodiscard]] std::uint64_t nonce() const { return n_; }

  // EncryptWithAd, appending to `out`. Without a key it appends the plaintext.
  // Fails with nonce_exhausted once n would reach 2^64-1.
  result<void> encrypt_with_ad(bytes_view ad, bytes_view plaintext, bytes& out);
  // DecryptWithAd, appending to `out`. On failure n is unchanged and nothing is appended.
  result<void> decrypt_with_ad(bytes_view ad, bytes_view ciphertext, bytes& out);

  // In-place variants for the transport hot path (no allocation):
  // `buf` holds `plaintext_len` bytes of plaintext followed by tag_len bytes of room.
  result<void> encrypt_in_place(bytes_view ad, std::span<std::uint8_t> buf);
  // `buf` holds ciphertext || tag; on success its first size-16 bytes are the plaintext.
  result<void> decrypt_in_place(bytes_view ad, std::span<std::uint8_t> buf);

  // REKEY(k): k = first 32 bytes of ENCRYPT(k, 2^64-1, empty, zeros).
  void rekey();

 private:
  key k_{};
  bool has_key_ = false;
  std::uint64_t n_ = 0;
};

class symmetric_state {
 public:
  // InitializeSymmetric: names of up to hash_len bytes are zero-padded, longer ones hashed.
  explicit symmetric_state(std::string_view protocol_name);
  symmetric_state(const symmetric_state&) = delete;
  symmetric_state& operator=(const symmetric_state&) = delete;
  ~symmetric_state();

  void mix_key(bytes_view input_key_material);
  void mix_hash(bytes_view data);
  [[nodiscard]] bool has_key() const { return cipher_.has_key(); }
  // Append the (en|de)crypted bytes to `out` and mix the ciphertext into h.
  result<void> encrypt_and_hash(bytes_view plaintext, bytes& out);
  result<void> decrypt_and_hash(bytes_view ciphertext, bytes& out);
  // Split: (c1, c2); c1 carries initiator -> responder traffic.
  std::pair<cipher_state, cipher_state> split();
  [[nodiscard]] const hash& handshake_hash() const { return h_; }

 private:
  hash ck_{};
  hash h_{};
  cipher_state cipher_;
};

}  // namespace converge::p2p::security::noise
