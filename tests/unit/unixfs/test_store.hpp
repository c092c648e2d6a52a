#pragma once
// An in-memory block map for UnixFS tests: a sink for the importer and a getter for the exporter.
#include <map>

#include "unixfs/errors.hpp"
#include "unixfs/exporter.hpp"
#include "unixfs/importer.hpp"

namespace converge::unixfs::testing {

struct memory_blocks {
  std::map<mf::cid, bytes> blocks;
  std::size_t puts = 0;
  block_sink sink() {
    return [this](const mf::cid& c, bytes_view b) -> result<void> {
      ++puts;
      blocks.emplace(c, bytes(b.begin(), b.end()));
      return ok();
    };
  }
  block_getter getter() {
    return [this](const mf::cid& c) -> result<bytes> {
      auto it = blocks.find(c);
      if (it == blocks.end()) return fail(unixfs_errc::not_found, c.to_string());
      return it->second;
    };
  }
};

inline bytes pattern(std::size_t n, std::uint8_t seed = 0) {
  bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>((i * 131 + seed + (i >> 11)) & 0xff);
  return b;
}

}  // namespace converge::unixfs::testing
