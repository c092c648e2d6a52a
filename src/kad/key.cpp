#include "kad/key.hpp"

#include <bit>

#include "multiformats/multicodec.hpp"
#include "multiformats/multihash.hpp"

namespace converge::kad {

kad_key kad_key::of(bytes_view key) {
  auto mh = mf::multihash::sum(mf::codec::sha2_256, key);
  kad_key k;
  std::copy(mh.digest().begin(), mh.digest().end(), k.bits.begin());
  return k;
}

std::string kad_key::hex() const { return to_hex(bits); }

kad_key distance(const kad_key& a, const kad_key& b) {
  kad_key d;
  for (std::size_t i = 0; i < d.bits.size(); ++i) d.bits[i] = a.bits[i] ^ b.bits[i];
  return d;
}

unsigned common_prefix_length(const kad_key& a, const kad_key& b) {
  for (std::size_t i = 0; i < a.bits.size(); ++i) {
    auto x = static_cast<std::uint8_t>(a.bits[i] ^ b.bits[i]);
    if (x != 0) return static_cast<unsigned>(i * 8) + static_cast<unsigned>(std::countl_zero(x));
  }
  return 256;
}

}  // namespace converge::kad
