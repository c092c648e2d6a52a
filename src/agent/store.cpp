#include "agent/store.hpp"

#include "agent/sqlite_util.hpp"

namespace converge::agent {
namespace {

// Schema version 1. Single-row tables use id = 1.
constexpr const char* schema_v1 = R"sql(
CREATE TABLE device (id INTEGER PRIMARY KEY CHECK (id = 1), salt BLOB NOT NULL);
CREATE TABLE installed (
  id INTEGER PRIMARY KEY CHECK (id = 1), release_hash TEXT NOT NULL, channel TEXT NOT NULL,
  sequence INTEGER NOT NULL, semver TEXT NOT NULL, artifact_path TEXT NOT NULL, sha256 TEXT NOT NULL,
  cid TEXT NOT NULL, package_path TEXT NOT NULL, heard_via TEXT NOT NULL, fetched_as TEXT NOT NULL,
  bytes_fetched INTEGER NOT NULL, heard_at INTEGER NOT NULL, installed_at INTEGER NOT NULL);
CREATE TABLE attempt (
  id INTEGER PRIMARY KEY CHECK (id = 1), release_hash TEXT NOT NULL, phase TEXT NOT NULL,
  retry_from TEXT NOT NULL, bundle BLOB NOT NULL, heard_via TEXT NOT NULL, sequence INTEGER NOT NULL,
  semver TEXT NOT NULL, plan TEXT NOT NULL, attempts INTEGER NOT NULL, next_attempt_at INTEGER,
  last_error TEXT NOT NULL, bytes_fetched INTEGER NOT NULL, fetched_as TEXT NOT NULL,
  avoid_delta INTEGER NOT NULL, fetched_path TEXT NOT NULL, package_path TEXT NOT NULL,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE bad_releases (release_hash TEXT PRIMARY KEY, reason TEXT NOT NULL);
CREATE TABLE history (
  id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, kind TEXT NOT NULL,
  release_hash TEXT NOT NULL, detail TEXT NOT NULL);
PRAGMA user_version = 1;
)sql";

std::int64_t i64(std::uint64_t v) { return static_cast<std::int64_t>(v); }
std::uint64_t u64(std::int64_t v) { return static_cast<std::uint64_t>(v); }

error corrupt(const std::filesystem::path& f, const std::string& why) {
  return error{make_error_code(agent_errc::store_corrupt),
               f.string() + ": " + why + "; move the file aside to start the agent over (it re-verifies and re-fetches)"};
}

result<int> user_version(sqlite3* db) {
  auto st = sql::statement::prepare(db, "PRAGMA user_version");
  if (!st) return fail(st.error());
  auto row = st->step("reading the schema version");
  if (!row) return fail(row.error());
  return static_cast<int>(*row ? st->integer(0) : 0);
}

// quick_check answers one row "ok" or rows naming the damage.
result<void> quick_check(sqlite3* db, const std::filesystem::path& f) {
  auto st = sql::statement::prepare(db, "PRAGMA quick_check(1)");
  if (!st) return fail(st.error());
  auto row = st->step("checking integrity");
  if (!row) return fail(row.error());
  if (*row && st->text(0) != "ok") return fail(corrupt(f, "integrity check failed: " + st->text(0)));
  return ok();
}

}  // namespace

result<std::unique_ptr<store>> store::open(const std::filesystem::path& file, std::size_t max_history) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                           nullptr);
  std::unique_ptr<store> s(new store(db, file, max_history));  // closes db on every path
  if (rc != SQLITE_OK) return fail(sql::db_error(db, "opening " + file.string()));
  sqlite3_busy_timeout(db, 5000);
  auto setup = [&]() -> result<void> {
    for (const char* p : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON"})
      if (auto r = sql::exec(db, p); !r) return r;
    if (auto r = quick_check(db, file); !r) return r;
    auto v = user_version(db);
    if (!v) return fail(v.error());
    if (*v > store_schema_version)
      return fail(agent_errc::store_version, file.string() + ": schema version " + std::to_string(*v) +
                                                 " is newer than this build's " +
                                                 std::to_string(store_schema_version));
    if (*v == 0) {
      if (auto r = sql::exec(db, "BEGIN IMMEDIATE"); !r) return r;
      if (auto r = sql::exec(db, schema_v1); !r) {
        (void)sql::exec(db, "ROLLBACK");
        return r;
      }
      if (auto r = sql::exec(db, "COMMIT"); !r) return r;
    }
    return ok();
  };
  if (auto r = setup(); !r) {
    if (r.error().code == agent_errc::store_corrupt && r.error().detail.find(file.string()) == std::string::npos)
      return fail(corrupt(file, r.error().detail));
    return fail(with_context(r.error(), "opening " + file.string()));
  }
  return s;
}

store::~store() { sqlite3_close(db_); }

