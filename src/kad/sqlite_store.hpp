#pragma once
// The persistent record store: a record_store in one SQLite file (WAL,
// synchronous=FULL: a put that returned survives a crash). Every put is
// validated and compared with the stored value through the namespace's
// selector inside one transaction, so a refused value (invalid, oversized,
// stale, unknown namespace) changes nothing; get() re-validates and never
// returns a value that is not valid now (an expired IPNS record stays on
// disk but is not served; a later valid put replaces it).
#include <filesystem>
#include <memory>

#include "kad/records.hpp"

struct sqlite3;

namespace converge::kad {

class sqlite_record_store final : public record_store {
 public:
  static result<std::unique_ptr<sqlite_record_store>> open(const std::filesystem::path& file,
                                                           std::shared_ptr<const validator_registry> reg,
                                                           std::size_t max_records = 100'000);
  ~sqlite_record_store() override;
  sqlite_record_store(const sqlite_record_store&) = delete;
  sqlite_record_store& operator=(const sqlite_record_store&) = delete;

  result<put_outcome> put(bytes_view key, bytes_view value, wall_time now) override;
  result<std::optional<bytes>> get(bytes_view key, wall_time now) override;
  result<std::size_t> count();

 private:
  sqlite_record_store(sqlite3* db, std::shared_ptr<const validator_registry> reg, std::size_t max_records)
      : db_(db), reg_(std::move(reg)), max_records_(max_records) {}
  result<std::optional<bytes>> raw_get(bytes_view key);
  sqlite3* db_;
  std::shared_ptr<const validator_registry> reg_;
  std::size_t max_records_;
};

// A small helper shared with other SQLite users in this module family.
namespace sqlite {
result<void> exec(sqlite3* db, const char* sql);
}

}  // namespace converge::kad
