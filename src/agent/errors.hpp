#pragma once
// Errors of the update agent (configuration, persistent state).
#include <system_error>

#include "base/error.hpp"

namespace converge::agent {

enum class agent_errc {
  bad_config = 1,  // the "update" section is invalid; detail names the field: "update.retry.max_s: ..."
  store_failed,    // SQLite refused a read or write; detail names the operation and SQLite's message
  store_corrupt,   // agent.db is not a database, torn, or fails its integrity check: move it aside
  store_version,   // agent.db was written by a newer schema this build does not know
  bad_state,       // a persisted row holds a value this build cannot read (e.g. an unknown phase)
};

const std::error_category& agent_category() noexcept;
inline std::error_code make_error_code(agent_errc e) noexcept { return {static_cast<int>(e), agent_category()}; }

}  // namespace converge::agent

template <>
struct std::is_error_code_enum<converge::agent::agent_errc> : std::true_type {};
