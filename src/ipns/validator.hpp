#pragma once
// IPNS in the DHT: the "/ipns/" namespace validator, with converge's rollback
// protection. A sequence_store remembers, per name, the highest sequence of
// any valid record seen (persisted in SQLite, so it survives restarts); the
// validator refuses a record whose sequence is lower, even if it is validly
// signed and not expired (an attacker replaying an old record). Equal
// sequences pass (the selector then prefers the later EOL).
#include <filesystem>
#include <memory>
#include <optional>

#include "ipns/record.hpp"
#include "kad/records.hpp"

struct sqlite3;

namespace converge::ipns {

class sequence_store {
 public:
  // ":memory:" for a store that forgets at exit.
  static result<std::unique_ptr<sequence_store>> open(const std::filesystem::path& file);
  ~sequence_store();
  sequence_store(const sequence_store&) = delete;
  sequence_store& operator=(const sequence_store&) = delete;

  result<std::optional<std::uint64_t>> highest(const crypto::peer_id& name);
  // Raises the name's highest sequence to `seq` (never lowers it).
  result<void> observe(const crypto::peer_id& name, std::uint64_t seq);
  // Fails with sequence_rollback when seq is below the highest seen.
  result<void> check(const crypto::peer_id& name, std::uint64_t seq);

 private:
  explicit sequence_store(sqlite3* db) : db_(db) {}
  sqlite3* db_;
};

class ipns_validator final : public kad::validator {
 public:
  // `seen` may be null (no rollback protection, e.g. a DHT server that only relays).
  explicit ipns_validator(std::shared_ptr<sequence_store> seen = nullptr) : seen_(std::move(seen)) {}
  [[nodiscard]] result<void> validate(bytes_view key, bytes_view value, wall_time now) const override;
  [[nodiscard]] std::size_t select(bytes_view, std::span<const bytes> values) const override { return ipns::select(values); }
  [[nodiscard]] std::size_t max_value_size() const override { return max_record_size; }

 private:
  std::shared_ptr<sequence_store> seen_;
};

}  // namespace converge::ipns
