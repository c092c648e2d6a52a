#pragma once
// Typed field access for strict schema checks. Every error is
// trust_errc::invalid_metadata with the full field path first, e.g.
// "root.roles.targets.threshold: must be a positive integer".
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "trust/errors.hpp"

namespace converge::trust {

std::string field_path(std::string_view parent, std::string_view key);
std::unexpected<error> field_error(std::string_view path, std::string_view problem);

// The member `key` of `obj` (which must be an object); missing is an error.
result<const nlohmann::json*> require_field(const nlohmann::json& obj, std::string_view key, std::string_view path);
result<const nlohmann::json*> require_object(const nlohmann::json& obj, std::string_view key, std::string_view path);
result<const nlohmann::json*> require_array(const nlohmann::json& obj, std::string_view key, std::string_view path);
result<std::string> require_string(const nlohmann::json& obj, std::string_view key, std::string_view path);
result<bool> require_bool(const nlohmann::json& obj, std::string_view key, std::string_view path);
// An integer in [min, INT64_MAX]; floats and booleans are refused.
result<std::uint64_t> require_uint(const nlohmann::json& obj, std::string_view key, std::string_view path,
                                   std::uint64_t min);
// Interprets v itself (path already names it).
result<std::uint64_t> as_uint(const nlohmann::json& v, std::string_view path, std::uint64_t min);

}  // namespace converge::trust
