// The RPC API end to end on loopback: a server on its own thread, the CLI's
// client functions against it, and raw HTTP for what the client never sends.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "base/bytes.hpp"
#include "base/rng.hpp"
#include "node/repo.hpp"
#include "node/rpc.hpp"
#include "p2p/io/tcp_transport.hpp"
#include "temp_dir.hpp"

namespace converge::node {
namespace {

namespace asio = p2p::io::asio;
using p2p::io::task;

class RpcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    deterministic_rng rng(11);
    init_options o;
    o.api = *mf::multiaddr::parse("/ip4/127.0.0.1/tcp/0");
    auto r = repo::init(dir.path(), o, rng);
    ASSERT_TRUE(r);
    registry.add("echo", [](rpc_call c) -> task<rpc_result> { co_return c.args; });
    registry.add("needs-name", [](rpc_call c) -> task<rpc_result> {
      auto n = arg_string(c, "name");
      if (!n) co_return std::unexpected(n.error());
      co_return json{{"hello", *n}};
    });
    registry.add("bad-utf8", [](rpc_call) -> task<rpc_result> {
      json j;
      j["name"] = std::string("a\xff\xfe" "b");
      co_return j;
    });
    registry.add("broken", [](rpc_call) -> task<rpc_result> {
      co_return fail(node_errc::io, "the disk is on fire");
    });
    registry.add_stream("count", [](rpc_call c, rpc_emit emit) -> task<result<void>> {
      auto n = arg_uint(c, "n", 3, 100000);
      if (!n) co_return std::unexpected(n.error());
      for (std::uint64_t i = 0; i < *n; ++i)
        if (!emit(json{{"i", i}})) break;
      co_return ok();
    });
    registry.add_stream("until-gone", [this](rpc_call c, rpc_emit emit) -> task<result<void>> {
      emit(json{{"started", true}});
      asio::steady_timer t(co_await asio::this_coro::executor);
      while (!c.client_gone()) {
        t.expires_after(std::chrono::milliseconds(5));
        co_await t.async_wait(p2p::io::use_tuple);
      }
      saw_gone = true;
      co_return ok();
    });
    registry.add_stream("fails-midway", [](rpc_call, rpc_emit emit) -> task<result<void>> {
      emit(json{{"first", 1}});
      co_return fail(node_errc::io, "lost the thread");
    });
    server = std::make_shared<rpc_server>(ioc.get_executor(), registry, *r->api_token());
    auto bound = server->listen(*mf::multiaddr::parse("/ip4/127.0.0.1/tcp/0"));
    ASSERT_TRUE(bound) << bound.error().message();
    addr = *bound;
    ASSERT_TRUE(write_file_atomic((dir.path() / "api").string(), as_bytes(addr.to_string() + "\n"), 0600));
    work.emplace(ioc.get_executor());
    thread = std::thread([this] { ioc.run(); });
  }
  void TearDown() override {
    asio::post(ioc, [this] { server->close(); });
    work.reset();
    ioc.stop();
    if (thread.joinable()) thread.join();
  }

  // One raw HTTP exchange; returns everything the server sent.
  std::string raw(const std::string& request) {
    asio::io_context c;
    p2p::io::tcp::socket s(c);
    auto ep = *p2p::io::to_endpoint(addr);
    s.connect(ep);
    asio::write(s, asio::buffer(request));
    std::string out;
    boost::system::error_code ec;
    std::array<char, 4096> buf{};
    while (true) {
      auto n = s.read_some(asio::buffer(buf), ec);
      out.append(buf.data(), n);
      if (ec) break;
    }
    return out;
  }
  std::string token() { return *repo::open(dir.path())->api_token(); }

  test::temp_dir dir;
  asio::io_context ioc;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  rpc_registry registry;
  std::shared_ptr<rpc_server> server;
  mf::multiaddr addr;
  std::thread thread;
  std::atomic<bool> saw_gone{false};
};

TEST_F(RpcTest, PlainCommandsAnswerJson) {
  auto r = rpc_request(dir.path(), "echo", json{{"a", 1}, {"b", "two"}});
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ((*r)["a"], 1);
  EXPECT_EQ((*r)["b"], "two");
  auto named = rpc_request(dir.path(), "needs-name", json{{"name", "x"}});
  ASSERT_TRUE(named);
  EXPECT_EQ((*named)["hello"], "x");
}

