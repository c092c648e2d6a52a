#pragma once
// The "installer" object of the update section, and the factory the driver calls.
//
//   {"type": "linux-dir", "dir": "/path",                  dir: relative paths are against the repo dir
//    "health_check": ["/bin/sh", "-c", "..."],             optional; argv[0] absolute; no shell unless written
//    "health_timeout_s": 30,                               1..3600
//    "unpack": "auto" | "none",                            auto: unpack .tar/.tar.gz/.tgz/.tar.zst/.tzst/.zip
//    "max_unpack_bytes": 4294967296,                       1..2^50
//    "max_unpack_entries": 100000}                         1..10000000
//   {"type": "command", "command": ["/path/hook", "--flag"],   argv[0] absolute
//    "timeout_s": 600,                                     1..86400
//    "state_file": "datastore/installer-command.json"}     optional; relative to the repo dir
//
// Unknown fields, wrong types and out-of-range values are errors
// (installer_errc::bad_config) whose detail starts with the field path,
// e.g. `update.installer.health_timeout_s: must be 1..3600`.
#include <filesystem>
#include <memory>
#include <variant>

#include <nlohmann/json_fwd.hpp>

#include "agent/command_installer.hpp"
#include "agent/installer.hpp"
#include "agent/linux_dir_installer.hpp"

namespace converge::agent {

using installer_config = std::variant<linux_dir_options, command_options>;

result<installer_config> parse_installer_config(const nlohmann::json& section, const std::filesystem::path& repo_dir);

// parse_installer_config, then opens the installer (creating its directories and reading its state).
result<std::unique_ptr<installer>> make_installer(const nlohmann::json& installer_section,
                                                  const std::filesystem::path& repo_dir);

}  // namespace converge::agent
