#include "kad/records.hpp"

#include <algorithm>

#include "crypto/keys.hpp"
#include "crypto/peer_id.hpp"

namespace converge::kad {

result<std::string> key_namespace(bytes_view key) {
  auto s = as_chars(key);
  if (s.size() < 3 || s[0] != '/')
    return fail(kad_errc::unknown_namespace, "record key does not start with '/<namespace>/'");
  auto slash = s.find('/', 1);
  if (slash == std::string_view::npos || slash == 1)
    return fail(kad_errc::unknown_namespace, "record key has no '/<namespace>/' prefix");
  return std::string(s.substr(1, slash - 1));
}

result<void> public_key_validator::validate(bytes_view key, bytes_view value, wall_time) const {
  auto s = as_chars(key);
  if (s.substr(0, 4) != "/pk/") return fail(kad_errc::invalid_record, "a /pk key must start with \"/pk/\"");
  auto id = crypto::peer_id::from_bytes(key.subspan(4));
  if (!id) return fail(kad_errc::invalid_record, "/pk key does not hold a peer ID: " + id.error().message());
  auto pk = crypto::public_key::from_protobuf(value);
  if (!pk) return fail(kad_errc::invalid_record, "/pk value is not a public key: " + pk.error().message());
  if (!id->matches(*pk)) return fail(kad_errc::invalid_record, "/pk value is not the key of " + id->to_string());
  return ok();
}

result<const validator*> validator_registry::find(bytes_view key) const {
  auto ns = key_namespace(key);
  if (!ns) return fail(ns.error());
  auto it = validators_.find(*ns);
  if (it == validators_.end()) return fail(kad_errc::unknown_namespace, "no validator for namespace \"" + *ns + "\"");
  return it->second.get();
}

result<void> validator_registry::validate(bytes_view key, bytes_view value, wall_time now) const {
  auto v = find(key);
  if (!v) return fail(v.error());
  if (value.size() > (*v)->max_value_size())
    return fail(kad_errc::record_too_large, "value of " + std::to_string(value.size()) + " bytes exceeds the " +
                                                std::to_string((*v)->max_value_size()) + "-byte bound of its namespace");
  return (*v)->validate(key, value, now);
}

result<std::size_t> validator_registry::select(bytes_view key, std::span<const bytes> values) const {
  if (values.empty()) return fail(kad_errc::invalid_argument, "select among no values");
  auto v = find(key);
  if (!v) return fail(v.error());
  auto i = (*v)->select(key, values);
  if (i >= values.size()) return fail(kad_errc::invalid_argument, "selector returned an index out of range");
  return i;
}

result<put_outcome> decide_put(const validator_registry& reg, bytes_view key, bytes_view value,
                               const std::optional<bytes>& existing, wall_time now) {
  if (auto v = reg.validate(key, value, now); !v) return fail(v.error());
  if (!existing) return put_outcome::stored;
  if (equal(*existing, value)) return put_outcome::unchanged;
  // The stored value goes first: on a tie it stays.
  std::array<bytes, 2> both{*existing, to_bytes(value)};
  auto best = reg.select(key, both);
  if (!best) return fail(best.error());
  if (*best == 0) return fail(kad_errc::stale_record, "the stored record is better than the offered one");
  return put_outcome::stored;
}

result<put_outcome> memory_record_store::put(bytes_view key, bytes_view value, wall_time now) {
  auto cur = get(key, now);
  if (!cur) return fail(cur.error());
  auto d = decide_put(*reg_, key, value, *cur, now);
  if (!d) return d;
  if (*d == put_outcome::stored) {
    auto k = to_bytes(key);
    if (!records_.contains(k) && records_.size() >= max_records_)
      return fail(kad_errc::store_failed, "record store full (" + std::to_string(max_records_) + " records)");
    records_[std::move(k)] = to_bytes(value);
  }
  return d;
}

result<std::optional<bytes>> memory_record_store::get(bytes_view key, wall_time now) {
  auto it = records_.find(to_bytes(key));
  if (it == records_.end()) return std::optional<bytes>{};
  if (!reg_->validate(key, it->second, now)) {
    records_.erase(it);  // expired (or a validator got stricter): never served again
    return std::optional<bytes>{};
  }
  return std::optional<bytes>{it->second};
}

}  // namespace converge::kad
