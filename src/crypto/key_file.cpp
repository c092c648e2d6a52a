#include "crypto/key_file.hpp"

#include <sodium.h>

#include <array>
#include <cstring>

namespace converge::crypto {
namespace {

constexpr std::uint8_t kdf_argon2id13 = 1;
constexpr std::size_t salt_size = crypto_pwhash_SALTBYTES;                         // 16
constexpr std::size_t nonce_size = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;  // 24
constexpr std::size_t header_size = 15 + 1 + 8 + 8 + salt_size + nonce_size;      // 72
constexpr std::size_t tag_size = crypto_aead_xchacha20poly1305_ietf_ABYTES;       // 16
// A key file holds one PrivateKey protobuf; anything bigger is not ours.
constexpr std::size_t max_key_file = header_size + max_private_key_protobuf + tag_size;

static_assert(salt_size == 16 && nonce_size == 24 && header_size == 72);

void put_u64(std::uint8_t* p, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}
std::uint64_t get_u64(const std::uint8_t* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

// Wipes on destruction: the derived key and decrypted plaintext.
struct secret_bytes {
  bytes b;
  explicit secret_bytes(std::size_t n) : b(n) {}
  ~secret_bytes() { sodium_memzero(b.data(), b.size()); }
  secret_bytes(const secret_bytes&) = delete;
  secret_bytes& operator=(const secret_bytes&) = delete;
};

result<void> derive_key(secret_bytes& key, const std::string& passphrase, const std::uint8_t* salt,
                        std::uint64_t ops, std::uint64_t mem) {
  if (crypto_pwhash(key.b.data(), key.b.size(), passphrase.data(), passphrase.size(), salt,
                    static_cast<unsigned long long>(ops), static_cast<std::size_t>(mem),
                    crypto_pwhash_ALG_ARGON2ID13) != 0)
    return fail(crypto_errc::invalid_key_file, "Argon2id key derivation failed (out of memory?)");
  return ok();
}

}  // namespace

kdf_params kdf_params::interactive() {
  return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}
kdf_params kdf_params::moderate() { return {crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE}; }
kdf_params kdf_params::minimum() { return {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN}; }

bool is_encrypted_key_file(bytes_view data) {
  return data.size() >= key_file_magic.size() && as_chars(data.first(key_file_magic.size())) == key_file_magic;
}

result<bytes> encode_private_key_file(const private_key& key, const std::optional<std::string>& passphrase, rng& r,
                                      const kdf_params& params) {
  if (!passphrase) return key.to_protobuf();
  if (passphrase->empty()) return fail(crypto_errc::invalid_argument, "empty passphrase");
  if (params.opslimit < crypto_pwhash_OPSLIMIT_MIN || params.memlimit < crypto_pwhash_MEMLIMIT_MIN ||
      params.opslimit > crypto_pwhash_OPSLIMIT_MAX || params.memlimit > crypto_pwhash_MEMLIMIT_MAX)
    return fail(crypto_errc::invalid_argument, "Argon2id parameters outside libsodium's range");
  if (sodium_init() < 0) return fail(crypto_errc::invalid_key_file, "libsodium failed to initialise");

  bytes out(header_size);
  std::memcpy(out.data(), key_file_magic.data(), key_file_magic.size());
  out[15] = kdf_argon2id13;
  put_u64(out.data() + 16, params.opslimit);
  put_u64(out.data() + 24, params.memlimit);
  r.fill(std::span(out).subspan(32, salt_size + nonce_size));
  const std::uint8_t* salt = out.data() + 32;
  const std::uint8_t* nonce = out.data() + 32 + salt_size;

  secret_bytes k(crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
  if (auto d = derive_key(k, *passphrase, salt, params.opslimit, params.memlimit); !d) return fail(d.error());
  bytes plain = key.to_protobuf();
  out.resize(header_size + plain.size() + tag_size);
  unsigned long long clen = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(out.data() + header_size, &clen, plain.data(), plain.size(), out.data(),
                                             header_size, nullptr, nonce, k.b.data());
  sodium_memzero(plain.data(), plain.size());
  out.resize(header_size + static_cast<std::size_t>(clen));
  return out;
}

result<private_key> decode_private_key_file(bytes_view data, const std::optional<std::string>& passphrase,
                                            const kdf_limits& limits) {
  if (data.size() > max_key_file)
    return fail(crypto_errc::invalid_key_file,
                "key file is " + std::to_string(data.size()) + " bytes, limit " + std::to_string(max_key_file));
  if (!is_encrypted_key_file(data)) {
    auto k = private_key::from_protobuf(data);
    if (!k) return fail(with_context(k.error(), "key file is neither a protobuf PrivateKey nor converge-key-v1"));
    return k;
  }
  if (!passphrase) return fail(crypto_errc::passphrase_required, "the key file is encrypted (converge-key-v1)");
  if (data.size() < header_size + tag_size)
    return fail(crypto_errc::invalid_key_file, "converge-key-v1 file truncated");
  if (data[15] != kdf_argon2id13)
    return fail(crypto_errc::invalid_key_file, "unknown KDF id " + std::to_string(data[15]));
  std::uint64_t ops = get_u64(data.data() + 16), mem = get_u64(data.data() + 24);
  if (ops < crypto_pwhash_OPSLIMIT_MIN || mem < crypto_pwhash_MEMLIMIT_MIN || ops > limits.max_opslimit ||
      mem > limits.max_memlimit)
    return fail(crypto_errc::invalid_key_file, "Argon2id parameters out of bounds (opslimit " + std::to_string(ops) +
                                                   ", memlimit " + std::to_string(mem) + ")");
  if (sodium_init() < 0) return fail(crypto_errc::invalid_key_file, "libsodium failed to initialise");

  secret_bytes k(crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
  if (auto d = derive_key(k, *passphrase, data.data() + 32, ops, mem); !d) return fail(d.error());
  bytes_view cipher = data.subspan(header_size);
  secret_bytes plain(cipher.size() - tag_size);
  unsigned long long plen = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(plain.b.data(), &plen, nullptr, cipher.data(), cipher.size(),
                                                 data.data(), header_size, data.data() + 32 + salt_size,
                                                 k.b.data()) != 0)
    return fail(crypto_errc::wrong_passphrase, "the key file did not decrypt");
  auto key = private_key::from_protobuf(bytes_view(plain.b).first(static_cast<std::size_t>(plen)));
  if (!key) return fail(with_context(key.error(), "decrypted key file"));
  return key;
}

result<void> write_private_key_file(const std::string& path, const private_key& key,
                                    const std::optional<std::string>& passphrase, const kdf_params& params) {
  system_rng r;
  auto encoded = encode_private_key_file(key, passphrase, r, params);
  if (!encoded) return fail(encoded.error());
  auto w = write_file_atomic(path, *encoded, 0600);
  sodium_memzero(encoded->data(), encoded->size());
  return w;
}

result<private_key> read_private_key_file(const std::string& path, const std::optional<std::string>& passphrase,
                                          const kdf_limits& limits) {
  auto data = read_file(path);
  if (!data) return fail(data.error());
  auto key = decode_private_key_file(*data, passphrase, limits);
  sodium_memzero(data->data(), data->size());
  if (!key) return fail(with_context(key.error(), path));
  return key;
}

}  // namespace converge::crypto
