#pragma once
// JSON as TUF signs it.
//
// parse_json is a parser made strict for signed data: the input size and
// nesting depth are bounded, and an object with a repeated key is rejected
// (nlohmann would silently keep the last value, and two parsers disagreeing
// about which value counts is how signed metadata gets forged). It builds an
// nlohmann DOM; simdjson does the lexing (strict_json.cpp).
//
// encode_canonical is OLPC canonical JSON exactly as securesystemslib's
// encode_canonical writes it: object keys sorted by code point (= UTF-8 byte
// order), no whitespace, integers only (any float is refused), strings with
// only `"` and `\` escaped and every other byte (control characters and
// non-ASCII UTF-8 included) written raw. TUF signatures cover these bytes.
#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "trust/errors.hpp"

namespace converge::trust {

struct json_limits {
  std::size_t max_bytes = std::size_t{1} << 20;  // 1 MiB: far above any real TUF document
  std::size_t max_depth = 32;                    // containers nested inside each other
};

// Parses one JSON value (trailing garbage, comments, invalid UTF-8 and
// unpaired surrogates are errors). Fails with trust_errc::too_large over the
// limits and trust_errc::invalid_json otherwise; the detail says where.
result<nlohmann::json> parse_json(std::string_view text, const json_limits& limits = {});
// The same contract through nlohmann's parser alone: slower, and the judge of
// every input parse_json's fast path declines. Results and errors are equal.
result<nlohmann::json> parse_json_reference(std::string_view text, const json_limits& limits = {});

// Canonical form of a value; fails (trust_errc::invalid_json) on floats,
// binary values, strings that are not valid UTF-8, or nesting over max_depth.
result<std::string> encode_canonical(const nlohmann::json& value, std::size_t max_depth = 64);

// True when s is well-formed UTF-8 (no overlongs, surrogates or code points over U+10FFFF).
bool is_valid_utf8(std::string_view s) noexcept;

}  // namespace converge::trust
