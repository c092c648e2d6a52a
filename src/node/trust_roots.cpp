#include "node/trust_roots.hpp"

#include "base/bytes.hpp"
#include "trust/bundle.hpp"
#include "trust/bundle_check.hpp"

namespace converge::node {
namespace {

result<void> add_root(trusted_roots& out, const std::string& field, const std::string& channel,
                      const nlohmann::json& path, const std::filesystem::path& repo_dir) {
  if (!path.is_string() || path.get<std::string>().empty())
    return fail(node_errc::invalid_config, "config." + field + ": must be a file path");
  std::filesystem::path p = path.get<std::string>();
  if (p.is_relative()) p = repo_dir / p;
  auto text = read_file(p.string());
  if (!text) return fail(node_errc::invalid_config, "config." + field + ": reading " + p.string() + ": " + text.error().message());
  auto [it, inserted] = out.emplace(channel, std::string(as_chars(*text)));
  if (!inserted && it->second != std::string(as_chars(*text)))
    return fail(node_errc::invalid_config, "config." + field + ": channel \"" + channel + "\" already has another root");
  return ok();
}

}  // namespace

result<trusted_roots> load_trusted_roots(const node_config& cfg, const std::filesystem::path& repo_dir) {
  trusted_roots out;
  const auto trust = cfg.service("trust");
  if (!trust.is_null()) {
    if (!trust.is_object()) return fail(node_errc::invalid_config, "config.trust: must be an object");
    for (const auto& [k, v] : trust.items())
      if (k != "channels") return fail(node_errc::invalid_config, "config.trust." + k + ": unknown field");
    if (trust.contains("channels")) {
      const auto& chans = trust["channels"];
      if (!chans.is_object()) return fail(node_errc::invalid_config, "config.trust.channels: must be an object");
      for (const auto& [name, c] : chans.items()) {
        const std::string field = "trust.channels." + name;
        if (!kad::release_key(name)) return fail(node_errc::invalid_config, "config." + field + ": not a valid channel name");
        if (!c.is_object() || !c.contains("root") || c.size() != 1)
          return fail(node_errc::invalid_config, "config." + field + ": must be {\"root\": \"<path>\"}");
        if (auto r = add_root(out, field + ".root", name, c["root"], repo_dir); !r) return std::unexpected(r.error());
      }
    }
  }
  // The agent's channel: its section is validated in full by the agent; only
  // the two fields needed here are read.
  const auto update = cfg.service("update");
  if (update.is_object() && update.contains("channel") && update["channel"].is_string() && update.contains("root"))
    if (auto r = add_root(out, "update.root", update["channel"].get<std::string>(), update["root"], repo_dir); !r)
      return std::unexpected(r.error());
  return out;
}

kad::bundle_verifier make_bundle_verifier(std::shared_ptr<const trusted_roots> roots) {
  if (!roots || roots->empty()) return {};
  return [roots](bytes_view bundle, wall_time now) -> result<kad::verified_release> {
    auto b = trust::parse_bundle(bundle);
    if (!b) return std::unexpected(b.error());
    auto it = roots->find(b->channel);
    if (it == roots->end())
      return fail(node_errc::bad_request, "no trusted root for channel \"" + b->channel + "\"");
    auto c = trust::check_bundle(it->second, bundle, now);
    if (!c) return std::unexpected(c.error());
    return kad::verified_release{c->rel.channel, c->rel.sequence};
  };
}

}  // namespace converge::node
