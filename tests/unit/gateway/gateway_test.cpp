// The trustless gateway: request planning, and a real server on 127.0.0.1
// answered with raw blocks and CARs that the client verifies.
#include "gateway/gateway.hpp"

#include <gtest/gtest.h>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <map>

#include "car/car.hpp"
#include "multiformats/multicodec.hpp"
#include "unixfs/dag_pb.hpp"
#include "unixfs/errors.hpp"
#include "unixfs/exporter.hpp"
#include "unixfs/importer.hpp"

namespace converge::gateway {
namespace {
namespace asio = p2p::io::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using p2p::io::task;
using p2p::io::tcp;

TEST(GatewayPlan, FormatsAndErrors) {
  const std::string cid = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku";
  auto p = plan("GET", "/ipfs/" + cid + "?format=raw", "");
  EXPECT_EQ(p.status, 200u);
  EXPECT_EQ(p.fmt, format::raw);
  EXPECT_EQ(plan("GET", "/ipfs/" + cid + "?format=car", "").fmt, format::car);
  EXPECT_EQ(plan("GET", "/ipfs/" + cid, "application/vnd.ipld.car; version=1").fmt, format::car);
  EXPECT_EQ(plan("GET", "/ipfs/" + cid, "application/vnd.ipld.raw").fmt, format::raw);
  EXPECT_EQ(plan("GET", "/ipfs/" + cid, "text/html").status, 406u);
  EXPECT_EQ(plan("GET", "/ipfs/" + cid + "?format=tar", "").status, 406u);
  EXPECT_EQ(plan("GET", "/ipfs/notacid?format=raw", "").status, 400u);
  EXPECT_EQ(plan("GET", "/ipfs/" + cid + "/a/b?format=raw", "").status, 400u);
  EXPECT_EQ(plan("GET", "/ipns/x?format=raw", "").status, 400u);
  EXPECT_EQ(plan("POST", "/ipfs/" + cid + "?format=raw", "").status, 405u);
}

struct fixture {
  std::map<mf::cid, bytes> blocks;
  mf::cid root = mf::cid::v1(mf::codec::raw, mf::multihash::sum(mf::codec::sha2_256, {}));
  bytes content;
  fixture() {
    content.resize(700000);
    for (std::size_t i = 0; i < content.size(); ++i) content[i] = static_cast<std::uint8_t>(i * 31 + (i >> 12));
    root = unixfs::import_bytes(content, {}, [&](const mf::cid& c, bytes_view b) -> result<void> {
             blocks.emplace(c, bytes(b.begin(), b.end()));
             return ok();
           })->cid;
  }
  block_getter getter() {
    return [this](const mf::cid& c) -> result<bytes> {
      auto it = blocks.find(c);
      if (it == blocks.end()) return fail(unixfs::unixfs_errc::not_found, c.to_string());
      return it->second;
    };
  }
};

struct reply {
  unsigned status = 0;
  std::string type;
  bytes body;
  bool complete = false;
};

task<reply> get(tcp::endpoint ep, std::string target, std::string accept = {}) {
  beast::tcp_stream s(co_await asio::this_coro::executor);
  auto [cec] = co_await s.async_connect(ep, p2p::io::use_tuple);
  reply r;
  if (cec) co_return r;
  http::request<http::empty_body> req{http::verb::get, target, 11};
  req.set(http::field::host, "127.0.0.1");
  if (!accept.empty()) req.set(http::field::accept, accept);
  auto [wec, wn] = co_await http::async_write(s, req, p2p::io::use_tuple);
  if (wec) co_return r;
  beast::flat_buffer buf;
  http::response_parser<http::vector_body<std::uint8_t>> parser;
  parser.body_limit(64 << 20);
  auto [rec, rn] = co_await http::async_read(s, buf, parser, p2p::io::use_tuple);
  r.complete = !rec;
  r.status = parser.get().result_int();
  r.type = std::string(parser.get()[http::field::content_type]);
  r.body = std::move(parser.get().body());
  co_return r;
}

template <class T>
task<void> capture(task<T> t, std::optional<T>& out) {
  out.emplace(co_await std::move(t));
}

template <class T>
T run(asio::io_context& io, task<T> t) {
  std::optional<T> out;
  asio::co_spawn(io, capture(std::move(t), out), asio::detached);
  io.restart();
  while (!out && io.run_one() > 0) {
  }
  return std::move(*out);
}

TEST(GatewayServer, RawAndCarAreVerifiable) {
  asio::io_context io;
  fixture f;
  auto s = server::start(io.get_executor(), {asio::ip::make_address("127.0.0.1"), 0}, f.getter(), unixfs::block_links).value();
  auto ep = s->local_endpoint();

  auto raw = run(io, get(ep, "/ipfs/" + f.root.to_string() + "?format=raw"));
  EXPECT_EQ(raw.status, 200u);
  EXPECT_EQ(raw.type, "application/vnd.ipld.raw");
  EXPECT_TRUE(blocks::verify_block(f.root, raw.body));

  auto car = run(io, get(ep, "/ipfs/" + f.root.to_string(), "application/vnd.ipld.car"));
  ASSERT_TRUE(car.complete);
  EXPECT_EQ(car.status, 200u);
  EXPECT_EQ(car.type, "application/vnd.ipld.car; version=1");
  car::car_parser p;
  ASSERT_TRUE(p.feed(car.body));
  std::map<mf::cid, bytes> got;
  while (auto b = p.next().value()) got.emplace(b->id, b->data);
  ASSERT_TRUE(p.finish());
  EXPECT_EQ(p.header()->roots, std::vector<mf::cid>{f.root});
  EXPECT_EQ(got.size(), f.blocks.size());
  auto back = unixfs::read_file(f.root, [&](const mf::cid& c) -> result<bytes> { return got.at(c); }, 1 << 30).value();
  EXPECT_EQ(back, f.content);

  auto missing = mf::cid::v1(mf::codec::raw, mf::multihash::sum(mf::codec::sha2_256, to_bytes("absent")));
  EXPECT_EQ(run(io, get(ep, "/ipfs/" + missing.to_string() + "?format=raw")).status, 404u);
  EXPECT_EQ(run(io, get(ep, "/ipfs/" + f.root.to_string(), "text/html")).status, 406u);
  EXPECT_EQ(run(io, get(ep, "/ipfs/garbage?format=car")).status, 400u);
  s->stop();
}

TEST(GatewayServer, MissingBlockMidCarTruncatesTheResponse) {
  asio::io_context io;
  fixture f;
  // Drop one leaf: the CAR cannot be completed, and must not look complete.
  for (auto it = f.blocks.begin(); it != f.blocks.end(); ++it)
    if (it->first != f.root) {
      f.blocks.erase(it);
      break;
    }
  auto s = server::start(io.get_executor(), {asio::ip::make_address("127.0.0.1"), 0}, f.getter(), unixfs::block_links).value();
  auto car = run(io, get(s->local_endpoint(), "/ipfs/" + f.root.to_string() + "?format=car"));
  EXPECT_EQ(car.status, 200u);
  EXPECT_FALSE(car.complete);
  s->stop();
}

TEST(GatewayServer, CorruptStoredBlockIsNotServed) {
  asio::io_context io;
  fixture f;
  f.blocks.at(f.root)[3] ^= 1;
  auto s = server::start(io.get_executor(), {asio::ip::make_address("127.0.0.1"), 0}, f.getter(), unixfs::block_links).value();
  EXPECT_EQ(run(io, get(s->local_endpoint(), "/ipfs/" + f.root.to_string() + "?format=raw")).status, 404u);
  s->stop();
}

}  // namespace
}  // namespace converge::gateway
