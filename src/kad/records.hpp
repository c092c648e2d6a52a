#pragma once
// Record validation and the record store interface (libp2p/specs kad-dht
// README.md, "Value storage and retrieval"; go-libp2p-record's namespaced
// validator). A key is "/<namespace>/<rest>"; each namespace has a validator
// that says whether a value is acceptable now and which of several valid
// values is best. A key with no registered namespace is never stored: there
// is no way to tell a good value from a forged one.
//
// record_store is the validated store the DHT core talks to: put() validates,
// compares with the stored value through the selector and keeps the better;
// get() re-validates (records expire) and never returns an invalid value.
// memory_record_store is the in-memory one; the SQLite one lives in
// kad/sqlite_store.hpp.
#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "base/bytes.hpp"
#include "base/clock.hpp"
#include "kad/errors.hpp"

namespace converge::kad {

class validator {
 public:
  virtual ~validator() = default;
  // Fails with kad_errc::invalid_record (detail: why) when `value` is not acceptable under `key` at `now`.
  [[nodiscard]] virtual result<void> validate(bytes_view key, bytes_view value, wall_time now) const = 0;
  // Index of the best of `values` (all already valid, at least one). Ties go to the lowest index.
  [[nodiscard]] virtual std::size_t select(bytes_view key, std::span<const bytes> values) const = 0;
  [[nodiscard]] virtual std::size_t max_value_size() const = 0;
};

// "/pk/<peer ID multihash>" -> the peer's public key protobuf.
class public_key_validator final : public validator {
 public:
  [[nodiscard]] result<void> validate(bytes_view key, bytes_view value, wall_time now) const override;
  [[nodiscard]] std::size_t select(bytes_view, std::span<const bytes>) const override { return 0; }
  [[nodiscard]] std::size_t max_value_size() const override { return 2048; }
};

// The namespace of a key: "ipns" for "/ipns/...". Fails for keys not of the form "/ns/rest".
result<std::string> key_namespace(bytes_view key);

class validator_registry {
 public:
  void add(std::string ns, std::shared_ptr<const validator> v) { validators_[std::move(ns)] = std::move(v); }
  [[nodiscard]] result<const validator*> find(bytes_view key) const;
  // Namespace known, size within its bound, validator accepts.
  [[nodiscard]] result<void> validate(bytes_view key, bytes_view value, wall_time now) const;
  [[nodiscard]] result<std::size_t> select(bytes_view key, std::span<const bytes> values) const;

 private:
  std::map<std::string, std::shared_ptr<const validator>, std::less<>> validators_;
};

enum class put_outcome { stored, unchanged };

// Decides a put against the stored value (nullopt: none or no longer valid):
// stored when new is better, unchanged when equal, stale_record when it loses.
result<put_outcome> decide_put(const validator_registry& reg, bytes_view key, bytes_view value,
                               const std::optional<bytes>& existing, wall_time now);

class record_store {
 public:
  virtual ~record_store() = default;
  virtual result<put_outcome> put(bytes_view key, bytes_view value, wall_time now) = 0;
  // The stored value if it is still valid at `now`; nullopt otherwise.
  virtual result<std::optional<bytes>> get(bytes_view key, wall_time now) = 0;
};

class memory_record_store final : public record_store {
 public:
  explicit memory_record_store(std::shared_ptr<const validator_registry> reg, std::size_t max_records = 10'000)
      : reg_(std::move(reg)), max_records_(max_records) {}
  result<put_outcome> put(bytes_view key, bytes_view value, wall_time now) override;
  result<std::optional<bytes>> get(bytes_view key, wall_time now) override;
  [[nodiscard]] std::size_t size() const { return records_.size(); }

 private:
  std::shared_ptr<const validator_registry> reg_;
  std::size_t max_records_;
  std::map<bytes, bytes> records_;
};

}  // namespace converge::kad
