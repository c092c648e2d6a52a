#include "agent/installer_config.hpp"

#include <nlohmann/json.hpp>

namespace converge::agent {
namespace {

using json = nlohmann::json;
const std::string prefix = "update.installer";

std::unexpected<error> bad(const std::string& field, const std::string& why) {
  return fail(installer_errc::bad_config, prefix + (field.empty() ? "" : "." + field) + ": " + why);
}

result<std::vector<std::string>> argv_field(const json& v, const std::string& field, bool allow_empty) {
  if (!v.is_array()) return bad(field, "must be an array of strings (argv)");
  if (v.empty() && !allow_empty) return bad(field, "must not be empty");
  if (v.size() > 256) return bad(field, "at most 256 arguments");
  std::vector<std::string> out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const std::string f = field + "[" + std::to_string(i) + "]";
    if (!v[i].is_string()) return bad(f, "must be a string");
    auto s = v[i].get<std::string>();
    if (s.find('\0') != std::string::npos) return bad(f, "must not contain NUL");
    if (i == 0 && (s.empty() || s[0] != '/')) return bad(f, "must be an absolute path (no PATH lookup; write /bin/sh -c for a shell)");
    out.push_back(std::move(s));
  }
  return out;
}

result<std::uint64_t> uint_field(const json& v, const std::string& field, std::uint64_t lo, std::uint64_t hi) {
  const std::string range = "must be " + std::to_string(lo) + ".." + std::to_string(hi);
  if (!v.is_number_integer()) return bad(field, range);
  if (v.is_number_unsigned()) {
    auto x = v.get<std::uint64_t>();
    if (x < lo || x > hi) return bad(field, range);
    return x;
  }
  auto x = v.get<std::int64_t>();
  if (x < 0 || static_cast<std::uint64_t>(x) < lo || static_cast<std::uint64_t>(x) > hi) return bad(field, range);
  return static_cast<std::uint64_t>(x);
}

result<std::filesystem::path> path_field(const json& v, const std::string& field, const std::filesystem::path& repo_dir) {
  if (!v.is_string()) return bad(field, "must be a string (a path)");
  auto s = v.get<std::string>();
  if (s.empty()) return bad(field, "must not be empty");
  if (s.find('\0') != std::string::npos) return bad(field, "must not contain NUL");
  std::filesystem::path p(s);
  if (p.is_relative()) p = std::filesystem::absolute(repo_dir / p);
  return p.lexically_normal();
}

result<installer_config> parse_linux_dir(const json& j, const std::filesystem::path& repo_dir) {
  linux_dir_options o;
  bool have_dir = false;
  for (const auto& [key, v] : j.items()) {
    if (key == "type") continue;
    if (key == "dir") {
      auto p = path_field(v, key, repo_dir);
      if (!p) return std::unexpected(p.error());
      o.dir = *p;
      have_dir = true;
    } else if (key == "health_check") {
      auto a = argv_field(v, key, true);
      if (!a) return std::unexpected(a.error());
      o.health_check = std::move(*a);
    } else if (key == "health_timeout_s") {
      auto x = uint_field(v, key, 1, 3600);
      if (!x) return std::unexpected(x.error());
      o.health_timeout = std::chrono::seconds(*x);
    } else if (key == "unpack") {
      if (!v.is_string() || (v != "auto" && v != "none")) return bad(key, "must be \"auto\" or \"none\"");
      o.unpack = v == "auto";
    } else if (key == "max_unpack_bytes") {
      auto x = uint_field(v, key, 1, std::uint64_t{1} << 50);
      if (!x) return std::unexpected(x.error());
      o.limits.max_bytes = *x;
    } else if (key == "max_unpack_entries") {
      auto x = uint_field(v, key, 1, 10'000'000);
      if (!x) return std::unexpected(x.error());
      o.limits.max_entries = *x;
    } else {
      return bad(key, "unknown field (linux-dir takes dir, health_check, health_timeout_s, unpack, max_unpack_bytes, max_unpack_entries)");
    }
  }
  if (!have_dir) return bad("dir", "required for type \"linux-dir\"");
  return o;
}

result<installer_config> parse_command(const json& j, const std::filesystem::path& repo_dir) {
  command_options o;
  o.state_file = std::filesystem::absolute(repo_dir / "datastore" / "installer-command.json").lexically_normal();
  bool have_command = false;
  for (const auto& [key, v] : j.items()) {
    if (key == "type") continue;
    if (key == "command") {
      auto a = argv_field(v, key, false);
      if (!a) return std::unexpected(a.error());
      o.command = std::move(*a);
      have_command = true;
    } else if (key == "timeout_s") {
      auto x = uint_field(v, key, 1, 86400);
      if (!x) return std::unexpected(x.error());
      o.timeout = std::chrono::seconds(*x);
    } else if (key == "state_file") {
      auto p = path_field(v, key, repo_dir);
      if (!p) return std::unexpected(p.error());
      o.state_file = *p;
    } else {
      return bad(key, "unknown field (command takes command, timeout_s, state_file)");
    }
  }
  if (!have_command) return bad("command", "required for type \"command\"");
  return o;
}

}  // namespace

result<installer_config> parse_installer_config(const json& section, const std::filesystem::path& repo_dir) {
  if (!section.is_object()) return bad("", "must be an object");
  auto t = section.find("type");
  if (t == section.end()) return bad("type", "required (\"linux-dir\" or \"command\")");
  if (!t->is_string()) return bad("type", "must be \"linux-dir\" or \"command\"");
  if (*t == "linux-dir") return parse_linux_dir(section, repo_dir);
  if (*t == "command") return parse_command(section, repo_dir);
  return bad("type", "must be \"linux-dir\" or \"command\", not \"" + t->get<std::string>() + "\"");
}

result<std::unique_ptr<installer>> make_installer(const json& installer_section, const std::filesystem::path& repo_dir) {
  auto cfg = parse_installer_config(installer_section, repo_dir);
  if (!cfg) return std::unexpected(cfg.error());
  if (auto* l = std::get_if<linux_dir_options>(&*cfg)) {
    auto r = linux_dir_installer::open(std::move(*l));
    if (!r) return std::unexpected(r.error());
    return std::unique_ptr<installer>(std::move(*r));
  }
  auto r = command_installer::open(std::move(std::get<command_options>(*cfg)));
  if (!r) return std::unexpected(r.error());
  return std::unique_ptr<installer>(std::move(*r));
}

std::string_view to_string(install_report::state_t s) noexcept {
  switch (s) {
    case install_report::installed: return "installed";
    case install_report::pending: return "pending";
    case install_report::failed: return "failed";
  }
  return "?";
}

namespace {
struct installer_category_impl final : std::error_category {
  const char* name() const noexcept override { return "installer"; }
  std::string message(int ev) const override {
    switch (static_cast<installer_errc>(ev)) {
      case installer_errc::bad_config: return "bad installer configuration";
      case installer_errc::bad_request: return "bad install request";
      case installer_errc::io: return "I/O error";
      case installer_errc::state_corrupt: return "installer state corrupt";
      case installer_errc::spawn_failed: return "cannot start the command";
      case installer_errc::bad_package: return "package cannot be installed";
    }
    return "unknown installer error";
  }
};
}  // namespace

const std::error_category& installer_category() noexcept {
  static const installer_category_impl cat;
  return cat;
}

}  // namespace converge::agent
