#include "ipns/validator.hpp"

#include <sqlite3.h>

#include "kad/errors.hpp"

namespace converge::ipns {

namespace {
error db_error(sqlite3* db, std::string_view what) {
  return error{make_error_code(ipns_errc::store_failed), std::string(what) + ": " + sqlite3_errmsg(db)};
}
struct stmt {
  sqlite3_stmt* s = nullptr;
  ~stmt() { sqlite3_finalize(s); }
};
}  // namespace

result<std::unique_ptr<sequence_store>> sequence_store::open(const std::filesystem::path& file) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr) !=
      SQLITE_OK) {
    auto e = db_error(db, "opening " + file.string());
    sqlite3_close(db);
    return fail(e);
  }
  std::unique_ptr<sequence_store> s(new sequence_store(db));
  for (const char* sql : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL",
                          "CREATE TABLE IF NOT EXISTS ipns_sequences (name BLOB PRIMARY KEY, seq INTEGER NOT NULL)"}) {
    if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK)
      return fail(db_error(db, "opening " + file.string()));
  }
  return s;
}

sequence_store::~sequence_store() { sqlite3_close(db_); }

result<std::optional<std::uint64_t>> sequence_store::highest(const crypto::peer_id& name) {
  stmt st;
  if (sqlite3_prepare_v2(db_, "SELECT seq FROM ipns_sequences WHERE name = ?1", -1, &st.s, nullptr) != SQLITE_OK)
    return fail(db_error(db_, "prepare"));
  const auto& n = name.to_bytes();
  sqlite3_bind_blob(st.s, 1, n.data(), static_cast<int>(n.size()), SQLITE_TRANSIENT);
  int rc = sqlite3_step(st.s);
  if (rc == SQLITE_DONE) return std::optional<std::uint64_t>{};
  if (rc != SQLITE_ROW) return fail(db_error(db_, "reading a sequence"));
  // Stored as the two's-complement int64 of the uint64.
  return std::optional<std::uint64_t>{static_cast<std::uint64_t>(sqlite3_column_int64(st.s, 0))};
}

result<void> sequence_store::observe(const crypto::peer_id& name, std::uint64_t seq) {
  auto cur = highest(name);
  if (!cur) return fail(cur.error());
  if (*cur && **cur >= seq) return ok();
  stmt st;
  if (sqlite3_prepare_v2(db_, "INSERT OR REPLACE INTO ipns_sequences (name, seq) VALUES (?1, ?2)", -1, &st.s,
                         nullptr) != SQLITE_OK)
    return fail(db_error(db_, "prepare"));
  const auto& n = name.to_bytes();
  sqlite3_bind_blob(st.s, 1, n.data(), static_cast<int>(n.size()), SQLITE_TRANSIENT);
  sqlite3_bind_int64(st.s, 2, static_cast<sqlite3_int64>(seq));
  if (sqlite3_step(st.s) != SQLITE_DONE) return fail(db_error(db_, "writing a sequence"));
  return ok();
}

result<void> sequence_store::check(const crypto::peer_id& name, std::uint64_t seq) {
  auto cur = highest(name);
  if (!cur) return fail(cur.error());
  if (*cur && seq < **cur)
    return fail(ipns_errc::sequence_rollback, "sequence " + std::to_string(seq) + " is below " +
                                                  std::to_string(**cur) + ", already seen for " + name_string(name));
  return ok();
}

result<void> ipns_validator::validate(bytes_view key, bytes_view value, wall_time now) const {
  auto refuse = [](const error& e) { return fail(kad::kad_errc::invalid_record, e.message()); };
  auto name = name_from_routing_key(key);
  if (!name) return refuse(name.error());
  auto rec = ipns::validate(*name, value, now);
  if (!rec) return refuse(rec.error());
  if (seen_) {
    if (auto c = seen_->check(*name, rec->sequence); !c) return refuse(c.error());
    if (auto o = seen_->observe(*name, rec->sequence); !o) return refuse(o.error());
  }
  return ok();
}

}  // namespace converge::ipns
