#include "p2p/limits/config.hpp"

#include <gtest/gtest.h>

#include "test_support.hpp"

using namespace converge;
using namespace converge::p2p::limits;
using converge::p2p::limits::test::addr;
using converge::p2p::limits::test::peer;

namespace {

std::string config_error(std::string_view text) {
  auto c = parse_limits_config(text);
  EXPECT_FALSE(c) << text;
  if (c) return {};
  EXPECT_EQ(c.error().code, limits_errc::invalid_config);
  return c.error().detail;
}

}  // namespace

TEST(limits_config, empty_object_gives_the_defaults) {
  auto c = parse_limits_config("{}");
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(*c, default_limits());
  EXPECT_EQ(c->resources.peer.streams_inbound, 256u);
  EXPECT_EQ(c->connmgr.high_water, 96u);
  EXPECT_FALSE(c->bandwidth.global.inbound.limited());
}

TEST(limits_config, defaults_are_consistent) {
  auto d = default_limits();
  const auto& r = d.resources;
  for (const auto* s : {&r.system, &r.transient, &r.peer, &r.protocol, &r.service}) {
    EXPECT_LE(s->streams_inbound, s->streams);
    EXPECT_LE(s->streams_outbound, s->streams);
    EXPECT_LE(s->conns_inbound, s->conns);
  }
  EXPECT_LE(r.transient.conns, r.system.conns);
  EXPECT_LE(r.peer.streams, r.system.streams);
  EXPECT_LE(r.peer.memory, r.system.memory);
  EXPECT_LT(d.connmgr.low_water, d.connmgr.high_water);
  EXPECT_LE(d.connmgr.high_water, r.system.conns);
}

TEST(limits_config, overlays_only_what_is_set) {
  auto c = parse_limits_config(R"({
    "peer": {"streams_inbound": 64, "memory": "unlimited"},
    "protocol": {"streams": 100},
    "protocols": {"/ipfs/bitswap/1.2.0": {"streams_inbound": 32}},
    "services": {"bitswap": {"memory": 1048576}},
    "stream": {"memory": 65536},
    "connmgr": {"low_water": 10, "high_water": 20, "grace_period_ms": 0},
    "gater": {"deny_cidrs": ["10.0.0.0/8", "fe80::/10"],
              "allow_peers": ["QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N"]},
    "bandwidth": {"global": {"outbound": {"bytes_per_second": 1000000}},
                  "protocols": {"/ipfs/bitswap/1.2.0": {"outbound": {"bytes_per_second": 500000, "burst": 65536}}},
                  "rate_time_constant_ms": 2000}
  })");
  ASSERT_TRUE(c) << c.error().message();
  auto d = default_limits();
  EXPECT_EQ(c->resources.peer.streams_inbound, 64u);
  EXPECT_EQ(c->resources.peer.memory, unlimited);
  EXPECT_EQ(c->resources.peer.conns, d.resources.peer.conns);
  const auto& bs = c->resources.protocols.at("/ipfs/bitswap/1.2.0");
  EXPECT_EQ(bs.streams_inbound, 32u);
  EXPECT_EQ(bs.streams, 100u);  // unset override fields come from "protocol"
  EXPECT_EQ(c->resources.services.at("bitswap").memory, 1048576u);
  EXPECT_EQ(c->resources.stream_memory, 65536u);
  EXPECT_EQ(c->connmgr.low_water, 10u);
  EXPECT_EQ(c->connmgr.grace_period, duration::zero());
  EXPECT_EQ(c->connmgr.silence_period, d.connmgr.silence_period);
  ASSERT_EQ(c->gater.deny_cidrs.size(), 2u);
  EXPECT_EQ(c->gater.deny_cidrs[1].to_string(), "fe80::/10");
  EXPECT_EQ(c->bandwidth.global.outbound, (rate_limit{1000000, 1000000}));  // burst defaults to one second
  EXPECT_EQ(c->bandwidth.protocols.at("/ipfs/bitswap/1.2.0").outbound, (rate_limit{500000, 65536}));
  EXPECT_EQ(c->bandwidth.rate_time_constant, 2s);

  auto g = c->make_gater();
  EXPECT_FALSE(g.intercept_accept(addr("/ip4/10.1.1.1/tcp/1")));
  EXPECT_FALSE(g.intercept_peer_dial(peer(1)));
}

