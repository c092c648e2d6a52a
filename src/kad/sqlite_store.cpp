#include "kad/sqlite_store.hpp"

#include <sqlite3.h>

namespace converge::kad {

namespace {
error db_error(sqlite3* db, std::string_view what) {
  return error{make_error_code(kad_errc::store_failed), std::string(what) + ": " + sqlite3_errmsg(db)};
}

// A prepared statement, finalized on scope exit.
struct stmt {
  sqlite3_stmt* s = nullptr;
  ~stmt() { sqlite3_finalize(s); }
};

result<void> prepare(sqlite3* db, stmt& st, const char* sql) {
  if (sqlite3_prepare_v2(db, sql, -1, &st.s, nullptr) != SQLITE_OK) return fail(db_error(db, "prepare"));
  return ok();
}

void bind_blob(stmt& st, int i, bytes_view b) {
  sqlite3_bind_blob(st.s, i, b.empty() ? "" : static_cast<const void*>(b.data()), static_cast<int>(b.size()),
                    SQLITE_TRANSIENT);
}
}  // namespace

result<void> sqlite::exec(sqlite3* db, const char* sql) {
  char* msg = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &msg) != SQLITE_OK) {
    std::string m = msg ? msg : "unknown";
    sqlite3_free(msg);
    return fail(kad_errc::store_failed, std::string(sql).substr(0, 40) + ": " + m);
  }
  return ok();
}

result<std::unique_ptr<sqlite_record_store>> sqlite_record_store::open(const std::filesystem::path& file,
                                                                       std::shared_ptr<const validator_registry> reg,
                                                                       std::size_t max_records) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr) !=
      SQLITE_OK) {
    auto e = db_error(db, "opening " + file.string());
    sqlite3_close(db);
    return fail(e);
  }
  std::unique_ptr<sqlite_record_store> s(new sqlite_record_store(db, std::move(reg), max_records));
  for (const char* sql : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL",
                          "CREATE TABLE IF NOT EXISTS kad_records (key BLOB PRIMARY KEY, value BLOB NOT NULL)"}) {
    if (auto r = sqlite::exec(db, sql); !r) return fail(with_context(r.error(), "opening " + file.string()));
  }
  return s;
}

sqlite_record_store::~sqlite_record_store() { sqlite3_close(db_); }

result<std::optional<bytes>> sqlite_record_store::raw_get(bytes_view key) {
  stmt st;
  if (auto r = prepare(db_, st, "SELECT value FROM kad_records WHERE key = ?1"); !r) return fail(r.error());
  bind_blob(st, 1, key);
  int rc = sqlite3_step(st.s);
  if (rc == SQLITE_DONE) return std::optional<bytes>{};
  if (rc != SQLITE_ROW) return fail(db_error(db_, "reading a record"));
  auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(st.s, 0));
  auto n = static_cast<std::size_t>(sqlite3_column_bytes(st.s, 0));
  return std::optional<bytes>{bytes(p, p + n)};
}

result<std::optional<bytes>> sqlite_record_store::get(bytes_view key, wall_time now) {
  auto v = raw_get(key);
  if (!v || !*v) return v;
  if (!reg_->validate(key, **v, now)) return std::optional<bytes>{};
  return v;
}

result<std::size_t> sqlite_record_store::count() {
  stmt st;
  if (auto r = prepare(db_, st, "SELECT COUNT(*) FROM kad_records"); !r) return fail(r.error());
  if (sqlite3_step(st.s) != SQLITE_ROW) return fail(db_error(db_, "counting records"));
  return static_cast<std::size_t>(sqlite3_column_int64(st.s, 0));
}

result<put_outcome> sqlite_record_store::put(bytes_view key, bytes_view value, wall_time now) {
  // Cheap refusals first, outside the transaction.
  if (auto v = reg_->validate(key, value, now); !v) return fail(v.error());
  if (auto r = sqlite::exec(db_, "BEGIN IMMEDIATE"); !r) return fail(r.error());
  auto rollback = [&](error e) -> result<put_outcome> {
    (void)sqlite::exec(db_, "ROLLBACK");
    return fail(std::move(e));
  };
  auto cur = raw_get(key);
  if (!cur) return rollback(cur.error());
  std::optional<bytes> existing;
  if (*cur && reg_->validate(key, **cur, now)) existing = std::move(**cur);
  auto d = decide_put(*reg_, key, value, existing, now);
  if (!d) return rollback(d.error());
  if (*d == put_outcome::stored) {
    if (!*cur) {
      auto n = count();
      if (!n) return rollback(n.error());
      if (*n >= max_records_)
        return rollback(error{make_error_code(kad_errc::store_failed),
                              "record store full (" + std::to_string(max_records_) + " records)"});
    }
    stmt st;
    if (auto r = prepare(db_, st, "INSERT OR REPLACE INTO kad_records (key, value) VALUES (?1, ?2)"); !r)
      return rollback(r.error());
    bind_blob(st, 1, key);
    bind_blob(st, 2, value);
    if (sqlite3_step(st.s) != SQLITE_DONE) return rollback(db_error(db_, "writing a record"));
  }
  if (auto r = sqlite::exec(db_, "COMMIT"); !r) return rollback(r.error());
  return d;
}

}  // namespace converge::kad
