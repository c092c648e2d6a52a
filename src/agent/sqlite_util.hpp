#pragma once
// A thin RAII layer over the SQLite C API for the agent's store: prepared
// statements that bind and read by column index, and errors mapped to
// agent_errc (SQLITE_NOTADB and SQLITE_CORRUPT become store_corrupt).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <sqlite3.h>

#include "agent/errors.hpp"
#include "base/bytes.hpp"

namespace converge::agent::sql {

error db_error(sqlite3* db, std::string_view what);
result<void> exec(sqlite3* db, const char* sql);

class statement {
 public:
  static result<statement> prepare(sqlite3* db, const char* sql);
  statement(statement&& o) noexcept : db_(o.db_), s_(std::exchange(o.s_, nullptr)) {}
  statement& operator=(statement&&) = delete;
  ~statement() { sqlite3_finalize(s_); }

  statement& bind(int i, std::string_view v);
  statement& bind(int i, bytes_view v);
  statement& bind(int i, std::int64_t v);
  statement& bind(int i, std::optional<std::int64_t> v);

  // SQLITE_ROW -> true, SQLITE_DONE -> false, anything else an error naming `what`.
  result<bool> step(std::string_view what);
  std::string text(int col) const;
  bytes blob(int col) const;
  std::int64_t integer(int col) const;
  std::optional<std::int64_t> maybe_integer(int col) const;

 private:
  statement(sqlite3* db, sqlite3_stmt* s) : db_(db), s_(s) {}
  sqlite3* db_;
  sqlite3_stmt* s_;
};

}  // namespace converge::agent::sql
