// converge dag export CID -o FILE | dag import FILE: CAR files (v1 out; v1 or
// v2 in), e.g. for a pinning service or a USB stick.
#include <filesystem>
#include <iostream>
#include <memory>

#include "command_registry.hpp"
#include "node/repo.hpp"
#include "node/rpc.hpp"

namespace converge::cli {
namespace {

void setup_dag(CLI::App& app) {
  auto* dag = app.add_subcommand("dag", "DAGs as CAR files");
  dag->require_subcommand(1);
  auto cid = std::make_shared<std::string>(), out = std::make_shared<std::string>();
  auto* ex = dag->add_subcommand("export", "write the DAG under a CID as a CARv1");
  ex->add_option("cid", *cid, "root CID")->required();
  ex->add_option("-o,--output", *out, "CAR file")->required();
  ex->callback([cid, out] {
    auto target = std::filesystem::absolute(*out);
    auto r = unwrap(node::rpc_request(node::repo_path_from(repo_flag()), "dag/export", {{"cid", *cid}, {"out", target.string()}}),
                    "dag export");
    std::cerr << "wrote " << r["blocks"] << " blocks, " << r["bytes"] << " bytes to " << target.string() << "\n";
  });
  auto file = std::make_shared<std::string>();
  auto* im = dag->add_subcommand("import", "store every block of a CAR file (each verified) and pin its roots");
  im->add_option("file", *file, "CAR file (v1 or v2)")->required();
  im->callback([file] {
    auto target = std::filesystem::absolute(*file);
    auto r = unwrap(node::rpc_request(node::repo_path_from(repo_flag()), "dag/import", {{"path", target.string()}}), "dag import");
    for (const auto& root : r["roots"]) std::cout << root.get<std::string>() << "\n";
    std::cerr << "imported " << r["blocks"] << " blocks\n";
  });
}

}  // namespace
CONVERGE_COMMAND_GROUP("dag", setup_dag);
}  // namespace converge::cli