result<std::optional<bytes>> store::salt() {
  auto st = sql::statement::prepare(db_, "SELECT salt FROM device WHERE id = 1");
  if (!st) return fail(st.error());
  auto row = st->step("reading the device salt");
  if (!row) return fail(row.error());
  if (!*row) return std::optional<bytes>{};
  return std::optional<bytes>{st->blob(0)};
}

result<void> store::set_salt(bytes_view salt) {
  auto st = sql::statement::prepare(db_, "INSERT OR REPLACE INTO device (id, salt) VALUES (1, ?1)");
  if (!st) return fail(st.error());
  st->bind(1, salt);
  if (auto r = st->step("writing the device salt"); !r) return fail(r.error());
  return ok();
}

result<std::optional<installed_release>> store::installed() {
  auto st = sql::statement::prepare(db_,
      "SELECT release_hash, channel, sequence, semver, artifact_path, sha256, cid, package_path, heard_via, "
      "fetched_as, bytes_fetched, heard_at, installed_at FROM installed WHERE id = 1");
  if (!st) return fail(st.error());
  auto row = st->step("reading the installed release");
  if (!row) return fail(row.error());
  if (!*row) return std::optional<installed_release>{};
  installed_release r{st->text(0), st->text(1), u64(st->integer(2)), st->text(3), st->text(4), st->text(5),
                      st->text(6), st->text(7), heard_via::gossip, st->text(9), u64(st->integer(10)),
                      st->integer(11), st->integer(12)};
  auto via = heard_via_from_string(st->text(8));
  if (!via) return fail(agent_errc::bad_state, "installed.heard_via: unknown value \"" + st->text(8) + "\"");
  r.via = *via;
  return std::optional<installed_release>{std::move(r)};
}

result<std::optional<attempt_record>> store::attempt() {
  auto st = sql::statement::prepare(db_,
      "SELECT release_hash, phase, retry_from, bundle, heard_via, sequence, semver, plan, attempts, "
      "next_attempt_at, last_error, bytes_fetched, fetched_as, avoid_delta, fetched_path, package_path, "
      "created_at, updated_at FROM attempt WHERE id = 1");
  if (!st) return fail(st.error());
  auto row = st->step("reading the current attempt");
  if (!row) return fail(row.error());
  if (!*row) return std::optional<attempt_record>{};
  attempt_record a;
  a.release_hash = st->text(0);
  auto ph = phase_from_string(st->text(1));
  auto from = phase_from_string(st->text(2));
  auto via = heard_via_from_string(st->text(4));
  if (!ph || !from || !via)
    return fail(agent_errc::bad_state, "attempt: unknown phase, retry_from or heard_via (\"" + st->text(1) + "\", \"" +
                                           st->text(2) + "\", \"" + st->text(4) + "\")");
  a.ph = *ph;
  a.retry_from = *from;
  a.bundle = st->blob(3);
  a.via = *via;
  a.sequence = u64(st->integer(5));
  a.semver = st->text(6);
  a.plan = st->text(7);
  a.attempts = static_cast<std::uint32_t>(st->integer(8));
  a.next_attempt_at = st->maybe_integer(9);
  a.last_error = st->text(10);
  a.bytes_fetched = u64(st->integer(11));
  a.fetched_as = st->text(12);
  a.avoid_delta = st->integer(13) != 0;
  a.fetched_path = st->text(14);
  a.package_path = st->text(15);
  a.created_at = st->integer(16);
  a.updated_at = st->integer(17);
  return std::optional<attempt_record>{std::move(a)};
}

result<bool> store::is_bad(std::string_view release_hash) {
  auto st = sql::statement::prepare(db_, "SELECT 1 FROM bad_releases WHERE release_hash = ?1");
  if (!st) return fail(st.error());
  st->bind(1, release_hash);
  return st->step("reading the bad releases");
}

result<std::vector<history_event>> store::history(std::size_t max) {
  auto st = sql::statement::prepare(db_,
      "SELECT at, kind, release_hash, detail FROM (SELECT * FROM history ORDER BY id DESC LIMIT ?1) ORDER BY id");
  if (!st) return fail(st.error());
  st->bind(1, i64(max));
  std::vector<history_event> out;
  for (;;) {
    auto row = st->step("reading the history");
    if (!row) return fail(row.error());
    if (!*row) break;
    out.push_back({st->integer(0), st->text(1), st->text(2), st->text(3)});
  }
  return out;
}

result<void> store::commit(const transition& t) {
  if (auto r = sql::exec(db_, "BEGIN IMMEDIATE"); !r) return r;
  if (auto r = apply(t); !r) {
    (void)sql::exec(db_, "ROLLBACK");
    return r;
  }
  if (auto r = sql::exec(db_, "COMMIT"); !r) {
    (void)sql::exec(db_, "ROLLBACK");
    return r;
  }
  return ok();
}

}  // namespace converge::agent
