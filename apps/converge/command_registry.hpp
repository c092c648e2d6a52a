#pragma once
// Each command group (key, cid, delta, release, ...) lives in its own
// cmd_<group>.cpp and registers itself with CONVERGE_COMMAND_GROUP, so groups
// are added without touching main.cpp.
//
// Contract for a group's callbacks: report failures by throwing cli_error with
// a one-line message naming the problem (main prints "converge: <message>" and
// exits 1); never let any other exception escape.
#include <CLI/CLI.hpp>

#include <stdexcept>
#include <string>

#include "base/error.hpp"

namespace converge::cli {

struct cli_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Unwraps a result or throws cli_error with its message, prefixed by `what`.
template <class T>
T unwrap(result<T> r, std::string_view what = {}) {
  if (!r) throw cli_error(what.empty() ? r.error().message() : std::string(what) + ": " + r.error().message());
  if constexpr (!std::is_void_v<T>) return std::move(*r);
}

using group_setup = void (*)(CLI::App& app);
// The value of the global --repo option ("" when not given); see node::repo_path_from.
const std::string& repo_flag();
bool register_group(const char* name, group_setup setup);
void setup_all_groups(CLI::App& app);

}  // namespace converge::cli

#define CONVERGE_COMMAND_GROUP(name, fn) \
  static const bool converge_registered_##fn [[maybe_unused]] = ::converge::cli::register_group(name, fn)
