#pragma once
// Private key files.
//
// Plain format: exactly the protobuf PrivateKey bytes, the format
// go-libp2p-daemon's -id flag and Kubo-style tools read.
//
// Encrypted format ("converge-key-v1"), all integers little-endian:
//   offset  size  field
//   0       15    magic "converge-key-v1"
//   15      1     kdf id: 1 = Argon2id v1.3 (libsodium crypto_pwhash ALG_ARGON2ID13)
//   16      8     opslimit
//   24      8     memlimit in bytes
//   32      16    salt
//   48      24    nonce
//   72      n+16  XChaCha20-Poly1305-IETF(key = Argon2id(passphrase, salt), nonce,
//                 associated data = bytes 0..71, plaintext = protobuf PrivateKey)
// The header is authenticated, so tampering with the KDF parameters fails
// like a wrong passphrase. Readers refuse KDF parameters outside kdf_limits
// before deriving anything, so a hostile file cannot make them allocate
// gigabytes or spin for minutes.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/bytes.hpp"
#include "crypto/keys.hpp"

namespace converge::crypto {

inline constexpr std::string_view key_file_magic = "converge-key-v1";

struct kdf_params {
  std::uint64_t opslimit;
  std::uint64_t memlimit;  // bytes
  // libsodium's INTERACTIVE preset (2 passes, 64 MiB): the default for key files.
  static kdf_params interactive();
  // libsodium's MODERATE preset (3 passes, 256 MiB).
  static kdf_params moderate();
  // The smallest libsodium allows (1 pass, 8 KiB): tests and fuzzing only.
  static kdf_params minimum();
};

// What a reader accepts; defaults allow up to libsodium's SENSITIVE preset.
struct kdf_limits {
  std::uint64_t max_opslimit = 4;
  std::uint64_t max_memlimit = std::uint64_t{1} << 30;
};

// Serialises `key`: plain when `passphrase` is empty (nullopt), else encrypted
// with fresh randomness from `r`. An empty passphrase string is refused.
result<bytes> encode_private_key_file(const private_key& key, const std::optional<std::string>& passphrase,
                                      rng& r, const kdf_params& params = kdf_params::interactive());

// Parses either format (detected by the magic). An encrypted file without a
// passphrase fails with passphrase_required; a wrong passphrase or any
// tampering fails with wrong_passphrase ("wrong passphrase or corrupted key file").
result<private_key> decode_private_key_file(bytes_view data, const std::optional<std::string>& passphrase,
                                            const kdf_limits& limits = {});

// True iff `data` starts with the encrypted-format magic.
bool is_encrypted_key_file(bytes_view data);

// Writes atomically with mode 0600 (umask notwithstanding).
result<void> write_private_key_file(const std::string& path, const private_key& key,
                                    const std::optional<std::string>& passphrase = std::nullopt,
                                    const kdf_params& params = kdf_params::interactive());
result<private_key> read_private_key_file(const std::string& path,
                                          const std::optional<std::string>& passphrase = std::nullopt,
                                          const kdf_limits& limits = {});

}  // namespace converge::crypto
