#pragma once
// Errors of the blocks module (the content-addressed block store).
#include <system_error>

#include "base/error.hpp"

namespace converge::blocks {

enum class blocks_errc {
  not_found = 1,     // no block with this multihash in the store
  hash_mismatch,     // data does not hash to the CID given with it
  too_large,         // a block over blockstore_options::max_block_size
  store_full,        // storing would pass blockstore_options::max_total_bytes
  unsupported_hash,  // the CID's hash function cannot be verified here
  corrupt,           // a stored file no longer matches its hash (removed; fetch again)
  io,                // file system error; detail names the path
  invalid_argument,  // a malformed pins file or argument
};

const std::error_category& blocks_category() noexcept;
inline std::error_code make_error_code(blocks_errc e) noexcept { return {static_cast<int>(e), blocks_category()}; }

}  // namespace converge::blocks

template <>
struct std::is_error_code_enum<converge::blocks::blocks_errc> : std::true_type {};
