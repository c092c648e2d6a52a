#pragma once
// One CARv1 with several roots from CAR files of one root each (the node's
// dag/export writes one root per file): every block once, in input order.
#include <filesystem>
#include <vector>

#include "multiformats/cid.hpp"

namespace converge::publish {

struct car_stats {
  std::uint64_t blocks = 0;
  std::uint64_t bytes = 0;
};

// Writes `out` through out + ".part" and a rename; every block is verified against its CID as it is read.
result<car_stats> merge_cars(const std::vector<std::filesystem::path>& inputs, const std::vector<mf::cid>& roots,
                             const std::filesystem::path& out);

}  // namespace converge::publish
