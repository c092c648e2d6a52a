#pragma once
// The "/unimaker/version/<channel>" namespace: the DHT fallback key under
// which a channel's signed release bundle (trust/bundle.hpp) is stored. A
// value is valid only if the bundle verifier accepts it (signatures,
// thresholds, expiry, revocation: everything release_client checks) and it
// is for the channel named by the key; the best value is the highest
// sequence. The verifier is a callback so that kad does not depend on trust:
// the composition root passes a lambda over release_client::verify_bundle.
#include <cstdint>
#include <functional>
#include <string>

#include "kad/records.hpp"

namespace converge::kad {

inline constexpr std::string_view release_namespace = "unimaker";
inline constexpr std::string_view release_key_prefix = "/unimaker/version/";

struct verified_release {
  std::string channel;
  std::uint64_t sequence = 0;
};

// Fails with any error when the bundle is not trusted at `now`.
using bundle_verifier = std::function<result<verified_release>(bytes_view bundle, wall_time now)>;

// The key for a channel; channels are 1..64 characters of [a-z0-9._-].
result<bytes> release_key(std::string_view channel);

class release_bundle_validator final : public validator {
 public:
  explicit release_bundle_validator(bundle_verifier verify, std::size_t max_bytes = std::size_t{1} << 20)
      : verify_(std::move(verify)), max_(max_bytes) {}
  [[nodiscard]] result<void> validate(bytes_view key, bytes_view value, wall_time now) const override;
  // Highest sequence; values the verifier no longer accepts rank lowest.
  [[nodiscard]] std::size_t select(bytes_view key, std::span<const bytes> values) const override;
  [[nodiscard]] std::size_t max_value_size() const override { return max_; }
  // select() has no time argument; it judges at the time of the last validate().
 private:
  bundle_verifier verify_;
  std::size_t max_;
  mutable wall_time last_now_{};
};

}  // namespace converge::kad
