// The pubsub service end to end: two nodes (repositories in temp dirs, each
// running on its own thread, loopback only) and the CLI's RPC client calls:
// swarm/connect, pubsub/sub (a stream), pubsub/pub, pubsub/peers, pubsub/ls.
// Plus the "pubsub" config section's validation.
#include <gtest/gtest.h>
#include <unistd.h>

#include "../node/running_node.hpp"
#include "node/svc_pubsub.hpp"

namespace converge::node {
namespace {

// A node with only the pubsub service.
class running_node : public test::running_node {
 public:
  explicit running_node(std::uint64_t seed) : test::running_node(seed, {}, add_pubsub_service) {}
};

json call(const running_node& n, std::string_view name, const json& args = json::object()) {
  auto r = rpc_request(n.repo_dir(), name, args);
  EXPECT_TRUE(r) << name << ": " << r.error().message();
  return r ? *r : json{};
}

bool lists(const json& arr, const std::string& s) {
  for (const auto& x : arr)
    if (x == s) return true;
  return false;
}

// Waits (bounded) until `watcher` lists `other` on `topic`: the subscription
// RPC has to travel first. Not a timing assertion: it only bounds a hang.
void wait_peer(const running_node& watcher, const running_node& other, const std::string& topic) {
  for (int i = 0; i < 500 && !lists(call(watcher, "pubsub/peers", json{{"topic", topic}}), other.id()); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_TRUE(lists(call(watcher, "pubsub/peers", json{{"topic", topic}}), other.id()));
}

TEST(PubsubService, TwoNodesPublishAndSubscribeOverRpc) {
  running_node a(201), b(202);
  auto conn = call(a, "swarm/connect", json{{"addr", b.dial_addr()}});
  EXPECT_EQ(conn.value("peer", std::string()), b.id());

  std::vector<json> got;
  std::thread subscriber([&] {
    auto r = rpc_stream(b.repo_dir(), "pubsub/sub", json{{"topic", "news"}}, [&](const json& line) {
      got.push_back(line);
      return got.size() < 2;
    });
    EXPECT_TRUE(r) << r.error().message();
  });
  wait_peer(a, b, "news");
  EXPECT_TRUE(lists(call(b, "pubsub/ls"), "news"));

  auto pub = call(a, "pubsub/pub", json{{"topic", "news"}, {"data", "héllo"}});
  EXPECT_EQ(pub.value("peers", 0), 1);
  EXPECT_EQ(pub.value("id", std::string()).size(), 2 * (38 + 8));  // hex of from (Ed25519 peer ID) || seqno
  call(a, "pubsub/pub", json{{"topic", "news"}, {"data_base64", "/wA="}});  // bytes ff 00: not UTF-8
  subscriber.join();

  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].value("data", std::string()), "héllo");
  EXPECT_EQ(got[0].value("from", std::string()), a.id());
  EXPECT_EQ(got[0].value("received_from", std::string()), a.id());
  EXPECT_EQ(got[0].value("topic", std::string()), "news");
  EXPECT_EQ(got[0].value("seqno", std::string()).size(), 16u);
  EXPECT_FALSE(got[1].contains("data"));
  EXPECT_EQ(got[1].value("data_base64", std::string()), "/wA");

  // The stream's end cancels the subscription: b leaves the topic.
  for (int i = 0; i < 500 && lists(call(b, "pubsub/ls"), "news"); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_FALSE(lists(call(b, "pubsub/ls"), "news"));
  EXPECT_TRUE(lists(call(a, "pubsub/peers"), b.id()));  // still a pubsub peer, on no topic
}

TEST(PubsubService, BadArgumentsAreRefused) {
  running_node a(211);
  EXPECT_FALSE(rpc_request(a.repo_dir(), "pubsub/pub", json{{"data", "x"}}));  // no topic
  EXPECT_FALSE(rpc_request(a.repo_dir(), "pubsub/pub", json{{"topic", ""}, {"data", "x"}}));
  EXPECT_FALSE(rpc_request(a.repo_dir(), "pubsub/pub", json{{"topic", "t"}, {"data_base64", "*"}}));
  EXPECT_FALSE(rpc_request(a.repo_dir(), "pubsub/pub", json{{"topic", std::string(300, 't')}, {"data", "x"}}));
}

TEST(PubsubService, ConfigSection) {
  auto d = pubsub_config(json::object());
  ASSERT_TRUE(d && d->has_value());
  EXPECT_EQ((*d)->kind, pubsub::io::router_kind::gossipsub);
  auto f = pubsub_config(json{{"router", "floodsub"}, {"subscription_queue", 10}});
  ASSERT_TRUE(f && f->has_value());
  EXPECT_EQ((*f)->kind, pubsub::io::router_kind::floodsub);
  EXPECT_EQ((*f)->subscription_queue, 10u);
  auto off = pubsub_config(json{{"enabled", false}});
  ASSERT_TRUE(off);
  EXPECT_FALSE(off->has_value());
  // Scoring: on by default for every topic, loopback exempt from IP colocation.
  ASSERT_TRUE((*d)->router.score.has_value());
  EXPECT_TRUE((*d)->router.score->default_topic.has_value());
  EXPECT_TRUE((*d)->router.score->ip_colocation_factor_whitelist.contains("127.0.0.1"));
  EXPECT_FALSE((*d)->router.gossip.do_px);  // go's default: PX only from nodes that enable it
  auto px = pubsub_config(json{{"peer_exchange", true}});
  ASSERT_TRUE(px && px->has_value());
  EXPECT_TRUE((*px)->router.gossip.do_px);
  auto unscored = pubsub_config(json{{"score", false}});
  ASSERT_TRUE(unscored && unscored->has_value());
  EXPECT_FALSE((*unscored)->router.score.has_value());
  auto listed = pubsub_config(json{{"ip_colocation_whitelist", {"10.0.0.7", "::ffff:10.0.0.8"}}});
  ASSERT_TRUE(listed && listed->has_value());
  EXPECT_EQ((*listed)->router.score->ip_colocation_factor_whitelist,
            (std::set<std::string>{"10.0.0.7", "::ffff:10.0.0.8"}));
  for (const auto& bad : {json{{"router", "meshsub"}}, json{{"enabled", "yes"}}, json{{"subscription_queue", 0}},
                          json{{"routr", "gossipsub"}}, json::array(), json{{"score", "on"}}, json{{"peer_exchange", 1}},
                          json{{"ip_colocation_whitelist", {"10.0.0.300"}}}, json{{"ip_colocation_whitelist", "::1"}}}) {
    auto r = pubsub_config(bad);
    ASSERT_FALSE(r) << bad.dump();
    EXPECT_NE(r.error().message().find("config.pubsub"), std::string::npos) << r.error().message();
  }
}

}  // namespace
}  // namespace converge::node
