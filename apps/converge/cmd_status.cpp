// converge status [--json]: the update agent's state, from the running daemon
// (RPC update/status): channel, installed and pending versions, phase,
// download progress and peers on the release topic.
#include <cstdio>

#include "command_registry.hpp"
#include "node/repo.hpp"
#include "node/rpc.hpp"

namespace converge::cli {
namespace {

using json = nlohmann::json;

std::string text_of(const json& j, const char* key, const char* otherwise = "-") {
  if (!j.is_object() || !j.contains(key) || j[key].is_null()) return otherwise;
  return j[key].is_string() ? j[key].get<std::string>() : j[key].dump();
}

void print_release(const char* label, const json& r) {
  if (!r.is_object()) {
    std::printf("%-10s none\n", label);
    return;
  }
  std::printf("%-10s %s (sequence %s)", label, text_of(r, "semver").c_str(), text_of(r, "sequence").c_str());
  if (r.contains("heard_via")) std::printf(", heard by %s", text_of(r, "heard_via").c_str());
  if (r.contains("fetched_as"))
    std::printf(", fetched as %s (%s bytes)", text_of(r, "fetched_as").c_str(), text_of(r, "bytes_fetched").c_str());
  std::printf("\n");
}

void run_status(bool as_json) {
  auto s = unwrap(node::rpc_request(node::repo_path_from(repo_flag()), "update/status", json::object()));
  if (as_json) {
    std::printf("%s\n", s.dump(2).c_str());
    return;
  }
  std::printf("%-10s %s\n", "channel", text_of(s, "channel").c_str());
  print_release("installed", s.value("installed", json()));
  print_release("pending", s.value("pending", json()));
  std::printf("%-10s %s\n", "state", text_of(s, "phase").c_str());
  if (auto p = s.value("progress", json()); p.is_object() && p.value("total", 0) > 0)
    std::printf("%-10s %s / %s bytes\n", "download", text_of(p, "done").c_str(), text_of(p, "total").c_str());
  if (auto w = text_of(s, "waiting", ""); !w.empty()) std::printf("%-10s %s\n", "waiting", w.c_str());
  if (auto e = text_of(s, "last_error", ""); !e.empty()) std::printf("%-10s %s\n", "error", e.c_str());
  std::printf("%-10s %s on %s\n", "peers", text_of(s, "peers").c_str(), text_of(s, "topic").c_str());
}

void setup_status(CLI::App& app) {
  auto* st = app.add_subcommand("status", "the update agent's channel, versions, state, progress and peers");
  auto as_json = std::make_shared<bool>(false);
  st->add_flag("--json", *as_json, "print JSON");
  st->callback([as_json] { run_status(*as_json); });
}

// converge update check: the agent polls its IPNS/DNSLink names and the DHT key now.
void setup_update(CLI::App& app) {
  auto* up = app.add_subcommand("update", "ask the running update agent to act now");
  up->require_subcommand(1);
  auto* check = up->add_subcommand("check", "resolve the channel's IPNS/DNSLink names and DHT key now");
  check->callback([] {
    auto r = unwrap(node::rpc_request(node::repo_path_from(repo_flag()), "update/check", json::object()));
    std::printf("heard %s release bundle(s)\n", text_of(r, "heard", "0").c_str());
  });
}

}  // namespace

CONVERGE_COMMAND_GROUP("status", setup_status);
CONVERGE_COMMAND_GROUP("update", setup_update);

}  // namespace converge::cli
