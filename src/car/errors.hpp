#pragma once
// Errors of the car module (CARv1 / CARv2 archives).
#include <system_error>

#include "base/error.hpp"

namespace converge::car {

enum class car_errc {
  malformed_header = 1,  // the header is not the dag-cbor {roots, version} map (detail says why)
  unsupported_version,   // a version other than 1 or 2
  malformed_section,     // a section's length or CID is invalid
  bad_block,             // a block does not match its CID (detail names the CID and offset)
  too_large,             // a header, section or buffer over its bound
  truncated,             // input ended inside the header or a section
  io,
  invalid_argument,
};

const std::error_category& car_category() noexcept;
inline std::error_code make_error_code(car_errc e) noexcept { return {static_cast<int>(e), car_category()}; }

}  // namespace converge::car

template <>
struct std::is_error_code_enum<converge::car::car_errc> : std::true_type {};
