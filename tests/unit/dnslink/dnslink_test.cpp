#include <gtest/gtest.h>

#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "dnslink/dnslink.hpp"

extern char** environ;

namespace converge::dnslink {
namespace {

const std::string cid = "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi";
const std::string cid2 = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy";
const std::string name = "k51qzi5uqu5djmw2yvf8kk5cdjc1ddc00o4d5sjwi6f79xzcay9j3gkddw5uu4";

TEST(DnslinkParse, Entries) {
  auto l = parse_entry("dnslink=/ipfs/" + cid + "/docs/index.html");
  ASSERT_TRUE(l) << l.error().message();
  EXPECT_EQ(l->ns, "ipfs");
  EXPECT_EQ(l->identifier, cid);
  EXPECT_EQ(l->path, "/docs/index.html");
  EXPECT_EQ(l->to_string(), "/ipfs/" + cid + "/docs/index.html");
  EXPECT_EQ(parse_entry("dnslink=/ipns/" + name)->identifier, name);
  EXPECT_EQ(parse_entry("dnslink=/ipns/example.com")->identifier, "example.com");
  for (const std::string& bad : std::vector<std::string>{"", "v=spf1 -all", "dnslink=", "dnslink=ipfs/x", "dnslink=/ipfs/", "dnslink=/ipfs/notacid",
                          "dnslink=/foo/bar", "dnslink=/ipfs", "dnslink= /ipfs/" + cid, "dnslink=/ipfs/" + cid + " x",
                          "dnslink=/ipns/-bad-", "DNSLINK=/ipfs/" + cid})
    EXPECT_FALSE(parse_entry(bad)) << bad;
  EXPECT_FALSE(parse_entry("dnslink=/ipfs/" + cid + "/" + std::string(5000, 'a')));
}

TEST(DnslinkParse, RecordSetPicksTheSmallestValidEntry) {
  auto l = parse_txt({"v=spf1", "dnslink=/ipfs/" + cid2, "dnslink=garbage", "dnslink=/ipfs/" + cid});
  ASSERT_TRUE(l);
  EXPECT_EQ(l->identifier, cid2 < cid ? cid2 : cid);
  EXPECT_EQ(parse_txt({"hello"}).error().code, dnslink_errc::no_dnslink);
  EXPECT_EQ(parse_txt({}).error().code, dnslink_errc::no_dnslink);
  EXPECT_FALSE(parse_txt(std::vector<std::string>(65, "dnslink=/ipfs/" + cid)));
}

TEST(DnslinkParse, Domains) {
  EXPECT_TRUE(valid_domain("example.com"));
  EXPECT_TRUE(valid_domain("example.com."));
  EXPECT_TRUE(valid_domain("_dnslink.a-b.example"));
  EXPECT_FALSE(valid_domain(""));
  EXPECT_FALSE(valid_domain("a..b"));
  EXPECT_FALSE(valid_domain("-a.b"));
  EXPECT_FALSE(valid_domain("a b"));
  EXPECT_FALSE(valid_domain(std::string(64, 'a') + ".com"));
  EXPECT_FALSE(valid_domain(std::string(300, 'a')));
}

// A real DNS server (Debian's dnsmasq) on a loopback port, serving test records.
class Dnsmasq : public ::testing::Test {
 protected:
  static std::string binary() {
    for (const char* p : {"/usr/sbin/dnsmasq", "/usr/bin/dnsmasq"})
      if (std::filesystem::exists(p)) return p;
    return {};
  }
  static int free_port() {
    int s = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(s);
    return ntohs(a.sin_port);
  }
  void SetUp() override {
    auto bin = binary();
    if (bin.empty()) {
      if (std::getenv("CONVERGE_REQUIRE_INTEROP")) FAIL() << "dnsmasq not installed (scripts/install-deps.sh)";
      GTEST_SKIP() << "dnsmasq not installed";
    }
    port_ = free_port();
    std::vector<std::string> args{bin, "--keep-in-foreground", "--no-resolv", "--no-hosts", "--no-poll",
                                  "--bind-interfaces", "--listen-address=127.0.0.1", "--port=" + std::to_string(port_),
                                  "--conf-file=/dev/null", "--pid-file=", "--log-facility=/dev/null",
                                  "--txt-record=_dnslink.example.test,dnslink=/ipfs/" + cid,
                                  "--txt-record=_dnslink.many.test,v=spf1 -all",
                                  "--txt-record=_dnslink.many.test,dnslink=/ipfs/" + cid,
                                  "--txt-record=_dnslink.many.test,dnslink=/ipfs/" + cid2,
                                  "--txt-record=_dnslink.many.test,dnslink=nonsense",
                                  "--txt-record=_dnslink.chain.test,dnslink=/ipns/example.test",
                                  "--txt-record=_dnslink.key.test,dnslink=/ipns/" + name,
                                  "--txt-record=_dnslink.split.test,dnslink=/ipfs/,"+ cid + "/a",
                                  "--txt-record=_dnslink.loop-a.test,dnslink=/ipns/loop-b.test",
                                  "--txt-record=_dnslink.loop-b.test,dnslink=/ipns/loop-a.test",
                                  "--txt-record=_dnslink.junk.test,hello world"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ASSERT_EQ(::posix_spawn(&pid_, bin.c_str(), nullptr, nullptr, argv.data(), environ), 0);
    resolver_options o;
    o.servers = {"127.0.0.1:" + std::to_string(port_)};
    o.timeout = std::chrono::milliseconds(300);
    o.tries = 1;
    auto r = txt_resolver::create(o);
    ASSERT_TRUE(r) << r.error().message();
    resolver_ = std::move(*r);
    // Ready when it answers (bounded: 100 attempts).
    for (int i = 0; i < 100; ++i) {
      if (resolver_->query_txt("_dnslink.example.test")) return;
      ::usleep(50'000);
    }
    FAIL() << "dnsmasq did not answer on port " << port_;
  }
  void TearDown() override {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  pid_t pid_ = 0;
  int port_ = 0;
  std::unique_ptr<txt_resolver> resolver_;
};

TEST_F(Dnsmasq, ResolvesIpfsLink) {
  auto l = resolve(*resolver_, "example.test");
  ASSERT_TRUE(l) << l.error().message();
  EXPECT_EQ(l->to_string(), "/ipfs/" + cid);
}

TEST_F(Dnsmasq, PicksTheSmallestValidOfSeveral) {
  auto txts = resolver_->query_txt("_dnslink.many.test");
  ASSERT_TRUE(txts);
  EXPECT_EQ(txts->size(), 4u);
  auto l = resolve(*resolver_, "many.test");
  ASSERT_TRUE(l);
  EXPECT_EQ(l->identifier, std::min(cid, cid2));
}

TEST_F(Dnsmasq, FollowsDomainChainsAndStopsAtIpnsNames) {
  EXPECT_EQ(resolve(*resolver_, "chain.test")->to_string(), "/ipfs/" + cid);
  EXPECT_EQ(resolve(*resolver_, "key.test")->to_string(), "/ipns/" + name);
  EXPECT_EQ(resolve(*resolver_, "loop-a.test").error().code, dnslink_errc::too_deep);
}

TEST_F(Dnsmasq, JoinsCharacterStringsOfOneRecord) {
  auto l = resolve(*resolver_, "split.test");
  ASSERT_TRUE(l) << l.error().message();
  EXPECT_EQ(l->to_string(), "/ipfs/" + cid + "/a");
}

TEST_F(Dnsmasq, MissingAndInvalidRecordsAreClearErrors) {
  EXPECT_EQ(resolve(*resolver_, "junk.test").error().code, dnslink_errc::no_dnslink);
  EXPECT_EQ(resolve(*resolver_, "absent.test").error().code, dnslink_errc::dns_failure);
  EXPECT_EQ(resolve(*resolver_, "not a domain").error().code, dnslink_errc::invalid_domain);
}

TEST_F(Dnsmasq, DeadServerFailsWithinTheTimeout) {
  resolver_options o;
  o.servers = {"127.0.0.1:" + std::to_string(free_port())};
  o.timeout = std::chrono::milliseconds(200);
  o.tries = 1;
  auto r = txt_resolver::create(o);
  ASSERT_TRUE(r);
  auto e = resolve(**r, "example.test");
  ASSERT_FALSE(e);
  EXPECT_TRUE(e.error().code == dnslink_errc::timeout || e.error().code == dnslink_errc::dns_failure)
      << e.error().message();
  EXPECT_FALSE(txt_resolver::create(resolver_options{{"not-an-address"}, std::chrono::milliseconds(100), 1}));
}

}  // namespace
}  // namespace converge::dnslink
