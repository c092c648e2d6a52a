#pragma once
// The UnixFS exporter: reads files and directories back from blocks, checking
// every block against its CID and every size against the DAG's own records.
//
// file_reader streams a file in order holding one path from root to leaf
// (at most max_depth nodes), never the file. Each child must deliver exactly
// the bytes its parent's blocksizes promise and the root must deliver its
// filesize; any disagreement is `inconsistent`, a block that does not match
// its CID is blocks::hash_mismatch.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.hpp"
#include "multiformats/cid.hpp"
#include "unixfs/dag_pb.hpp"
#include "unixfs/unixfs_data.hpp"

namespace converge::unixfs {

// Supplies a block's bytes (from a store, a CAR, the network). The reader
// verifies what it gets; the getter need not.
using block_getter = std::function<result<bytes>(const mf::cid&)>;

struct reader_limits {
  std::size_t max_depth = 32;
  std::uint64_t max_file_size = std::uint64_t{1} << 44;
  pb_limits pb;
};

class file_reader {
 public:
  static result<file_reader> open(const mf::cid& root, block_getter get, reader_limits limits = {});
  // The size the root declares.
  [[nodiscard]] std::uint64_t size() const { return size_; }
  // Bytes delivered so far.
  [[nodiscard]] std::uint64_t offset() const { return offset_; }
  // The next piece of content (one leaf's bytes, never empty), nullopt at the end.
  result<std::optional<bytes>> next();

 private:
  struct frame {
    std::vector<mf::cid> children;
    std::vector<std::uint64_t> sizes;
    std::size_t next = 0;
  };
  file_reader(block_getter get, reader_limits limits) : get_(std::move(get)), limits_(limits) {}
  // Fetches, verifies and enters one node expected to hold `expect` bytes.
  result<std::optional<bytes>> enter(const mf::cid& id, std::optional<std::uint64_t> expect);

  block_getter get_;
  reader_limits limits_;
  std::vector<frame> stack_;
  std::uint64_t size_ = 0;
  std::uint64_t offset_ = 0;
  std::optional<bytes> pending_;
  bool done_ = false;
};

// Reads a whole file into memory, bounded by `max_bytes` (too_large past it).
result<bytes> read_file(const mf::cid& root, const block_getter& get, std::uint64_t max_bytes);

enum class node_kind { file, directory, symlink, raw };

struct stat_result {
  node_kind kind;
  std::uint64_t size = 0;   // file content bytes; symlink target length
  std::string symlink_target;
};
result<stat_result> stat(const mf::cid& id, const block_getter& get);

struct dir_link {
  std::string name;
  mf::cid cid;
  std::uint64_t tsize = 0;
};
// Entries of a (non-sharded) directory, in stored order.
result<std::vector<dir_link>> list_directory(const mf::cid& id, const block_getter& get);

// Follows "a/b/c" from `root` through directories.
result<mf::cid> resolve_path(const mf::cid& root, std::string_view path, const block_getter& get);

// Writes a file, directory tree or symlink to `out` (which must not exist).
// Names are checked (no '/', '.', '..', empty) so a DAG cannot write outside `out`.
result<void> export_to_path(const mf::cid& root, const std::filesystem::path& out, const block_getter& get);

}  // namespace converge::unixfs
