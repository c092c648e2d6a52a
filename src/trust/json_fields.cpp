#include "trust/json_fields.hpp"

#include <limits>

namespace converge::trust {

std::string field_path(std::string_view parent, std::string_view key) {
  std::string p(parent);
  if (!p.empty()) p += '.';
  p += key;
  return p;
}

std::unexpected<error> field_error(std::string_view path, std::string_view problem) {
  std::string d(path);
  d += ": ";
  d += problem;
  return fail(trust_errc::invalid_metadata, std::move(d));
}

result<const nlohmann::json*> require_field(const nlohmann::json& obj, std::string_view key, std::string_view path) {
  if (!obj.is_object()) return field_error(path, "must be an object");
  auto it = obj.find(std::string(key));
  if (it == obj.end()) return field_error(field_path(path, key), "is missing");
  return &*it;
}

result<const nlohmann::json*> require_object(const nlohmann::json& obj, std::string_view key, std::string_view path) {
  auto f = require_field(obj, key, path);
  if (!f) return f;
  if (!(*f)->is_object()) return field_error(field_path(path, key), "must be an object");
  return f;
}

result<const nlohmann::json*> require_array(const nlohmann::json& obj, std::string_view key, std::string_view path) {
  auto f = require_field(obj, key, path);
  if (!f) return f;
  if (!(*f)->is_array()) return field_error(field_path(path, key), "must be an array");
  return f;
}

result<std::string> require_string(const nlohmann::json& obj, std::string_view key, std::string_view path) {
  auto f = require_field(obj, key, path);
  if (!f) return fail(f.error());
  if (!(*f)->is_string()) return field_error(field_path(path, key), "must be a string");
  return (*f)->get<std::string>();
}

result<bool> require_bool(const nlohmann::json& obj, std::string_view key, std::string_view path) {
  auto f = require_field(obj, key, path);
  if (!f) return fail(f.error());
  if (!(*f)->is_boolean()) return field_error(field_path(path, key), "must be a boolean");
  return (*f)->get<bool>();
}

result<std::uint64_t> as_uint(const nlohmann::json& v, std::string_view path, std::uint64_t min) {
  std::string want = min == 0 ? "must be a non-negative integer" : min == 1 ? "must be a positive integer"
                                                                            : "must be an integer >= " + std::to_string(min);
  std::uint64_t n;
  if (v.is_number_unsigned()) n = v.get<std::uint64_t>();
  else if (v.is_number_integer() && v.get<std::int64_t>() >= 0) n = static_cast<std::uint64_t>(v.get<std::int64_t>());
  else return field_error(path, want);
  if (n < min || n > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return field_error(path, want);
  return n;
}

result<std::uint64_t> require_uint(const nlohmann::json& obj, std::string_view key, std::string_view path,
                                   std::uint64_t min) {
  auto f = require_field(obj, key, path);
  if (!f) return fail(f.error());
  return as_uint(**f, field_path(path, key), min);
}

}  // namespace converge::trust
