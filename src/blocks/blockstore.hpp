#pragma once
// A persistent content-addressed block store: one file per block, sharded by
// multihash, keyed by multihash (so a CIDv0 and a CIDv1 of the same dag-pb
// node share one file, as in Kubo).
//
// Crash safety: a block is written to <dir>/tmp/, fsynced, renamed into its
// shard and the shard directory fsynced; a crash leaves either no block or the
// whole block, and open() removes leftover temporaries. Every get() hashes the
// file again; a file that no longer matches is deleted and reported as
// `corrupt` (the caller fetches it again).
//
// Pins: direct (one block) and recursive (a DAG, walked through a caller's
// links function so this module does not depend on codecs). gc() deletes every
// block not reachable from a pin or from the caller's extra roots.
//
// Bounds: max_block_size per block, max_total_bytes for the whole store
// (put() fails with store_full rather than pass it), max_pins.
// Not thread-safe: one strand drives a store.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "blocks/block.hpp"
#include "blocks/errors.hpp"

namespace converge::blocks {

struct blockstore_options {
  std::size_t max_block_size = default_max_block_size;
  std::uint64_t max_total_bytes = std::uint64_t{64} << 30;  // 64 GiB
  std::size_t max_pins = 100000;
  // Tests of non-durable paths may turn fsync off; production never does.
  bool fsync = true;
};

enum class pin_mode { direct, recursive };

struct pin_entry {
  mf::cid root;
  pin_mode mode;
};

struct gc_report {
  std::size_t blocks_removed = 0;
  std::uint64_t bytes_freed = 0;
  std::size_t blocks_kept = 0;
};

// The links of a block (for dag-pb: its PBLinks' CIDs). Errors stop the GC.
using links_fn = std::function<result<std::vector<mf::cid>>(const mf::cid&, bytes_view)>;

class blockstore {
 public:
  static result<std::unique_ptr<blockstore>> open(const std::filesystem::path& dir, blockstore_options options = {});

  // Verifies, then stores durably. Returns true if the block was new, false if
  // it was already present (nothing written). Identity CIDs are never stored.
  result<bool> put(const mf::cid& id, bytes_view data);
  result<bool> put(const block& b) { return put(b.id, b.data); }
  // Reads and verifies. not_found, corrupt (file removed), io.
  result<bytes> get(const mf::cid& id);
  [[nodiscard]] bool has(const mf::cid& id) const;
  // Size of a stored block without reading it.
  [[nodiscard]] std::optional<std::size_t> size_of(const mf::cid& id) const;
  // Removes a block; removing an absent block is ok.
  result<void> remove(const mf::cid& id);

  [[nodiscard]] std::uint64_t total_bytes() const { return total_bytes_; }
  [[nodiscard]] std::size_t block_count() const { return index_.size(); }
  // Every stored block, as a raw-codec CIDv1 of its multihash (the store does
  // not remember codecs).
  [[nodiscard]] std::vector<mf::cid> list() const;
  [[nodiscard]] const blockstore_options& options() const { return options_; }

  result<void> pin(const mf::cid& root, pin_mode mode);
  result<void> unpin(const mf::cid& root);
  [[nodiscard]] std::vector<pin_entry> pins() const;
  [[nodiscard]] bool is_pinned(const mf::cid& root) const;

  // Mark from pins and `extra_roots` (recursive), sweep the rest. Blocks of a
  // pinned DAG that are missing are skipped (a partial download keeps what it has).
  result<gc_report> gc(const links_fn& links, const std::vector<mf::cid>& extra_roots = {});

 private:
  blockstore(std::filesystem::path dir, blockstore_options options) : dir_(std::move(dir)), options_(options) {}
  result<void> scan();
  result<void> load_pins();
  result<void> save_pins() const;
  [[nodiscard]] std::filesystem::path path_of(const mf::multihash& mh) const;

  std::filesystem::path dir_;
  blockstore_options options_;
  std::unordered_map<mf::multihash, std::size_t> index_;  // multihash -> size
  std::uint64_t total_bytes_ = 0;
  std::vector<pin_entry> pins_;
  std::uint64_t tmp_counter_ = 0;
};

}  // namespace converge::blocks
