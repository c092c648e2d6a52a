#pragma once
// CAR archives (ipld/specs transport/car): CARv1 read and write, CARv2 read.
//
// CARv1: uvarint(len) dag-cbor header {"roots": [CID...], "version": 1}, then
// sections uvarint(len) || CID || block bytes, to the end of input.
// CARv2: an 11-byte pragma, a 40-byte header (characteristics, data offset,
// data size, index offset, little-endian u64s) and a CARv1 payload at the data
// offset; the index is ignored (every block is verified anyway).
//
// car_parser is a push parser (sans-IO): feed() bytes in any fragmentation,
// drain next() until it returns nullopt, call finish() at end of input.
// Every block is checked against its CID before next() returns it. Memory is
// bounded by max_section_bytes plus one fed chunk.
#include <cstdint>
#include <functional>
#include <optional>
#include <variant>
#include <vector>

#include "base/bytes.hpp"
#include "blocks/block.hpp"
#include "multiformats/cid.hpp"

namespace converge::car {

struct car_limits {
  std::size_t max_header_bytes = 64 * 1024;
  std::size_t max_roots = 1024;
  std::size_t max_section_bytes = blocks::default_max_block_size + 128;
  bool verify = true;  // off only for tools that report bad blocks themselves
};

struct car_header {
  unsigned version = 1;                  // of the archive (2 for CARv2)
  std::vector<mf::cid> roots;
  std::optional<std::uint64_t> v2_data_offset;
  std::optional<std::uint64_t> v2_data_size;
};

// dag-cbor header bytes (without the length prefix) for version 1 and `roots`.
bytes encode_header(const std::vector<mf::cid>& roots);
result<std::vector<mf::cid>> decode_header(bytes_view in, const car_limits& limits = {});

class car_parser {
 public:
  explicit car_parser(car_limits limits = {}) : limits_(limits) {}
  // Appends input. too_large if the caller feeds without draining next().
  result<void> feed(bytes_view data);
  // The next block, or nullopt when more input is needed. The header becomes
  // available (header()) before the first block.
  result<std::optional<blocks::block>> next();
  // End of input: truncated if it ended inside the header or a section.
  result<void> finish();
  [[nodiscard]] const std::optional<car_header>& header() const { return header_; }
  [[nodiscard]] std::uint64_t blocks_read() const { return blocks_; }

 private:
  enum class state { v1_header, v2_header, v2_skip, sections, done };
  result<bool> step();  // true: progress made
  [[nodiscard]] bytes_view avail() const { return bytes_view(buf_).subspan(pos_); }
  void consume(std::size_t n);

  car_limits limits_;
  state state_ = state::v1_header;
  bytes buf_;
  std::size_t pos_ = 0;
  std::uint64_t offset_ = 0;      // absolute offset of avail().front()
  std::uint64_t payload_end_ = 0; // CARv2: end of the v1 payload (0: to end of input)
  std::optional<car_header> header_;
  std::optional<blocks::block> ready_;
  std::uint64_t blocks_ = 0;
};

// Streams a CARv1: header first, then add() each block (verified, bounded).
class car_writer {
 public:
  using write_fn = std::function<result<void>(bytes_view)>;
  static result<car_writer> create(const std::vector<mf::cid>& roots, write_fn out);
  result<void> add(const mf::cid& id, bytes_view data);
  [[nodiscard]] std::uint64_t bytes_written() const { return written_; }
  [[nodiscard]] std::uint64_t blocks_written() const { return count_; }

 private:
  explicit car_writer(write_fn out) : out_(std::move(out)) {}
  write_fn out_;
  std::uint64_t written_ = 0;
  std::uint64_t count_ = 0;
};

using block_getter = std::function<result<bytes>(const mf::cid&)>;
using links_fn = std::function<result<std::vector<mf::cid>>(const mf::cid&, bytes_view)>;

// Writes the DAG under `root` (root first, then depth-first, each block once),
// as `ipfs dag export` orders it. Blocks are verified as they are read.
result<void> export_dag(const mf::cid& root, const block_getter& get, const links_fn& links, car_writer& out);

}  // namespace converge::car
