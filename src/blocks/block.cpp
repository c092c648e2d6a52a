#include "blocks/block.hpp"

#include <string>

#include "blocks/errors.hpp"
#include "multiformats/multicodec.hpp"

namespace converge::blocks {

result<void> verify_block(const mf::cid& id, bytes_view data) {
  const auto& mh = id.hash();
  if (mh.code() == mf::codec::identity) {
    if (equal(mh.digest(), data)) return ok();
    return fail(blocks_errc::hash_mismatch, "identity CID " + id.to_string() + " does not contain these bytes");
  }
  if (!mf::multihash::can_sum(mh.code()))
    return fail(blocks_errc::unsupported_hash, "hash code " + std::to_string(mh.code()) + " of " + id.to_string());
  if (!mh.verifies(data))
    return fail(blocks_errc::hash_mismatch, std::to_string(data.size()) + " bytes do not hash to " + id.to_string());
  return ok();
}

result<block> make_verified_block(const mf::cid& id, bytes data, std::size_t max_size) {
  if (data.size() > max_size)
    return fail(blocks_errc::too_large, "block " + id.to_string() + " is " + std::to_string(data.size()) + " bytes, limit " + std::to_string(max_size));
  if (auto v = verify_block(id, data); !v) return fail(v.error());
  return block{id, std::move(data)};
}

}  // namespace converge::blocks
