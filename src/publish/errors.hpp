#pragma once
// Errors of the publisher. The detail names the file, flag or release involved.
#include <system_error>

#include "base/error.hpp"

namespace converge::publish {

enum class publish_errc {
  bad_request = 1,  // a flag or input file the publisher cannot use
  keys,             // key files unreadable, or too few keys for a role's threshold
  workspace,        // the workspace directory is missing, malformed or locked
  io,               // file system failure; detail names the path
  conflict,         // two different releases with one sequence (never overwritten)
  network,          // the daemon refused or could not reach the network
};

const std::error_category& publish_category() noexcept;
inline std::error_code make_error_code(publish_errc e) noexcept { return {static_cast<int>(e), publish_category()}; }

}  // namespace converge::publish

template <>
struct std::is_error_code_enum<converge::publish::publish_errc> : std::true_type {};
