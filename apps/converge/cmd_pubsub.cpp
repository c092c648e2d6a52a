// converge pubsub sub|pub|peers|ls: GossipSub through the running daemon
// (node/svc_pubsub.hpp has the RPC commands these call).
#include <cstdio>
#include <iostream>

#include "command_registry.hpp"
#include "node/repo.hpp"
#include "node/rpc.hpp"

namespace converge::cli {
namespace {

using json = nlohmann::json;

std::filesystem::path repo_dir() { return node::repo_path_from(repo_flag()); }

void run_sub(const std::string& topic, bool as_json) {
  unwrap(node::rpc_stream(repo_dir(), "pubsub/sub", json{{"topic", topic}}, [&](const json& line) {
    if (as_json) {
      std::cout << line.dump() << "\n";
    } else if (line.contains("data")) {
      std::cout << line["data"].get<std::string>() << "\n";
    } else {
      std::cout << "base64:" << line.value("data_base64", std::string()) << "\n";
    }
    std::cout.flush();
    return true;
  }), "pubsub sub");
}

void run_pub(const std::string& topic, const std::string& data) {
  auto r = unwrap(node::rpc_request(repo_dir(), "pubsub/pub", json{{"topic", topic}, {"data", data}}), "pubsub pub");
  std::printf("published %s on %s (%llu peers subscribed)\n", r.value("id", std::string("?")).c_str(), topic.c_str(),
              static_cast<unsigned long long>(r.value("peers", 0ULL)));
}

void print_lines(const json& list) {
  for (const auto& x : list) std::printf("%s\n", x.get<std::string>().c_str());
}

void setup(CLI::App& app) {
  auto* group = app.add_subcommand("pubsub", "publish and subscribe (GossipSub) through the running daemon");
  group->require_subcommand(1);

  auto* sub = group->add_subcommand("sub", "print the messages of TOPIC as they arrive (until interrupted)");
  auto sub_topic = std::make_shared<std::string>();
  auto sub_json = std::make_shared<bool>(false);
  sub->add_option("topic", *sub_topic, "topic name")->required();
  sub->add_flag("--json", *sub_json, "one JSON object per message (from, seqno, data, data_base64, ...)");
  sub->callback([sub_topic, sub_json] { run_sub(*sub_topic, *sub_json); });

  auto* pub = group->add_subcommand("pub", "publish DATA (text) on TOPIC");
  auto pub_topic = std::make_shared<std::string>();
  auto pub_data = std::make_shared<std::string>();
  pub->add_option("topic", *pub_topic, "topic name")->required();
  pub->add_option("data", *pub_data, "message text")->required();
  pub->callback([pub_topic, pub_data] { run_pub(*pub_topic, *pub_data); });

  auto* peers = group->add_subcommand("peers", "list pubsub peers (subscribed to TOPIC when given)");
  auto peers_topic = std::make_shared<std::string>();
  peers->add_option("topic", *peers_topic, "topic name");
  peers->callback([peers_topic] {
    json args = json::object();
    if (!peers_topic->empty()) args["topic"] = *peers_topic;
    print_lines(unwrap(node::rpc_request(repo_dir(), "pubsub/peers", args), "pubsub peers"));
  });

  auto* ls = group->add_subcommand("ls", "list the topics the daemon is subscribed to");
  ls->callback([] { print_lines(unwrap(node::rpc_request(repo_dir(), "pubsub/ls", json::object()), "pubsub ls")); });
}

}  // namespace

CONVERGE_COMMAND_GROUP("pubsub", setup);

}  // namespace converge::cli
