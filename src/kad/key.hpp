#pragma once
// The Kademlia keyspace (libp2p/specs kad-dht/README.md, "Distance"): every
// key (a peer ID's bytes, a record key, a CID's multihash) is mapped to
// sha256(key), and the distance between two points is their XOR, compared as
// a 256-bit big-endian integer.
#include <array>
#include <compare>
#include <cstdint>
#include <functional>
#include <string>

#include "base/bytes.hpp"

namespace converge::kad {

struct kad_key {
  std::array<std::uint8_t, 32> bits{};

  static kad_key of(bytes_view key);  // sha256(key)
  friend auto operator<=>(const kad_key&, const kad_key&) = default;
  [[nodiscard]] std::string hex() const;
};

// XOR distance; compare with operator<=> (lexicographic = numeric big-endian).
kad_key distance(const kad_key& a, const kad_key& b);

// Number of leading bits a and b share (256 when equal): the bucket index.
unsigned common_prefix_length(const kad_key& a, const kad_key& b);

// True iff a is strictly closer to target than b.
inline bool closer(const kad_key& target, const kad_key& a, const kad_key& b) {
  return distance(target, a) < distance(target, b);
}

}  // namespace converge::kad

template <>
struct std::hash<converge::kad::kad_key> {
  std::size_t operator()(const converge::kad::kad_key& k) const noexcept {
    std::size_t h = 0;
    for (int i = 0; i < 8; ++i) h = (h << 8) | k.bits[static_cast<std::size_t>(i)];
    return h;
  }
};
