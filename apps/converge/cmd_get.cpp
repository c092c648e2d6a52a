// converge get CID -o OUT: fetches a UnixFS file or tree through the running
// node (from its store, else over Bitswap, every block verified) and writes it.
#include <filesystem>
#include <iostream>
#include <memory>

#include "command_registry.hpp"
#include "node/repo.hpp"
#include "node/rpc.hpp"

namespace converge::cli {
namespace {

void setup_get(CLI::App& app) {
  auto cid = std::make_shared<std::string>(), out = std::make_shared<std::string>();
  auto* get = app.add_subcommand("get", "fetch a UnixFS file or directory into a path");
  get->add_option("cid", *cid, "root CID")->required();
  get->add_option("-o,--output", *out, "where to write it (default: the CID)");
  get->callback([cid, out] {
    auto target = std::filesystem::absolute(out->empty() ? *cid : *out);
    auto r = unwrap(node::rpc_request(node::repo_path_from(repo_flag()), "get", {{"cid", *cid}, {"out", target.string()}}), "get");
    std::cerr << "saved " << target.string() << " (" << r["blocks_fetched"].get<std::uint64_t>() << " blocks, "
              << r["bytes_fetched"].get<std::uint64_t>() << " bytes fetched; " << r["blocks_local"].get<std::uint64_t>()
              << " already stored)\n";
  });
}

}  // namespace
CONVERGE_COMMAND_GROUP("get", setup_get);
}  // namespace converge::cli