TEST(limits_config, peer_overrides_accept_any_peer_id_form) {
  auto c = parse_limits_config(R"({"peer": {"streams": 10},
    "peers": {"bafzbeie5745rpv2m6tjyuugywy4d5ewrqgqqhfnf445he3omzpjbx5xqxe": {"streams_inbound": 99}}})");
  ASSERT_TRUE(c) << c.error().message();
  auto p = crypto::peer_id::parse("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N").value();
  ASSERT_EQ(c->resources.peers.count(p), 1u);
  EXPECT_EQ(c->resources.peers.at(p).streams_inbound, 99u);
  EXPECT_EQ(c->resources.peers.at(p).streams, 10u);  // unset fields come from "peer"
  auto bad = config_error(R"({"peers": {"nope": {}}})");
  EXPECT_EQ(bad.rfind("limits.peers[\"nope\"]: ", 0), 0u) << bad;
  auto bad_field = config_error(R"({"peers": {"QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N": {"x": 1}}})");
  EXPECT_EQ(bad_field.rfind("limits.peers[\"QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N\"].x: unknown field", 0), 0u)
      << bad_field;
}

TEST(limits_config, round_trips_through_to_json) {
  auto c = parse_limits_config(R"({"protocols": {"/a": {"streams": 3}}, "services": {"s": {}},
    "peers": {"12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA": {"memory": 5}},
    "gater": {"deny_peers": ["12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA"], "allow_cidrs": ["::/0"]},
    "bandwidth": {"peer": {"inbound": {"bytes_per_second": 7, "burst": 9}, "outbound": "unlimited"},
                  "protocols": {"/b": {"inbound": {"bytes_per_second": 1}}}}})");
  ASSERT_TRUE(c) << c.error().message();
  for (const auto& cfg : {default_limits(), *c}) {
    auto again = parse_limits_config(to_json(cfg));
    ASSERT_TRUE(again) << again.error().message() << "\n" << to_json(cfg);
    EXPECT_EQ(*again, cfg);
  }
}

