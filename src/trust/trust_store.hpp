#pragma once
// The device's trusted state and its crash-safe persistence.
//
// All trusted metadata lives in ONE file, "trusted_state.json", replaced
// atomically: write "trusted_state.json.tmp", fsync it, rename it over the
// old file, fsync the directory. A crash at any step leaves either the old
// complete file or the new complete one; a torn temp file is ignored (and
// overwritten next time). The file carries a sha256 of its body, so a
// corrupted file is reported (trust_errc::storage), never half-trusted.
//
// The filesystem is an interface so tests can inject a failure at every step.
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "base/bytes.hpp"
#include "trust/errors.hpp"

namespace converge::trust {

struct channel_state {
  std::string timestamp, snapshot, targets;  // the documents as received
  std::uint64_t sequence = 0;                // of the trusted release
  std::string release_hash;                  // sha256 hex of `targets`
  std::map<std::uint64_t, std::string> history;  // sequence -> release hash, the last max_history
  bool operator==(const channel_state&) const = default;
};

struct trusted_state {
  std::string root;        // the trusted root document
  std::string revocation;  // the trusted revocation list ("" when none)
  std::int64_t time_floor = 0;  // latest trusted time seen (Unix seconds): the clock never goes below it
  std::map<std::string, channel_state> channels;
  bool operator==(const trusted_state&) const = default;
};

inline constexpr std::size_t max_history = 32;
inline constexpr std::size_t max_state_bytes = std::size_t{8} << 20;

result<std::string> encode_state(const trusted_state& s);
result<trusted_state> decode_state(std::string_view text);

// The few filesystem steps the store uses, each of which may fail.
class state_fs {
 public:
  virtual ~state_fs() = default;
  // nullopt when the file does not exist.
  virtual result<std::optional<bytes>> read(const std::string& name) = 0;
  virtual result<void> write(const std::string& name, bytes_view data) = 0;  // create or truncate, then write
  virtual result<void> sync(const std::string& name) = 0;
  virtual result<void> rename(const std::string& from, const std::string& to) = 0;
  virtual result<void> sync_dir() = 0;
};

// A directory on the real filesystem (POSIX open/write/fsync/rename).
class directory_fs final : public state_fs {
 public:
  explicit directory_fs(std::string dir) : dir_(std::move(dir)) {}
  result<std::optional<bytes>> read(const std::string& name) override;
  result<void> write(const std::string& name, bytes_view data) override;
  result<void> sync(const std::string& name) override;
  result<void> rename(const std::string& from, const std::string& to) override;
  result<void> sync_dir() override;

 private:
  std::string dir_;
};

class state_store {
 public:
  static constexpr const char* file_name = "trusted_state.json";
  explicit state_store(state_fs& fs) : fs_(&fs) {}
  // nullopt when nothing was ever saved.
  result<std::optional<trusted_state>> load();
  result<void> save(const trusted_state& s);
  // The stored bytes (for tests comparing state before and after an attack).
  result<std::optional<bytes>> raw();

 private:
  state_fs* fs_;
};

}  // namespace converge::trust
