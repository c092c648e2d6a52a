// converge dht put|get|provide|findprovs|findpeer: the running node's DHT
// (node/svc_dht.hpp) over the RPC API.
#include <cstdio>
#include <iostream>
#include <memory>

#include "command_registry.hpp"
#include "node/repo.hpp"
#include "node/rpc.hpp"

namespace converge::cli {
namespace {

using json = nlohmann::json;

json dht_call(std::string_view name, const json& args) {
  return unwrap(node::rpc_request(node::repo_path_from(repo_flag()), name, args));
}

void setup_dht(CLI::App& app) {
  auto* dht = app.add_subcommand("dht", "the running node's Kademlia DHT");
  dht->require_subcommand(1);

  auto* put = dht->add_subcommand("put", "store a value under a key (/ipns/<name>, /pk/<peer>, ...)");
  auto put_key = std::make_shared<std::string>(), put_value = std::make_shared<std::string>();
  put->add_option("key", *put_key, "the record key")->required();
  put->add_option("value", *put_value, "the value (text)")->required();
  put->callback([put_key, put_value] {
    auto r = dht_call("dht/put", {{"key", *put_key}, {"value", *put_value}});
    std::printf("stored on %llu peers\n", static_cast<unsigned long long>(r["peers"].get<std::uint64_t>()));
  });

  auto* get = dht->add_subcommand("get", "find the best value under a key");
  auto get_key = std::make_shared<std::string>();
  get->add_option("key", *get_key, "the record key")->required();
  get->callback([get_key] {
    auto r = dht_call("dht/get", {{"key", *get_key}});
    std::cout << r["value_base64"].get<std::string>() << "\n";
  });

  auto* provide = dht->add_subcommand("provide", "announce that this node provides a CID");
  auto provide_cid = std::make_shared<std::string>();
  provide->add_option("cid", *provide_cid, "the CID")->required();
  provide->callback([provide_cid] {
    auto r = dht_call("dht/provide", {{"cid", *provide_cid}});
    std::printf("announced to %llu peers\n", static_cast<unsigned long long>(r["peers"].get<std::uint64_t>()));
  });

  auto* findprovs = dht->add_subcommand("findprovs", "find peers that provide a CID");
  auto fp_cid = std::make_shared<std::string>();
  auto fp_count = std::make_shared<std::uint64_t>(20);
  findprovs->add_option("cid", *fp_cid, "the CID")->required();
  findprovs->add_option("-n,--num-providers", *fp_count, "stop after this many (1..100)");
  findprovs->callback([fp_cid, fp_count] {
    auto r = dht_call("dht/findprovs", {{"cid", *fp_cid}, {"count", *fp_count}});
    for (const auto& p : r) std::cout << p["id"].get<std::string>() << "\n";
  });

  auto* findpeer = dht->add_subcommand("findpeer", "find a peer's addresses");
  auto peer = std::make_shared<std::string>();
  findpeer->add_option("peer", *peer, "the peer ID")->required();
  findpeer->callback([peer] {
    auto r = dht_call("dht/findpeer", {{"peer", *peer}});
    for (const auto& a : r["addrs"]) std::cout << a.get<std::string>() << "\n";
  });
}

}  // namespace
CONVERGE_COMMAND_GROUP("dht", setup_dht);
}  // namespace converge::cli