TEST(limits_config, errors_name_the_field) {
  struct bad_case {
    const char* text;
    const char* error_prefix;
  };
  for (auto [text, prefix] : std::initializer_list<bad_case>{
           {R"({"peer": {"streams_inbound": 0}})",
            "limits.peer.streams_inbound: must be a positive integer or \"unlimited\""},
           {R"({"peer": {"streams_inbound": -3}})", "limits.peer.streams_inbound: must be a positive integer"},
           {R"({"peer": {"streams_inbound": 1.5}})", "limits.peer.streams_inbound: must be a positive integer"},
           {R"({"peer": {"streams_inbound": "lots"}})", "limits.peer.streams_inbound: must be a positive integer"},
           {R"({"peer": {"stream_inbound": 3}})", "limits.peer.stream_inbound: unknown field (expected one of:"},
           {R"({"peer": 5})", "limits.peer: must be an object"},
           {R"({"peerz": {}})", "limits.peerz: unknown field"},
           {R"({"system": {"memory": true}})", "limits.system.memory: must be a positive integer"},
           {R"({"transient": {"conns": null}})", "limits.transient.conns: must be a positive integer"},
           {R"({"protocols": {"/x": {"streams": 0}}})", "limits.protocols[\"/x\"].streams: must be a positive"},
           {R"({"protocols": {"": {}}})", "limits.protocols: names must be 1..1024 characters"},
           {R"({"protocols": []})", "limits.protocols: must be an object"},
           {R"({"services": {"s": {"conns": "x"}}})", "limits.services[\"s\"].conns: must be a positive"},
           {R"({"connection": {"memory": 0}})", "limits.connection.memory: must be a positive"},
           {R"({"stream": {"streams": 1}})", "limits.stream.streams: unknown field"},
           {R"({"connmgr": {"low_water": 100, "high_water": 50}})",
            "limits.connmgr.low_water: must be less than high_water (50)"},
           {R"({"connmgr": {"low_water": 96}})", "limits.connmgr.low_water: must be less than high_water (96)"},
           {R"({"connmgr": {"low_water": -1}})", "limits.connmgr.low_water: must be a non-negative integer"},
           {R"({"connmgr": {"high_water": 0}})", "limits.connmgr.high_water: must be a positive integer"},
           {R"({"connmgr": {"grace_period_ms": 86400001}})",
            "limits.connmgr.grace_period_ms: must be an integer number of milliseconds, 0..86400000"},
           {R"({"connmgr": {"silence_period_ms": "10s"}})", "limits.connmgr.silence_period_ms: must be an integer"},
           {R"({"gater": {"deny_cidrs": ["10.0.0.1/8"]}})",
            "limits.gater.deny_cidrs[0]: CIDR \"10.0.0.1/8\" has bits set after the prefix (did you mean 10.0.0.0/8?)"},
           {R"({"gater": {"allow_cidrs": ["1.2.3.4/32", "nope"]}})", "limits.gater.allow_cidrs[1]: CIDR \"nope\""},
           {R"({"gater": {"deny_peers": ["not-a-peer"]}})", "limits.gater.deny_peers[0]: "},
           {R"({"gater": {"deny_peers": [7]}})", "limits.gater.deny_peers[0]: must be a string"},
           {R"({"gater": {"deny_peers": "x"}})", "limits.gater.deny_peers: must be an array of strings"},
           {R"({"bandwidth": {"global": {"inbound": {"burst": 5}}}})",
            "limits.bandwidth.global.inbound.bytes_per_second: required"},
           {R"({"bandwidth": {"global": {"inbound": {"bytes_per_second": 0}}}})",
            "limits.bandwidth.global.inbound.bytes_per_second: must be a positive integer"},
           {R"({"bandwidth": {"peer": {"outbound": {"bytes_per_second": 5, "burst": 0}}}})",
            "limits.bandwidth.peer.outbound.burst: must be a positive integer"},
           {R"({"bandwidth": {"peer": {"outbound": 5}}})",
            "limits.bandwidth.peer.outbound: must be an object (or write \"unlimited\")"},
           {R"({"bandwidth": {"peer": {"sideways": "unlimited"}}})", "limits.bandwidth.peer.sideways: unknown field"},
           {R"({"bandwidth": {"protocols": {"/p": {"inbound": {"bytes_per_second": 1, "rate": 2}}}}})",
            "limits.bandwidth.protocols[\"/p\"].inbound.rate: unknown field"},
           {R"({"bandwidth": {"rate_time_constant_ms": 0}})",
            "limits.bandwidth.rate_time_constant_ms: must be an integer number of milliseconds, 1..86400000"},
           {R"([])", "limits: must be an object"},
           {R"({"peer": )", "limits: not valid JSON"},
           {"", "limits: not valid JSON"},
       }) {
    auto detail = config_error(text);
    EXPECT_EQ(detail.rfind(prefix, 0), 0u) << "input: " << text << "\n got: " << detail;
  }
}

TEST(limits_config, input_is_bounded) {
  std::string deep(100, '[');
  EXPECT_EQ(config_error(deep).rfind("limits: nested deeper than 16", 0), 0u);
  std::string brackets_in_strings = R"({"protocols": {")" + std::string(100, '[') + R"(": {}}})";
  EXPECT_TRUE(parse_limits_config(brackets_in_strings));
  std::string huge = "{\"x\": \"" + std::string(max_config_text, 'a') + "\"}";
  EXPECT_NE(config_error(huge).find("over 1048576 bytes"), std::string::npos);
  std::string many = "{\"protocols\": {";
  for (std::size_t i = 0; i <= max_config_overrides; ++i)
    many += (i ? "," : "") + ("\"/p/" + std::to_string(i) + "\": {}");
  many += "}}";
  EXPECT_NE(config_error(many).find("at most 1024 entries"), std::string::npos);
}
