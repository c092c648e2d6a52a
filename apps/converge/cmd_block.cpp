// converge block get CID | block stat: raw blocks of the running node's store.
#include <cstdio>
#include <iostream>
#include <memory>

#include "command_registry.hpp"
#include "multiformats/multibase.hpp"
#include "node/repo.hpp"
#include "node/rpc.hpp"

namespace converge::cli {
namespace {

void setup_block(CLI::App& app) {
  auto* block = app.add_subcommand("block", "raw blocks");
  block->require_subcommand(1);
  auto cid = std::make_shared<std::string>();
  auto* get = block->add_subcommand("get", "write a block's bytes to stdout (verified against its CID)");
  get->add_option("cid", *cid, "block CID")->required();
  get->callback([cid] {
    auto r = unwrap(node::rpc_request(node::repo_path_from(repo_flag()), "block/get", {{"cid", *cid}}), "block get");
    auto text = r["data_base64"].get<std::string>();
    while (!text.empty() && text.back() == '=') text.pop_back();
    auto data = unwrap(mf::base_decode(mf::multibase::base64, text), "block get");
    std::fwrite(data.data(), 1, data.size(), stdout);
  });
  auto* stat = block->add_subcommand("stat", "block store usage");
  stat->callback([] {
    auto r = unwrap(node::rpc_request(node::repo_path_from(repo_flag()), "block/stat", nlohmann::json::object()), "block stat");
    std::cout << "blocks " << r["blocks"] << "\nbytes " << r["bytes"] << "\nmax_bytes " << r["max_bytes"] << "\npins "
              << r["pins"] << "\n";
    // Bitswap traffic since the daemon started (bytes are whole messages as written).
    for (const char* k : {"peers", "blocks_sent", "bytes_sent", "blocks_received", "bytes_received", "budget_refusals"})
      std::cout << "bitswap_" << k << " " << r["bitswap"][k] << "\n";
  });
}

}  // namespace
CONVERGE_COMMAND_GROUP("block", setup_block);
}  // namespace converge::cli
