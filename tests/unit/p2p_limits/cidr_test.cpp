#include "p2p/limits/cidr.hpp"

#include <gtest/gtest.h>

#include "p2p/limits/errors.hpp"
#include "test_support.hpp"

using namespace converge;
using namespace converge::p2p::limits;

namespace {
ip_address ip(std::string_view s) { return parse_ip(s).value(); }
std::string cidr_error(std::string_view s) {
  auto c = cidr::parse(s);
  EXPECT_FALSE(c) << s;
  if (c) return {};
  EXPECT_EQ(c.error().code, limits_errc::invalid_cidr);
  return c.error().detail;
}
}  // namespace

TEST(limits_cidr, parses_ipv4_and_ipv6_prefixes) {
  auto a = cidr::parse("10.0.0.0/8").value();
  EXPECT_EQ(a.prefix_length(), 8u);
  EXPECT_EQ(a.to_string(), "10.0.0.0/8");
  EXPECT_TRUE(a.contains(ip("10.255.1.2")));
  EXPECT_FALSE(a.contains(ip("11.0.0.0")));

  auto b = cidr::parse("::1/128").value();
  EXPECT_TRUE(b.contains(ip("::1")));
  EXPECT_FALSE(b.contains(ip("::2")));
  EXPECT_EQ(b.to_string(), "::1/128");

  auto c = cidr::parse("2001:DB8::/32").value();
  EXPECT_EQ(c.to_string(), "2001:db8::/32");
  EXPECT_TRUE(c.contains(ip("2001:db8:ffff::1")));
  EXPECT_FALSE(c.contains(ip("2001:db9::1")));

  auto odd = cidr::parse("192.168.0.0/23").value();
  EXPECT_TRUE(odd.contains(ip("192.168.1.255")));
  EXPECT_FALSE(odd.contains(ip("192.168.2.0")));
  EXPECT_TRUE(cidr::parse("0.0.0.0/0").value().contains(ip("8.8.8.8")));
  EXPECT_TRUE(cidr::parse("::/0").value().contains(ip("fe80::1")));
}

TEST(limits_cidr, families_do_not_mix_except_ipv4_mapped) {
  auto v4 = cidr::parse("10.0.0.0/8").value();
  EXPECT_TRUE(v4.contains(ip("::ffff:10.1.2.3")));
  EXPECT_FALSE(v4.contains(ip("::10.1.2.3")));
  EXPECT_FALSE(cidr::parse("::/0").value().contains(ip("10.1.2.3")));
  auto mapped = cidr::parse("::ffff:10.0.0.0/104").value();
  EXPECT_TRUE(mapped.contains(ip("10.9.9.9")));
  EXPECT_FALSE(mapped.contains(ip("11.0.0.1")));
}

TEST(limits_cidr, ipv6_text_forms) {
  EXPECT_EQ(ip("1:2:3:4:5:6:7:8").to_string(), "1:2:3:4:5:6:7:8");
  EXPECT_EQ(ip("::").to_string(), "::");
  EXPECT_EQ(ip("1::").to_string(), "1::");
  EXPECT_EQ(ip("fe80::1:2").bytes[15], 2);
  EXPECT_EQ(ip("::ffff:1.2.3.4").unmapped(), ip("1.2.3.4"));
  for (auto bad : {":::", "1:2:3:4:5:6:7:8:9", "1::2::3", "12345::", "1:2:3:4:5:6:7", "g::", "1:", ":1", "::1.2.3",
                   "1.2.3.4::", "1::2:3:4:5:6:7:8", "fe80::1%eth0"})
    EXPECT_FALSE(parse_ip(bad)) << bad;
}

TEST(limits_cidr, errors_say_what_is_wrong) {
  EXPECT_NE(cidr_error("10.0.0.0").find("no prefix length"), std::string::npos);
  EXPECT_NE(cidr_error("10.0.0.1/8").find("did you mean 10.0.0.0/8"), std::string::npos);
  EXPECT_NE(cidr_error("10.0.0.0/33").find("0..32"), std::string::npos);
  EXPECT_NE(cidr_error("::/129").find("0..128"), std::string::npos);
  EXPECT_NE(cidr_error("10.0.0.0/08").find("leading zeros"), std::string::npos);
  EXPECT_NE(cidr_error("10.0.0.0/").find("prefix length"), std::string::npos);
  EXPECT_NE(cidr_error("010.0.0.0/8").find("not an IPv4 address"), std::string::npos);
  EXPECT_NE(cidr_error("256.0.0.0/8").find("not an IPv4 address"), std::string::npos);
  EXPECT_NE(cidr_error("10.0.0/8").find("not an IPv4 address"), std::string::npos);
  EXPECT_NE(cidr_error("10.0.0.0.0/8").find("not an IPv4 address"), std::string::npos);
  EXPECT_NE(cidr_error("zz::/8").find("not an IPv6 address"), std::string::npos);
  EXPECT_NE(cidr_error("").find("no prefix length"), std::string::npos);
  EXPECT_NE(cidr_error(std::string(200, '1') + "/8").find("too long"), std::string::npos);
  EXPECT_LT(cidr_error(std::string(5000, 'x')).size(), 200u);  // errors quote a bounded part of the input
}

TEST(limits_cidr, ip_of_multiaddr) {
  using p2p::limits::test::addr;
  EXPECT_EQ(ip_of(addr("/ip4/1.2.3.4/tcp/4001")), ip("1.2.3.4"));
  EXPECT_EQ(ip_of(addr("/ip6/2001:db8::1/tcp/4001")), ip("2001:db8::1"));
  EXPECT_FALSE(ip_of(addr("/dns4/example.com/tcp/4001")));
  EXPECT_FALSE(ip_of(mf::multiaddr{}));
}

TEST(limits_cidr, host_prefix) {
  auto h = cidr::host(ip("192.0.2.7"));
  EXPECT_EQ(h.to_string(), "192.0.2.7/32");
  EXPECT_TRUE(h.contains(ip("192.0.2.7")));
  EXPECT_FALSE(h.contains(ip("192.0.2.8")));
}
