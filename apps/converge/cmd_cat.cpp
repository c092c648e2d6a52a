// converge cat CID: writes a UnixFS file's bytes to stdout (fetched by the running node).
#include <cstdio>
#include <memory>

#include "command_registry.hpp"
#include "multiformats/multibase.hpp"
#include "node/repo.hpp"
#include "node/rpc.hpp"

namespace converge::cli {
namespace {

void setup_cat(CLI::App& app) {
  auto cid = std::make_shared<std::string>();
  auto* cat = app.add_subcommand("cat", "write a UnixFS file to stdout");
  cat->add_option("cid", *cid, "file CID")->required();
  cat->callback([cid] {
    std::string failure;
    auto r = node::rpc_stream(node::repo_path_from(repo_flag()), "cat", {{"cid", *cid}}, [&](const nlohmann::json& line) {
      if (line.contains("error")) {
        failure = line["error"].get<std::string>();
        return false;
      }
      auto text = line["data_base64"].get<std::string>();
      while (!text.empty() && text.back() == '=') text.pop_back();
      auto data = mf::base_decode(mf::multibase::base64, text);
      if (!data) {
        failure = "bad data from the daemon: " + data.error().message();
        return false;
      }
      return std::fwrite(data->data(), 1, data->size(), stdout) == data->size();
    });
    unwrap(std::move(r), "cat");
    if (!failure.empty()) throw cli_error("cat: " + failure);
  });
}

}  // namespace
CONVERGE_COMMAND_GROUP("cat", setup_cat);
}  // namespace converge::cli
