#include <gtest/gtest.h>

#include "base/rng.hpp"
#include "crypto/keys.hpp"
#include "node/config.hpp"

namespace converge::node {
namespace {

crypto::peer_id some_peer() {
  deterministic_rng rng(7);
  auto key = crypto::private_key::generate(crypto::key_type::ed25519, rng);
  return crypto::peer_id::from_public_key(key->public_key());
}

std::string error_of(std::string_view text) {
  auto c = parse_config(text);
  EXPECT_FALSE(c.has_value()) << text;
  return c ? std::string() : c.error().detail;
}

TEST(NodeConfig, DefaultsRoundTripAndDialNothing) {
  auto c = default_config(some_peer());
  EXPECT_TRUE(c.bootstrap.empty());
  EXPECT_TRUE(is_loopback_tcp(c.api));
  auto back = parse_config(to_json_text(c));
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(back->peer_id, c.peer_id);
  EXPECT_EQ(back->swarm, c.swarm);
  EXPECT_EQ(back->api, c.api);
  EXPECT_EQ(back->limits, c.limits);
  EXPECT_EQ(to_json_text(*back), to_json_text(c));
}

TEST(NodeConfig, ServiceSectionsAreKept) {
  auto c = default_config(some_peer());
  c.services["pubsub"] = {{"router", "gossipsub"}};
  auto back = parse_config(to_json_text(c));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->service("pubsub")["router"], "gossipsub");
  EXPECT_TRUE(back->service("dht").empty());
}

TEST(NodeConfig, ErrorsNameTheField) {
  auto id = some_peer().to_string();
  auto with = [&](const std::string& rest) {
    return R"({"identity": {"peer_id": ")" + id + R"("}, "addresses": {"api": "/ip4/127.0.0.1/tcp/5001")" +
           (rest.empty() ? "" : ", ") + rest + "}}";
  };
  EXPECT_NE(error_of("[1]").find("config: must be a JSON object"), std::string::npos);
  EXPECT_NE(error_of("{").find("not valid JSON"), std::string::npos);
  EXPECT_NE(error_of("{}").find("config.identity: missing"), std::string::npos);
  EXPECT_NE(error_of(R"({"identity": {"peer_id": "nope"}})").find("config.identity.peer_id"), std::string::npos);
  EXPECT_NE(error_of(with(R"("swarm": ["/ip4/1.2.3"])")).find("config.addresses.swarm[0]"), std::string::npos);
  EXPECT_NE(error_of(with(R"("swarm": "x")")).find("config.addresses.swarm: must be an array"), std::string::npos);
  EXPECT_NE(error_of(with(R"("typo": 1)")).find("config.addresses.typo: unknown field"), std::string::npos);
  auto api_public = R"({"identity": {"peer_id": ")" + id + R"("}, "addresses": {"api": "/ip4/0.0.0.0/tcp/5001"}})";
  EXPECT_NE(error_of(api_public).find("config.addresses.api: must be a loopback address"), std::string::npos);
  auto boot = R"({"identity": {"peer_id": ")" + id +
              R"("}, "addresses": {"api": "/ip4/127.0.0.1/tcp/5001"}, "bootstrap": ["/ip4/127.0.0.1/tcp/1"]})";
  EXPECT_NE(error_of(boot).find("config.bootstrap[0]: must end in /p2p/"), std::string::npos);
  auto unknown = R"({"identity": {"peer_id": ")" + id + R"("}, "addresses": {"api": "/ip4/127.0.0.1/tcp/5001"}, "dhtt": {}})";
  EXPECT_NE(error_of(unknown).find("config.dhtt: unknown field"), std::string::npos);
  auto limits = R"({"identity": {"peer_id": ")" + id +
                R"("}, "addresses": {"api": "/ip4/127.0.0.1/tcp/5001"}, "limits": {"peer": {"streams_inbound": -1}}})";
  EXPECT_NE(error_of(limits).find("config.limits: limits.peer.streams_inbound"), std::string::npos);
  auto key_escape = R"({"identity": {"peer_id": ")" + id + R"(", "key_file": "../x"}, "addresses": {"api": "/ip4/127.0.0.1/tcp/5001"}})";
  EXPECT_NE(error_of(key_escape).find("config.identity.key_file"), std::string::npos);
}

TEST(NodeConfig, BoundsInput) {
  std::string deep(100, '[');
  EXPECT_NE(error_of(deep).find("nested deeper"), std::string::npos);
  std::string huge(max_config_text + 1, ' ');
  EXPECT_NE(error_of(huge).find("larger than"), std::string::npos);
}

TEST(NodeConfig, LoopbackCheck) {
  EXPECT_TRUE(is_loopback_tcp(*mf::multiaddr::parse("/ip4/127.0.0.1/tcp/1")));
  EXPECT_TRUE(is_loopback_tcp(*mf::multiaddr::parse("/ip4/127.3.2.1/tcp/1")));
  EXPECT_TRUE(is_loopback_tcp(*mf::multiaddr::parse("/ip6/::1/tcp/1")));
  EXPECT_FALSE(is_loopback_tcp(*mf::multiaddr::parse("/ip4/10.0.0.1/tcp/1")));
  EXPECT_FALSE(is_loopback_tcp(*mf::multiaddr::parse("/ip6/::2/tcp/1")));
  EXPECT_FALSE(is_loopback_tcp(*mf::multiaddr::parse("/ip4/127.0.0.1/udp/1")));
  EXPECT_FALSE(is_loopback_tcp(*mf::multiaddr::parse("/ip4/127.0.0.1/tcp/1/ws")));
}

}  // namespace
}  // namespace converge::node
