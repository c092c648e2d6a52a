#pragma once
// Peer IDs and addresses for limits tests: sha2-256 peer IDs made from a
// number, so tests need no keys.
#include <cstdint>
#include <string_view>

#include "crypto/peer_id.hpp"
#include "multiformats/multiaddr.hpp"

namespace converge::p2p::limits::test {

inline crypto::peer_id peer(std::uint8_t n) {
  bytes mh{0x12, 0x20};
  for (int i = 0; i < 32; ++i) mh.push_back(static_cast<std::uint8_t>(n + i));
  return crypto::peer_id::from_bytes(mh).value();
}

inline mf::multiaddr addr(std::string_view text) { return mf::multiaddr::parse(text).value(); }

}  // namespace converge::p2p::limits::test
