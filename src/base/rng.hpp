#pragma once
// Randomness as protocol cores see it: they receive an rng& and never call the
// OS themselves. system_rng is the OS CSPRNG (libsodium randombytes);
// deterministic_rng is a seeded ChaCha20 keystream for tests and the simulator,
// the same bytes for the same seed on every machine.
#include <array>
#include <cstdint>
#include <span>

namespace converge {

class rng {
 public:
  virtual ~rng() = default;
  virtual void fill(std::span<std::uint8_t> out) = 0;
  std::uint64_t next_u64();
  // Uniform in [0, bound) without modulo bias; bound must be > 0.
  std::uint64_t uniform(std::uint64_t bound);
};

class system_rng final : public rng {
 public:
  system_rng();
  void fill(std::span<std::uint8_t> out) override;
};

class deterministic_rng final : public rng {
 public:
  explicit deterministic_rng(std::uint64_t seed);
  void fill(std::span<std::uint8_t> out) override;

 private:
  std::array<std::uint8_t, 32> key_{};
  std::uint64_t counter_ = 0;  // nonce: a fresh 64-byte block per call position
  std::array<std::uint8_t, 64> block_{};
  std::size_t used_ = 64;
};

}  // namespace converge
