#pragma once
// The UnixFS Data message (ipfs/specs UNIXFS.md), carried in a dag-pb node's Data:
//
//   message Data { required DataType Type = 1; optional bytes Data = 2; optional uint64 filesize = 3;
//                  repeated uint64 blocksizes = 4; optional uint64 hashType = 5; optional uint64 fanout = 6;
//                  optional uint32 mode = 7; optional UnixTime mtime = 8; }
//   message UnixTime { required int64 Seconds = 1; optional fixed32 FractionalNanoseconds = 2; }
//
// encode() writes fields in number order with blocksizes unpacked, exactly as
// Kubo and ipfs-unixfs do (the bytes decide the CID). decode() accepts any
// field order and packed blocksizes, refuses unknown types and bounds counts.
#include <cstdint>
#include <optional>
#include <vector>

#include "base/bytes.hpp"

namespace converge::unixfs {

enum class data_type : std::uint8_t { raw = 0, directory = 1, file = 2, metadata = 3, symlink = 4, hamt_shard = 5 };

struct unix_time {
  std::int64_t seconds = 0;
  std::optional<std::uint32_t> nanos{};
};

struct unixfs_data {
  data_type type = data_type::file;
  std::optional<bytes> data{};
  std::optional<std::uint64_t> filesize{};
  std::vector<std::uint64_t> blocksizes{};
  std::optional<std::uint64_t> hash_type{};
  std::optional<std::uint64_t> fanout{};
  std::optional<std::uint32_t> mode{};
  std::optional<unix_time> mtime{};
};

inline constexpr std::size_t max_blocksizes = 1 << 16;

bytes encode_unixfs(const unixfs_data& d);
result<unixfs_data> decode_unixfs(bytes_view in);

}  // namespace converge::unixfs
