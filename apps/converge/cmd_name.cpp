// converge name publish|resolve: IPNS through the running node (node/svc_dht.hpp).
#include <cstdio>
#include <iostream>
#include <memory>

#include "command_registry.hpp"
#include "node/repo.hpp"
#include "node/rpc.hpp"

namespace converge::cli {
namespace {

using json = nlohmann::json;

json name_call(std::string_view name, const json& args) {
  return unwrap(node::rpc_request(node::repo_path_from(repo_flag()), name, args));
}

void setup_name(CLI::App& app) {
  auto* name = app.add_subcommand("name", "IPNS names (the node's key)");
  name->require_subcommand(1);

  auto* publish = name->add_subcommand("publish", "point this node's IPNS name at a path");
  auto path = std::make_shared<std::string>();
  auto lifetime = std::make_shared<std::uint64_t>(48 * 3600);
  auto ttl = std::make_shared<std::uint64_t>(300);
  publish->add_option("path", *path, "/ipfs/<cid>[/...] or /ipns/<name>")->required();
  publish->add_option("--lifetime", *lifetime, "seconds the record stays valid (EOL)");
  publish->add_option("--ttl", *ttl, "seconds resolvers may cache it");
  publish->callback([path, lifetime, ttl] {
    auto r = name_call("name/publish", {{"path", *path}, {"lifetime_s", *lifetime}, {"ttl_s", *ttl}});
    std::printf("published to %s: %s (sequence %llu, %llu peers)\n", r["name"].get<std::string>().c_str(),
                r["path"].get<std::string>().c_str(), static_cast<unsigned long long>(r["sequence"].get<std::uint64_t>()),
                static_cast<unsigned long long>(r["peers"].get<std::uint64_t>()));
  });

  auto* resolve = name->add_subcommand("resolve", "resolve an IPNS name or DNSLink domain to a path");
  auto target = std::make_shared<std::string>();
  resolve->add_option("name", *target, "k51..., /ipns/<name> or a DNSLink domain")->required();
  resolve->callback([target] { std::cout << name_call("name/resolve", {{"name", *target}})["path"].get<std::string>() << "\n"; });
}

}  // namespace
CONVERGE_COMMAND_GROUP("name", setup_name);
}  // namespace converge::cli
