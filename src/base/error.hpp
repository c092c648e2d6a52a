#pragma once
// The error model: every module has its own std::error_code category (an enum
// plus make_error_code), and fallible functions return result<T>, which is
// std::expected<T, error>. An error carries the code (what kind of failure,
// comparable in tests) and a detail string (what exactly failed, for people).
// Exceptions never cross a module boundary.
#include <expected>
#include <string>
#include <system_error>
#include <utility>

namespace converge {

struct error {
  std::error_code code;
  std::string detail;

  // "<category>: <code message>: <detail>", one line, for logs and CLI output.
  [[nodiscard]] std::string message() const;
};

template <class T>
using result = std::expected<T, error>;

// A success value for result<void>.
inline constexpr std::expected<void, error> ok() { return {}; }

template <class E>
  requires std::is_error_code_enum_v<E>
[[nodiscard]] std::unexpected<error> fail(E code, std::string detail = {}) {
  return std::unexpected<error>(error{make_error_code(code), std::move(detail)});
}

[[nodiscard]] inline std::unexpected<error> fail(error e) { return std::unexpected<error>(std::move(e)); }

// Prefixes context to an error as it travels up: "parsing key file: " + inner detail.
[[nodiscard]] error with_context(error e, std::string_view context);

// Errors of the base module (varints, hex, byte readers).
enum class base_errc {
  truncated = 1,   // input ended before the value did; a stream may wait for more
  overflow,        // value does not fit (varint over 9 bytes or 63 bits)
  not_minimal,     // varint encoded with redundant trailing zero groups
  invalid_hex,     // odd length or a non-hex character
  too_large,       // a length prefix exceeds the caller's bound
  invalid_argument,
  io,              // file system error; detail names the path
};
const std::error_category& base_category() noexcept;
inline std::error_code make_error_code(base_errc e) noexcept { return {static_cast<int>(e), base_category()}; }

}  // namespace converge

template <>
struct std::is_error_code_enum<converge::base_errc> : std::true_type {};
