#include "base/rng.hpp"

#include <sodium.h>

#include <cstring>
#include <stdexcept>

namespace converge {

std::uint64_t rng::next_u64() {
  std::uint8_t b[8];
  fill(b);
  std::uint64_t v;
  std::memcpy(&v, b, 8);
  return v;
}

std::uint64_t rng::uniform(std::uint64_t bound) {
  // Rejection sampling: drop the top partial range so each residue is equally likely.
  std::uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
  for (;;) {
    std::uint64_t v = next_u64();
    if (v < limit) return v % bound;
  }
}

system_rng::system_rng() {
  // sodium_init is idempotent and thread-safe; it fails only if no entropy source exists.
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

void system_rng::fill(std::span<std::uint8_t> out) { randombytes_buf(out.data(), out.size()); }

deterministic_rng::deterministic_rng(std::uint64_t seed) {
  // Key = SHA-256("converge deterministic rng" || seed), so nearby seeds give unrelated streams.
  std::uint8_t in[26 + 8];
  std::memcpy(in, "converge deterministic rng", 26);
  std::memcpy(in + 26, &seed, 8);
  crypto_hash_sha256(key_.data(), in, sizeof in);
}

void deterministic_rng::fill(std::span<std::uint8_t> out) {
  for (auto& byte : out) {
    if (used_ == block_.size()) {
      std::uint8_t nonce[crypto_stream_chacha20_NONCEBYTES] = {};
      std::memcpy(nonce, &counter_, sizeof counter_);
      ++counter_;
      crypto_stream_chacha20(block_.data(), block_.size(), nonce, key_.data());
      used_ = 0;
    }
    byte = block_[used_++];
  }
}

}  // namespace converge
