#include "agent/sqlite_util.hpp"

namespace converge::agent::sql {

error db_error(sqlite3* db, std::string_view what) {
  int code = db ? sqlite3_errcode(db) : SQLITE_CANTOPEN;
  std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
  auto errc = (code == SQLITE_NOTADB || code == SQLITE_CORRUPT) ? agent_errc::store_corrupt : agent_errc::store_failed;
  return error{make_error_code(errc), std::string(what) + ": " + msg};
}

result<void> exec(sqlite3* db, const char* sql) {
  char* msg = nullptr;
  int rc = sqlite3_exec(db, sql, nullptr, nullptr, &msg);
  if (rc == SQLITE_OK) return ok();
  std::string m = msg ? msg : sqlite3_errstr(rc);
  sqlite3_free(msg);
  auto errc = (rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT) ? agent_errc::store_corrupt : agent_errc::store_failed;
  return fail(errc, std::string(sql).substr(0, 48) + ": " + m);
}

result<statement> statement::prepare(sqlite3* db, const char* sql) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &s, nullptr) != SQLITE_OK) {
    sqlite3_finalize(s);
    return fail(db_error(db, std::string("preparing ") + std::string(sql).substr(0, 48)));
  }
  return statement(db, s);
}

statement& statement::bind(int i, std::string_view v) {
  sqlite3_bind_text(s_, i, v.data() ? v.data() : "", static_cast<int>(v.size()), SQLITE_TRANSIENT);
  return *this;
}
statement& statement::bind(int i, bytes_view v) {
  sqlite3_bind_blob(s_, i, v.empty() ? "" : static_cast<const void*>(v.data()), static_cast<int>(v.size()),
                    SQLITE_TRANSIENT);
  return *this;
}
statement& statement::bind(int i, std::int64_t v) {
  sqlite3_bind_int64(s_, i, v);
  return *this;
}
statement& statement::bind(int i, std::optional<std::int64_t> v) {
  if (v) return bind(i, *v);
  sqlite3_bind_null(s_, i);
  return *this;
}

result<bool> statement::step(std::string_view what) {
  int rc = sqlite3_step(s_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return fail(db_error(db_, what));
}

std::string statement::text(int col) const {
  auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_, col));
  return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(s_, col))) : std::string{};
}
bytes statement::blob(int col) const {
  auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(s_, col));
  auto n = static_cast<std::size_t>(sqlite3_column_bytes(s_, col));
  return p ? bytes(p, p + n) : bytes{};
}
std::int64_t statement::integer(int col) const { return sqlite3_column_int64(s_, col); }
std::optional<std::int64_t> statement::maybe_integer(int col) const {
  if (sqlite3_column_type(s_, col) == SQLITE_NULL) return std::nullopt;
  return sqlite3_column_int64(s_, col);
}

}  // namespace converge::agent::sql
