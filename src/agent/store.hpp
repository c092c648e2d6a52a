#pragma once
// The agent's persistent state: SQLite at <repo>/datastore/agent.db, WAL
// journal, synchronous=FULL, schema version in PRAGMA user_version.
//
// The core writes every state transition as one `transition` committed in one
// transaction, so after a crash the DB holds either the old or the new state,
// never half of one. A file that is not a database, is torn, or fails
// `PRAGMA quick_check` gives agent_errc::store_corrupt naming the file; a
// newer schema gives agent_errc::store_version.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agent/errors.hpp"
#include "agent/phase.hpp"
#include "base/bytes.hpp"

struct sqlite3;

namespace converge::agent {

inline constexpr int store_schema_version = 1;

struct installed_release {
  std::string release_hash;  // sha256 hex of the release's targets document
  std::string channel;
  std::uint64_t sequence = 0;
  std::string semver;
  std::string artifact_path;  // TUF target path
  std::string sha256;         // hex
  std::string cid;
  std::string package_path;   // local copy of the installed package (a delta base later)
  heard_via via = heard_via::gossip;
  std::string fetched_as;     // "delta" | "full"
  std::uint64_t bytes_fetched = 0;
  std::int64_t heard_at = 0;     // Unix seconds
  std::int64_t installed_at = 0; // Unix seconds
};

// The one update in progress (at most one row).
struct attempt_record {
  std::string release_hash;  // "" while announced (not yet verified)
  phase ph = phase::announced;
  phase retry_from = phase::verified;  // where a failed attempt resumes
  bytes bundle;
  heard_via via = heard_via::gossip;
  std::uint64_t sequence = 0;
  std::string semver;
  std::string plan;          // JSON text: what the core needs to resume (see plan.hpp)
  std::uint32_t attempts = 0;   // failures so far
  std::optional<std::int64_t> next_attempt_at;  // Unix seconds
  std::string last_error;
  std::uint64_t bytes_fetched = 0;
  std::string fetched_as;    // "delta" | "full" | ""
  bool avoid_delta = false;  // a delta failed once: fetch the full artifact from now on
  std::string fetched_path;
  std::string package_path;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
};

struct history_event {
  std::int64_t at = 0;  // Unix seconds
  std::string kind;     // e.g. "verified", "installed", "failed", "superseded", "equivocation"
  std::string release_hash;
  std::string detail;
};

// What one transition changes; applied atomically by store::commit.
struct transition {
  std::optional<attempt_record> attempt = {};  // replaces the attempt row
  bool clear_attempt = false;                  // deletes it (applied before `attempt`)
  std::optional<installed_release> installed = {};
  std::vector<std::pair<std::string, std::string>> mark_bad = {};  // release hash, reason
  std::vector<history_event> events = {};
};

class store {
 public:
  static constexpr std::size_t default_history = 200;

  // Opens or creates the DB (the parent directory must exist).
  static result<std::unique_ptr<store>> open(const std::filesystem::path& file,
                                             std::size_t max_history = default_history);
  ~store();
  store(const store&) = delete;
  store& operator=(const store&) = delete;

  result<std::optional<bytes>> salt();
  result<void> set_salt(bytes_view salt);
  result<std::optional<installed_release>> installed();
  result<std::optional<attempt_record>> attempt();
  result<bool> is_bad(std::string_view release_hash);
  result<std::vector<history_event>> history(std::size_t max);  // newest last
  result<void> commit(const transition& t);

  [[nodiscard]] const std::filesystem::path& file() const { return file_; }

 private:
  store(sqlite3* db, std::filesystem::path f, std::size_t h) : db_(db), file_(std::move(f)), max_history_(h) {}
  result<void> apply(const transition& t);
  sqlite3* db_;
  std::filesystem::path file_;
  std::size_t max_history_;
};

}  // namespace converge::agent
