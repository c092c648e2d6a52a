// converge add [--only-hash] [--cid-version 0|1] [--raw-leaves] PATH: imports a
// file or directory tree into the running node's block store (pinned) and
// prints the root CID. --only-hash computes the CID here without a daemon.
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>

#include "command_registry.hpp"
#include "node/repo.hpp"
#include "node/rpc.hpp"
#include "unixfs/importer.hpp"

namespace converge::cli {
namespace {

struct add_args {
  std::string path;
  bool only_hash = false;
  unsigned cid_version = 1;
  std::optional<bool> raw_leaves;
  bool no_pin = false;
};

void setup_add(CLI::App& app) {
  auto a = std::make_shared<add_args>();
  auto* add = app.add_subcommand("add", "import a file or directory as UnixFS (prints the root CID)");
  add->add_option("path", a->path, "file or directory")->required();
  add->add_flag("-n,--only-hash", a->only_hash, "compute the CID only; store nothing (no daemon needed)");
  add->add_option("--cid-version", a->cid_version, "0 (dag-pb leaves, Qm...) or 1 (raw leaves, bafy...)")
      ->check(CLI::IsMember({0u, 1u}));
  add->add_option("--raw-leaves", a->raw_leaves, "raw leaf blocks (default: true for CIDv1, false for CIDv0)");
  add->add_flag("--no-pin", a->no_pin, "do not pin the root");
  add->callback([a] {
    std::error_code ec;
    auto abs = std::filesystem::absolute(a->path, ec);
    if (ec || !std::filesystem::exists(std::filesystem::symlink_status(abs, ec)))
      throw cli_error("add: no such file or directory: " + a->path);
    if (a->only_hash) {
      unixfs::import_options o;
      o.cid_version = a->cid_version;
      o.raw_leaves = a->raw_leaves.value_or(a->cid_version == 1);
      auto r = unwrap(unixfs::import_path(abs, o, [](const mf::cid&, bytes_view) -> result<void> { return ok(); }), "add");
      std::cout << r.cid.to_string() << "\n";
      return;
    }
    nlohmann::json args{{"path", abs.string()}, {"cid_version", a->cid_version}, {"pin", !a->no_pin}};
    if (a->raw_leaves) args["raw_leaves"] = *a->raw_leaves;
    auto r = unwrap(node::rpc_request(node::repo_path_from(repo_flag()), "add", args), "add");
    std::cout << r["cid"].get<std::string>() << "\n";
  });
}

}  // namespace
CONVERGE_COMMAND_GROUP("add", setup_add);
}  // namespace converge::cli
