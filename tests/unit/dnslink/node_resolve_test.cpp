// DNSLink through the node: config.dht's dns_servers point the node's
// resolver at a real DNS server (Debian's dnsmasq) on a loopback port, and
// name/resolve answers over the RPC API. A lookup in flight does not hold the
// node's thread: with a DNS server that has not answered yet (this test
// holds the query), other RPCs are served; the lookup finishes when the
// answer comes.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <future>

#include "../node/running_node.hpp"
#include "node/svc_dht.hpp"

extern char** environ;

namespace converge::node {
namespace {

const std::string cid = "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi";

// A UDP socket on 127.0.0.1 that the test reads and answers by hand.
struct manual_dns {
  int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  int port = 0;
  manual_dns() {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
    timeval tv{30, 0};  // bounds a test that would otherwise wait forever
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~manual_dns() { ::close(fd); }
  // Waits for one query and answers it NXDOMAIN (the query echoed with QR and RCODE 3).
  bool answer_nxdomain() {
    unsigned char buf[512];
    sockaddr_in from{};
    socklen_t len = sizeof from;
    auto n = ::recvfrom(fd, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
    if (n < 12) return false;
    buf[2] |= 0x80;
    buf[3] = static_cast<unsigned char>((buf[3] & 0xF0) | 3);
    return ::sendto(fd, buf, static_cast<std::size_t>(n), 0, reinterpret_cast<sockaddr*>(&from), len) == n;
  }
  bool wait_query() {
    unsigned char buf[512];
    return ::recv(fd, buf, sizeof buf, MSG_PEEK) >= 12;
  }
};

// A node with the DHT service, its resolver pointed at `dns_server`.
class running_node : public test::running_node {
 public:
  explicit running_node(const std::string& dns_server)
      : test::running_node(
            7,
            [&](node_config& c) { c.services["dht"] = {{"dns_servers", {dns_server}}, {"dns_timeout_ms", 60000}}; },
            add_dht_service) {}
};

TEST(NodeDnslink, NameResolveFollowsDnslinkFromTheConfiguredServer) {
  std::string bin;
  for (const char* p : {"/usr/sbin/dnsmasq", "/usr/bin/dnsmasq"})
    if (std::filesystem::exists(p)) bin = p;
  if (bin.empty()) {
    if (std::getenv("CONVERGE_REQUIRE_INTEROP")) FAIL() << "dnsmasq not installed (scripts/install-deps.sh)";
    GTEST_SKIP() << "dnsmasq not installed";
  }
  int port = 0;
  {
    manual_dns probe;  // a free UDP port for dnsmasq
    port = probe.port;
  }
  std::vector<std::string> args{bin, "--keep-in-foreground", "--no-resolv", "--no-hosts", "--no-poll",
                                "--bind-interfaces", "--listen-address=127.0.0.1", "--port=" + std::to_string(port),
                                "--conf-file=/dev/null", "--pid-file=", "--log-facility=/dev/null",
                                "--txt-record=_dnslink.example.test,dnslink=/ipfs/" + cid + "/docs"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  ASSERT_EQ(::posix_spawn(&pid, bin.c_str(), nullptr, nullptr, argv.data(), environ), 0);
  {
    running_node n("127.0.0.1:" + std::to_string(port));
    result<json> r = fail(node_errc::bad_request, "not asked");
    for (int i = 0; i < 100; ++i) {  // until dnsmasq answers (bounded)
      r = rpc_request(n.repo_dir(), "name/resolve", json{{"name", "example.test"}});
      if (r) break;
      ::usleep(50'000);
    }
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ((*r)["path"], "/ipfs/" + cid + "/docs");
    auto missing = rpc_request(n.repo_dir(), "name/resolve", json{{"name", "absent.test"}});
    EXPECT_FALSE(missing);
  }
  ::kill(pid, SIGTERM);
  ::waitpid(pid, nullptr, 0);
}

TEST(NodeDnslink, ALookupInFlightDoesNotHoldTheNode) {
  manual_dns dns;
  running_node n("127.0.0.1:" + std::to_string(dns.port));
  auto slow = std::async(std::launch::async, [&] {
    return rpc_request(n.repo_dir(), "name/resolve", json{{"name", "slow.test"}});
  });
  ASSERT_TRUE(dns.wait_query());  // the lookup is in flight, unanswered
  auto id = rpc_request(n.repo_dir(), "id", json::object());
  ASSERT_TRUE(id) << id.error().message();
  EXPECT_EQ(slow.wait_for(std::chrono::seconds(0)), std::future_status::timeout)
      << "the lookup ended before its DNS server answered";
  ASSERT_TRUE(dns.answer_nxdomain());
  auto r = slow.get();
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("slow.test"), std::string::npos) << r.error().message();
}

}  // namespace
}  // namespace converge::node