TEST_F(RpcTest, ErrorsArriveWithTheirKindAndMessage) {
  auto missing = rpc_request(dir.path(), "needs-name", json::object());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, node_errc::bad_request);
  EXPECT_NE(missing.error().detail.find("argument 'name' must be a string"), std::string::npos);
  auto unknown = rpc_request(dir.path(), "no/such", json::object());
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, node_errc::unknown_command);
  EXPECT_NE(unknown.error().detail.find("no/such"), std::string::npos);
  auto broken = rpc_request(dir.path(), "broken", json::object());
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().code, node_errc::rpc_failed);
  EXPECT_NE(broken.error().detail.find("the disk is on fire"), std::string::npos);
}

TEST_F(RpcTest, InvalidUtf8IsReplacedNotFatal) {
  auto r = rpc_request(dir.path(), "bad-utf8", json::object());
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ((*r)["name"], "a\xef\xbf\xbd\xef\xbf\xbd" "b");
}

TEST_F(RpcTest, WrongTokenIsRefused) {
  ASSERT_TRUE(write_file_atomic((dir.path() / "api_token").string(), as_bytes(std::string(64, 'a') + "\n"), 0600));
  auto r = rpc_request(dir.path(), "echo", json::object());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, node_errc::unauthorized);
}

TEST_F(RpcTest, RawRequestsWithoutTokenOriginOrPostAreRefused) {
  auto no_token = raw("POST /api/v0/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}");
  EXPECT_EQ(no_token.substr(0, 12), "HTTP/1.1 401") << no_token;
  auto auth = "Authorization: Bearer " + token() + "\r\n";
  auto origin = raw("POST /api/v0/echo HTTP/1.1\r\nHost: x\r\n" + auth + "Origin: http://evil.example\r\nContent-Length: 2\r\n\r\n{}");
  EXPECT_EQ(origin.substr(0, 12), "HTTP/1.1 403") << origin;
  auto get = raw("GET /api/v0/echo HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n");
  EXPECT_EQ(get.substr(0, 12), "HTTP/1.1 405") << get;
  auto not_object = raw("POST /api/v0/echo HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Length: 3\r\n\r\n[1]");
  EXPECT_EQ(not_object.substr(0, 12), "HTTP/1.1 400") << not_object;
  auto bad_path = raw("POST /etc/passwd HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Length: 0\r\n\r\n");
  EXPECT_EQ(bad_path.substr(0, 12), "HTTP/1.1 404") << bad_path;
  auto huge = raw("POST /api/v0/echo HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Length: " +
                  std::to_string(max_rpc_body + 1) + "\r\n\r\n");
  EXPECT_EQ(huge.substr(0, 12), "HTTP/1.1 413") << huge;
  // After all that the server still serves.
  EXPECT_TRUE(rpc_request(dir.path(), "echo", json::object()));
}

TEST_F(RpcTest, StreamsDeliverLinesInOrder) {
  std::vector<std::uint64_t> got;
  auto r = rpc_stream(dir.path(), "count", json{{"n", 500}}, [&](const json& j) {
    got.push_back(j["i"].get<std::uint64_t>());
    return true;
  });
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_EQ(got.size(), 500u);
  for (std::uint64_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i], i);
}

TEST_F(RpcTest, StreamHandlerLearnsTheClientLeft) {
  auto r = rpc_stream(dir.path(), "until-gone", json::object(), [](const json&) { return false; });
  ASSERT_TRUE(r);
  // The handler polls client_gone(); this waits (bounded by the test timeout), it does not time it.
  while (!saw_gone) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  EXPECT_TRUE(rpc_request(dir.path(), "echo", json::object()));
}

TEST_F(RpcTest, StreamFailureIsTheLastLine) {
  int lines = 0;
  auto r = rpc_stream(dir.path(), "fails-midway", json::object(), [&](const json&) {
    ++lines;
    return true;
  });
  EXPECT_EQ(lines, 1);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().detail.find("lost the thread"), std::string::npos);
}

TEST_F(RpcTest, NoDaemonIsSaidClearly) {
  std::filesystem::remove(dir.path() / "api");
  auto r = rpc_request(dir.path(), "echo", json::object());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, node_errc::no_daemon);
  EXPECT_NE(r.error().detail.find("converge daemon"), std::string::npos);
  // A stale api file (the daemon died) says the same.
  asio::post(ioc, [this] { server->close(); });
  ASSERT_TRUE(write_file_atomic((dir.path() / "api").string(), as_bytes(addr.to_string()), 0600));
  // Until the close lands, a request may still be answered, or cut off
  // (accepted just before the close); once it has, every request says no_daemon.
  std::optional<error> last;
  for (int i = 0; i < 100000; ++i) {
    auto again = rpc_request(dir.path(), "echo", json::object());
    if (again) continue;
    last = again.error();
    if (last->code == node_errc::no_daemon) break;
  }
  ASSERT_TRUE(last);
  EXPECT_EQ(last->code, node_errc::no_daemon) << last->message();
}

}  // namespace
}  // namespace converge::node
