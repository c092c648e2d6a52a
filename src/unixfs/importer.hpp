#pragma once
// The UnixFS importer: bytes -> fixed-size chunks -> balanced dag-pb DAG, with
// the same defaults and the same bytes as ipfs-unixfs-importer 17 (Helia) and
// Kubo's `ipfs add --cid-version 1`: 256 KiB chunks, raw leaves, at most 174
// links per node, CIDv1, sha2-256, a one-chunk file is its own root.
//
// Balanced layout as ipfs-unixfs-importer builds it: leaves are grouped 174 at
// a time into parents, parents 174 at a time into grandparents, and so on
// until one node remains. file_importer does this streaming: it keeps at most
// one partial group per level (174 CIDs), never the file.
//
// Directories are single (non-sharded) nodes with links sorted by name bytes;
// a directory whose node would pass max_directory_bytes is refused (HAMT
// sharding is not implemented; ipfs-unixfs-importer shards past 256 KiB).
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "base/bytes.hpp"
#include "multiformats/cid.hpp"

namespace converge::unixfs {

struct import_options {
  unsigned cid_version = 1;          // 0: dag-pb nodes get CIDv0 (raw leaves stay CIDv1)
  bool raw_leaves = true;            // false: leaves are dag-pb UnixFS file nodes
  std::size_t chunk_size = 262144;   // 1 .. 1 MiB
  std::size_t max_children = 174;    // 2 .. 8192
  bool reduce_single_leaf_to_self = true;
  std::size_t max_directory_bytes = 256 * 1024;
};

// Options as Kubo's `ipfs add --cid-version 0` uses them (dag-pb leaves, CIDv0).
inline import_options cid_v0_options() { return {.cid_version = 0, .raw_leaves = false}; }

struct imported {
  mf::cid cid;
  std::uint64_t file_size = 0;  // content bytes (0 for directories)
  std::uint64_t tsize = 0;      // bytes of every block in the DAG (the PBLink Tsize a parent records)
};

// Receives every block once, children before parents. An error stops the import.
using block_sink = std::function<result<void>(const mf::cid&, bytes_view)>;

class file_importer {
 public:
  // invalid_argument for options out of range.
  static result<file_importer> create(import_options options, block_sink sink);
  result<void> write(bytes_view data);
  // Flushes the last chunk and the partial groups; returns the root.
  result<imported> finish();

 private:
  file_importer(import_options o, block_sink s) : options_(o), sink_(std::move(s)) {}
  result<void> emit_leaf(bytes_view chunk);
  result<imported> reduce(std::vector<imported>& children);
  result<void> push(std::size_t level, imported node);
  mf::cid node_cid(std::uint64_t codec, bytes_view block) const;

  import_options options_;
  block_sink sink_;
  bytes buffer_;
  std::vector<std::vector<imported>> levels_;
  std::uint64_t leaves_ = 0;
  bool finished_ = false;
};

// Imports one byte string (convenience for tests and small inputs).
result<imported> import_bytes(bytes_view data, const import_options& options, const block_sink& sink);

struct directory_entry {
  std::string name;
  imported node;
};

// A flat directory node from its entries (names unique, non-empty, no '/').
result<imported> build_directory(std::vector<directory_entry> entries, const import_options& options, const block_sink& sink);

// A symlink node (UnixFS Symlink with the target as Data).
result<imported> build_symlink(std::string_view target, const import_options& options, const block_sink& sink);

// Imports a file, a symlink or a directory tree from disk (entries in name order).
result<imported> import_path(const std::filesystem::path& path, const import_options& options, const block_sink& sink);

}  // namespace converge::unixfs
