// converge config show | get KEY | set KEY JSON-VALUE, in Kubo's manner:
// KEY is a dotted path into config.json ("bootstrap", "update.channel",
// "addresses.swarm"); set takes a JSON value (a bare word that is not JSON is
// taken as a string). The whole new configuration is validated before
// config.json is replaced (atomically), so a bad value changes nothing. A
// running daemon reads its configuration at start: restart it to apply.
#include <cstdio>

#include "command_registry.hpp"
#include "node/config.hpp"
#include "node/repo.hpp"

namespace converge::cli {
namespace {

using json = nlohmann::json;

std::vector<std::string> split_key(const std::string& key) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    auto dot = key.find('.', start);
    parts.push_back(key.substr(start, dot - start));
    if (parts.back().empty()) throw cli_error("config key '" + key + "': empty component");
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return parts;
}

json current_json(node::repo& r) { return json::parse(node::to_json_text(r.config())); }

void run_show() {
  auto r = unwrap(node::repo::open(node::repo_path_from(repo_flag())));
  std::printf("%s\n", current_json(r).dump(2).c_str());
}

void run_get(const std::string& key) {
  auto r = unwrap(node::repo::open(node::repo_path_from(repo_flag())));
  const json* at = nullptr;
  json doc = current_json(r);
  at = &doc;
  for (const auto& p : split_key(key)) {
    if (!at->is_object() || !at->contains(p)) throw cli_error("config key '" + key + "': not set");
    at = &(*at)[p];
  }
  std::printf("%s\n", at->is_string() ? at->get<std::string>().c_str() : at->dump(2).c_str());
}

void run_set(const std::string& key, const std::string& value) {
  auto r = unwrap(node::repo::open(node::repo_path_from(repo_flag())));
  json v = json::parse(value, nullptr, false);
  if (v.is_discarded()) v = value;  // a bare word: a string
  json doc = current_json(r);
  json* at = &doc;
  auto parts = split_key(key);
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    json& next = (*at)[parts[i]];
    if (next.is_null()) next = json::object();
    if (!next.is_object()) throw cli_error("config key '" + key + "': " + parts[i] + " is not an object");
    at = &next;
  }
  (*at)[parts.back()] = v;
  auto parsed = unwrap(node::parse_config(doc.dump()), "config " + key);
  unwrap(r.save_config(parsed), "writing config.json");
}

void setup_config(CLI::App& app) {
  auto* cfg = app.add_subcommand("config", "show or change the repository's config.json");
  cfg->require_subcommand(1);
  cfg->add_subcommand("show", "print config.json")->callback([] { run_show(); });
  auto key = std::make_shared<std::string>();
  auto value = std::make_shared<std::string>();
  auto* get = cfg->add_subcommand("get", "print one value (dotted key)");
  get->add_option("key", *key, "e.g. update.channel")->required();
  get->callback([key] { run_get(*key); });
  auto* set = cfg->add_subcommand("set", "set one value (dotted key, JSON value); validated before it is written");
  set->add_option("key", *key, "e.g. bootstrap")->required();
  set->add_option("value", *value, "JSON, e.g. '[\"/ip4/127.0.0.1/tcp/4001/p2p/12D3...\"]' or a bare string")->required();
  set->callback([key, value] { run_set(*key, *value); });
}

}  // namespace

CONVERGE_COMMAND_GROUP("config", setup_config);

}  // namespace converge::cli
