#pragma once
// The applier's view of files: random-access inputs (old file, patch, scratch
// files) read with pread or from memory, and the output, written strictly in
// order into a temporary file that replaces the target only after its size
// and sha256 check out. Nothing here loads a whole file unless asked to map it.
#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "base/bytes.hpp"
#include "delta/error.hpp"

namespace converge::delta {

using digest = std::array<std::uint8_t, 32>;

class sha256 {
 public:
  sha256();
  void update(bytes_view data);
  [[nodiscard]] digest finish();

 private:
  alignas(16) std::array<std::uint8_t, 128> state_{};  // crypto_hash_sha256_state, opaque here
};

digest sha256_of(bytes_view data);

// A read-only random-access byte source. Copies share the underlying file or buffer.
class input_source {
 public:
  static result<input_source> open_file(const std::string& path);
  // Borrows `data`; the caller keeps it alive.
  static input_source from_memory(bytes_view data);
  static input_source from_owned(bytes data);
  // Takes ownership of an open descriptor (scratch files).
  static result<input_source> from_fd(int fd, std::string name);

  [[nodiscard]] std::uint64_t size() const { return size_; }
  [[nodiscard]] const std::string& name() const;
  // Fills `out` from offset `off`; fails with `truncated` if the source ends first.
  result<void> read_at(std::uint64_t off, std::span<std::uint8_t> out) const;
  // The whole content as one span: the buffer, or a shared read-only mapping of
  // the file (file-backed, reclaimable pages). Empty sources give an empty span.
  result<bytes_view> map() const;
  // Releases the mapping's resident pages (they refault from the page cache).
  void drop_mapped_pages() const;
  result<digest> hash() const;

 private:
  struct state;
  std::shared_ptr<state> st_;
  std::uint64_t size_ = 0;
};

// Where rebuilt bytes go, in order.
class byte_sink {
 public:
  virtual ~byte_sink() = default;
  virtual result<void> write(bytes_view data) = 0;
};

// The final output of an apply. Writes past `declared_size` fail. In file mode
// the bytes go to "<path>.cvpart" (a stale one from an interrupted run is
// truncated: applies restart cleanly) and reach `path` only through commit().
class output_sink final : public byte_sink {
 public:
  static result<std::unique_ptr<output_sink>> to_file(const std::string& path, std::uint64_t declared_size);
  static std::unique_ptr<output_sink> to_memory(std::uint64_t declared_size);
  ~output_sink() override;
  output_sink(const output_sink&) = delete;
  output_sink& operator=(const output_sink&) = delete;

  result<void> write(bytes_view data) override;
  // For decoders that write in place (zstd with a stable output buffer): the
  // whole declared output as one writable span (a shared file mapping in file mode).
  result<std::span<std::uint8_t>> map_all();
  // Marks mapped bytes [written(), upto) as produced; hashes them and, in file
  // mode, releases their pages from this process's resident set.
  result<void> advance_mapped(std::uint64_t upto);
  [[nodiscard]] std::uint64_t written() const { return written_; }
  [[nodiscard]] std::uint64_t declared_size() const { return declared_; }
  // Checks the size and the sha256, then (file mode) fsyncs, renames over the
  // target and fsyncs the directory. On failure nothing replaces the target.
  result<void> commit(const digest& expected);
  // Memory mode: the committed bytes.
  bytes take_memory() { return std::move(mem_); }

 private:
  output_sink() = default;
  std::string path_, tmp_;
  int fd_ = -1;
  std::uint8_t* map_ = nullptr;
  bool memory_ = false, committed_ = false;
  bytes mem_;
  std::uint64_t declared_ = 0, written_ = 0, dropped_ = 0;
  sha256 hash_;
};

// A write-once scratch area for intermediate images (the inflated old ZIP):
// an unnamed temporary file in `dir`, or memory when `dir` is empty.
class scratch_writer final : public byte_sink {
 public:
  static result<scratch_writer> create(const std::string& dir, std::uint64_t limit);
  scratch_writer(scratch_writer&&) noexcept;
  scratch_writer& operator=(scratch_writer&&) = delete;
  ~scratch_writer() override;
  result<void> write(bytes_view data) override;
  result<input_source> finish();

 private:
  scratch_writer() = default;
  int fd_ = -1;
  bytes mem_;
  std::uint64_t limit_ = 0, size_ = 0;
  bytes buf_;
};

}  // namespace converge::delta
