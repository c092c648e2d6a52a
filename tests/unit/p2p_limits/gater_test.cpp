#include "p2p/limits/gater.hpp"

#include <gtest/gtest.h>

#include "test_support.hpp"

using namespace converge;
using namespace converge::p2p::limits;
using converge::p2p::limits::test::addr;
using converge::p2p::limits::test::peer;

namespace {
std::string refusal(const result<void>& r) {
  EXPECT_FALSE(r);
  if (r) return {};
  EXPECT_EQ(r.error().code, limits_errc::gated);
  return r.error().detail;
}
}  // namespace

TEST(limits_gater, empty_gater_allows_everything) {
  connection_gater g;
  EXPECT_TRUE(g.intercept_peer_dial(peer(1)));
  EXPECT_TRUE(g.intercept_addr_dial(peer(1), addr("/ip4/10.0.0.1/tcp/1")));
  EXPECT_TRUE(g.intercept_accept(addr("/ip6/::1/tcp/1")));
  EXPECT_TRUE(g.intercept_secured(direction::inbound, peer(1), addr("/dns4/a.example/tcp/1")));
}

TEST(limits_gater, deny_peer_at_every_hook) {
  connection_gater g;
  ASSERT_TRUE(g.deny_peer(peer(1)));
  auto detail = refusal(g.intercept_peer_dial(peer(1)));
  EXPECT_NE(detail.find(peer(1).to_string()), std::string::npos);
  EXPECT_NE(detail.find("deny list"), std::string::npos);
  refusal(g.intercept_addr_dial(peer(1), addr("/ip4/1.2.3.4/tcp/1")));
  auto secured = refusal(g.intercept_secured(direction::inbound, peer(1), addr("/ip4/1.2.3.4/tcp/1")));
  EXPECT_EQ(secured.rfind("inbound connection: ", 0), 0u) << secured;
  refusal(g.intercept_upgraded(direction::outbound, peer(1), addr("/ip4/1.2.3.4/tcp/1")));
  EXPECT_TRUE(g.intercept_peer_dial(peer(2)));
  EXPECT_TRUE(g.remove_denied_peer(peer(1)));
  EXPECT_TRUE(g.intercept_peer_dial(peer(1)));
}

TEST(limits_gater, deny_cidr_names_the_rule) {
  connection_gater g;
  ASSERT_TRUE(g.deny_cidr(cidr::parse("10.0.0.0/8").value()));
  auto detail = refusal(g.intercept_accept(addr("/ip4/10.1.2.3/tcp/4001")));
  EXPECT_NE(detail.find("/ip4/10.1.2.3/tcp/4001"), std::string::npos) << detail;
  EXPECT_NE(detail.find("denied CIDR 10.0.0.0/8"), std::string::npos) << detail;
  refusal(g.intercept_accept(addr("/ip6/::ffff:10.1.2.3/tcp/4001")));  // dual-stack socket
  EXPECT_TRUE(g.intercept_accept(addr("/ip4/11.1.2.3/tcp/4001")));
  refusal(g.intercept_addr_dial(peer(1), addr("/ip4/10.0.0.1/tcp/1")));
  EXPECT_TRUE(g.intercept_accept(addr("/dns4/a.example/tcp/1")));  // no IP: deny rules cannot match
}

TEST(limits_gater, allow_lists_admit_only_what_is_on_them) {
  connection_gater g;
  ASSERT_TRUE(g.allow_peer(peer(1)));
  ASSERT_TRUE(g.allow_cidr(cidr::parse("192.168.0.0/16").value()));
  EXPECT_TRUE(g.intercept_secured(direction::inbound, peer(1), addr("/ip4/192.168.1.1/tcp/1")));
  EXPECT_NE(refusal(g.intercept_peer_dial(peer(2))).find("not on the allow list"), std::string::npos);
  EXPECT_NE(refusal(g.intercept_accept(addr("/ip4/8.8.8.8/tcp/1"))).find("inside no allowed CIDR"), std::string::npos);
  EXPECT_NE(refusal(g.intercept_accept(addr("/dns4/a.example/tcp/1"))).find("no IP"), std::string::npos);
  refusal(g.intercept_secured(direction::outbound, peer(1), addr("/ip4/8.8.8.8/tcp/1")));
  refusal(g.intercept_secured(direction::outbound, peer(2), addr("/ip4/192.168.1.1/tcp/1")));
}

TEST(limits_gater, deny_wins_over_allow) {
  connection_gater g;
  ASSERT_TRUE(g.allow_peer(peer(1)));
  ASSERT_TRUE(g.deny_peer(peer(1)));
  EXPECT_NE(refusal(g.intercept_peer_dial(peer(1))).find("deny list"), std::string::npos);

  ASSERT_TRUE(g.allow_cidr(cidr::parse("10.0.0.0/8").value()));
  ASSERT_TRUE(g.deny_cidr(cidr::parse("10.1.0.0/16").value()));
  EXPECT_TRUE(g.intercept_accept(addr("/ip4/10.2.0.1/tcp/1")));
  EXPECT_NE(refusal(g.intercept_accept(addr("/ip4/10.1.0.1/tcp/1"))).find("denied CIDR 10.1.0.0/16"),
            std::string::npos);
  EXPECT_TRUE(g.remove_denied_cidr(cidr::parse("10.1.0.0/16").value()));
  EXPECT_FALSE(g.remove_denied_cidr(cidr::parse("10.1.0.0/16").value()));
  EXPECT_TRUE(g.intercept_accept(addr("/ip4/10.1.0.1/tcp/1")));
}

TEST(limits_gater, ipv6_rules) {
  connection_gater g;
  ASSERT_TRUE(g.deny_cidr(cidr::parse("fe80::/10").value()));
  refusal(g.intercept_accept(addr("/ip6/fe80::1/tcp/1")));
  EXPECT_TRUE(g.intercept_accept(addr("/ip6/2001:db8::1/tcp/1")));
  EXPECT_TRUE(g.intercept_accept(addr("/ip4/127.0.0.1/tcp/1")));
}

TEST(limits_gater, rule_lists_are_bounded) {
  connection_gater g;
  for (std::size_t i = 0; i < max_gater_rules; ++i) {
    ip_address a;
    a.bytes = {10, static_cast<std::uint8_t>(i >> 8), static_cast<std::uint8_t>(i & 0xff), 0};
    ASSERT_TRUE(g.deny_cidr(cidr::host(a)));
  }
  ASSERT_TRUE(g.deny_cidr(cidr::parse("10.0.0.0/32").value()));  // already present: fine
  auto full = g.deny_cidr(cidr::parse("172.16.0.0/12").value());
  ASSERT_FALSE(full);
  EXPECT_EQ(full.error().code, limits_errc::invalid_argument);
  EXPECT_NE(full.error().detail.find("full"), std::string::npos);
}
