#pragma once
// A block: bytes and the CID that names them. verify_block() is the one check
// every path (store, bitswap, CAR, UnixFS exporter) applies before trusting bytes.
#include <cstddef>

#include "base/bytes.hpp"
#include "multiformats/cid.hpp"

namespace converge::blocks {

// Bitswap peers refuse blocks over 2 MiB (Kubo and Helia alike); so do we.
inline constexpr std::size_t default_max_block_size = 2 * 1024 * 1024;

struct block {
  mf::cid id;
  bytes data;
};

// ok() when `data` hashes to `id`'s multihash. unsupported_hash for hash
// functions we cannot compute, hash_mismatch otherwise. Identity CIDs verify
// when the data equals the digest.
result<void> verify_block(const mf::cid& id, bytes_view data);

// Verifies and builds; too_large past `max_size`.
result<block> make_verified_block(const mf::cid& id, bytes data, std::size_t max_size = default_max_block_size);

}  // namespace converge::blocks
