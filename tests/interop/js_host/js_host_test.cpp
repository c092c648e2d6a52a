// converge's host against a real js-libp2p 3 node (tcp + noise|plaintext +
// yamux + identify + ping) on 127.0.0.1, both dialling directions: ping,
// identify, and an echo protocol with a 1 MiB payload.
#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "../../unit/p2p_io/harness.hpp"
#include "base/log.hpp"
#include "js_process.hpp"
#include "p2p/io/protocols/identify.hpp"
#include "p2p/io/protocols/ping.hpp"

namespace converge::p2p::io {
namespace {

using namespace testing;
constexpr std::string_view echo_protocol = "/echo/1.0.0";
constexpr std::size_t payload_size = 1 << 20;

task<void> serve_echo(stream s) {
  std::array<std::uint8_t, 16 * 1024> buf{};
  while (true) {
    auto n = co_await s.read_some(buf);
    if (!n || *n == 0) break;
    auto awaited = co_await s.write_all(bytes_view(buf.data(), *n));
    if (!awaited) co_return;
  }
  (void)s.close_write();
}

bytes pattern(std::size_t n) {
  bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(i * 7 + 3);
  return b;
}

task<void> upload(stream s, bytes data) {
  auto awaited = co_await s.write_all(data);
  if (awaited) (void)s.close_write();
}

// Writes `data` while reading the echo (the payload is larger than the window).
task<result<bytes>> echo_round(std::shared_ptr<host> h, crypto::peer_id peer, bytes data) {
  std::vector<std::string> protocols(1, std::string(echo_protocol));
  auto s = co_await h->new_stream(peer, std::move(protocols));
  if (!s) co_return fail(s.error());
  asio::co_spawn(h->executor(), upload(*s, std::move(data)), asio::detached);
  co_return co_await s->read_to_end(4 * payload_size);
}

bool contains(const std::vector<std::string>& v, std::string_view x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

std::shared_ptr<host> echo_host(asio::io_context& io, host_config c) {
  auto h = make_host(io, std::move(c));
  h->set_stream_handler(std::string(echo_protocol), serve_echo);
  return h;
}

void cpp_dials_js(bool plaintext) {
  if (std::getenv("CONVERGE_IO_DEBUG")) set_log_level(log_level::debug);
  if (!js_available()) {
    // make test installs the js peers and sets CONVERGE_REQUIRE_INTEROP: a missing peer is then a failure, not a skip.
    if (std::getenv("CONVERGE_REQUIRE_INTEROP")) FAIL() << "node 22 / js-libp2p not installed under interop/node_modules";
    GTEST_SKIP() << "node 22 / js-libp2p not installed under interop/node_modules";
  }
  asio::io_context io;
  js_process js(io, {"listen", plaintext ? "plaintext" : "noise"});
  auto hello = nlohmann::json::parse(run(io, js.read_line()));
  auto js_addr = *mf::multiaddr::parse(hello["addrs"][0].get<std::string>());
  auto js_id = *crypto::peer_id::parse(hello["id"].get<std::string>());

  auto cfg = test_config(plaintext ? 101 : 100);
  if (plaintext) {
    cfg.allow_plaintext = true;
    cfg.security_protocols = {"/plaintext/2.0.0"};
  }
  auto h = echo_host(io, std::move(cfg));
  auto conn = run(io, h->connect(js_addr));
  ASSERT_TRUE(conn.has_value()) << conn.error().message();
  EXPECT_EQ((*conn)->remote_peer(), js_id);

  auto rtt = run(io, ping(h, js_id));
  ASSERT_TRUE(rtt.has_value()) << rtt.error().message();

  auto data = pattern(payload_size);
  auto echoed = run(io, echo_round(h, js_id, data));
  ASSERT_TRUE(echoed.has_value()) << echoed.error().message();
  EXPECT_EQ(echoed->size(), data.size());
  EXPECT_TRUE(*echoed == data);

  // We identified js ...
  auto learned = run(io, next_of<identify_completed>(h));
  EXPECT_EQ(learned.peer, js_id);
  EXPECT_TRUE(contains(learned.info.protocols, "/ipfs/ping/1.0.0"));
  EXPECT_TRUE(contains(learned.info.protocols, echo_protocol));
  EXPECT_TRUE(learned.signed_record_verified);
  EXPECT_EQ(learned.info.public_key, std::optional<crypto::public_key>((*conn)->remote_key()));
  // ... and js identified us (its listen mode prints what it learned).
  auto line = run(io, js.read_line());
  while (!line.empty() && line.find("\"identify\"") == std::string::npos) line = run(io, js.read_line());
  ASSERT_FALSE(line.empty()) << "js printed no identify event";
  auto theirs = nlohmann::json::parse(line);
  EXPECT_EQ(theirs["peer"].get<std::string>(), h->id().to_string());
  auto protos = theirs["protocols"].get<std::vector<std::string>>();
  EXPECT_TRUE(contains(protos, echo_protocol));
  EXPECT_TRUE(contains(protos, "/ipfs/ping/1.0.0"));
  EXPECT_TRUE(theirs["signedPeerRecord"].get<bool>());

  // The js side pings and echoes us over the same connection.
  h->close();
  js.close_stdin();
  io.run();
}

TEST(JsHost, CppDialsJsOverNoise) { cpp_dials_js(false); }
TEST(JsHost, CppDialsJsOverPlaintext) { cpp_dials_js(true); }

TEST(JsHost, JsDialsCpp) {
  if (!js_available()) {
    // make test installs the js peers and sets CONVERGE_REQUIRE_INTEROP: a missing peer is then a failure, not a skip.
    if (std::getenv("CONVERGE_REQUIRE_INTEROP")) FAIL() << "node 22 / js-libp2p not installed under interop/node_modules";
    GTEST_SKIP() << "node 22 / js-libp2p not installed under interop/node_modules";
  }
  asio::io_context io;
  auto h = echo_host(io, test_config(102));
  js_process js(io, {"dial", dial_addr(*h).to_string(), std::to_string(payload_size)});
  std::string verdict;
  for (auto line = run(io, js.read_line()); !line.empty(); line = run(io, js.read_line())) verdict = line;
  EXPECT_EQ(verdict.rfind("PASS", 0), 0u) << verdict;
  // Our side identified the js dialer too.
  std::optional<identify_completed> learned;
  while (auto e = h->poll_event())
    if (auto* x = std::get_if<identify_completed>(&*e)) learned = *x;
  if (!learned) learned = run(io, next_of<identify_completed>(h));
  EXPECT_TRUE(contains(learned->info.protocols, "/ipfs/ping/1.0.0"));
  EXPECT_TRUE(contains(learned->info.protocols, echo_protocol));
  EXPECT_TRUE(learned->signed_record_verified);
  h->close();
  io.run();
}

}  // namespace
}  // namespace converge::p2p::io
