#pragma once
// Shared by the cmd_release*.cpp files: the "release" command group (each
// file adds its subcommands to the one group, whichever registers first
// creates it) and the file helpers every release command uses.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/bytes.hpp"
#include "command_registry.hpp"
#include "publish/signing.hpp"
#include "trust/canonical_json.hpp"
#include "trust/tuf_metadata.hpp"
#include "trust/tuf_signing.hpp"

namespace converge::cli::release_cmd {

inline CLI::App* group(CLI::App& app) {
  // CLI11 2.3 has no non-throwing lookup by name.
  const std::function<bool(CLI::App*)> named = [](CLI::App* a) { return a->get_name() == "release"; };
  for (auto* sub : app.get_subcommands(named)) return sub;
  auto* g = app.add_subcommand("release", "publish and verify signed releases (TUF, FROST)");
  g->require_subcommand(1);
  return g;
}

inline std::string read_text(const std::string& path) {
  return std::string(as_chars(unwrap(read_file(path), "reading " + path)));
}

inline nlohmann::json read_json(const std::string& path) { return unwrap(trust::parse_json(read_text(path)), path); }

inline void write_text(const std::string& path, std::string_view text, unsigned mode = 0644) {
  unwrap(write_file_atomic(path, as_bytes(text), mode), "writing " + path);
}

inline void write_json(const std::string& path, const nlohmann::json& j, unsigned mode = 0644) {
  write_text(path, j.dump(2) + "\n", mode);
}

inline std::int64_t parse_time(const std::string& s, std::string_view what) {
  auto t = trust::tuf::parse_expires(s);
  if (!t) throw cli_error(std::string(what) + ": " + t.error().detail);
  return *t;
}

inline publish::signer_ptr load_signer(const std::string& path) { return unwrap(publish::load_key_file(path)); }

inline trust::tuf::envelope load_envelope(const std::string& path) {
  return unwrap(trust::tuf::parse_envelope(read_json(path), path), path);
}

}  // namespace converge::cli::release_cmd
