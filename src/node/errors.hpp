#pragma once
// Errors of the node: its repository, configuration, daemon and RPC API.
#include <system_error>

#include "base/error.hpp"

namespace converge::node {

enum class node_errc {
  invalid_config = 1,  // config.json is malformed; detail starts with the field's path
  no_repo,             // no repository at the path; detail says how to create one
  repo_exists,         // init over an existing repository without --force
  repo_locked,         // another daemon holds the repository
  no_daemon,           // no daemon is running for this repository
  unauthorized,        // the API token is missing or wrong
  unknown_command,     // the RPC API has no command of that name
  bad_request,         // malformed RPC request or arguments; detail names the argument
  rpc_failed,          // the daemon answered with an error; detail is its message
  io,                  // file or socket failure; detail names the path or address
};
const std::error_category& node_category() noexcept;
inline std::error_code make_error_code(node_errc e) noexcept { return {static_cast<int>(e), node_category()}; }

}  // namespace converge::node

template <>
struct std::is_error_code_enum<converge::node::node_errc> : std::true_type {};
