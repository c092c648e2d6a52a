#include "gateway/gateway.hpp"

#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <unordered_set>

#include "blocks/block.hpp"
#include "car/car.hpp"

namespace converge::gateway {
namespace io = p2p::io;
namespace asio = io::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {
constexpr std::string_view raw_type = "application/vnd.ipld.raw";
constexpr std::string_view car_type = "application/vnd.ipld.car";

plan_result refuse(unsigned status, std::string why) {
  plan_result p;
  p.status = status;
  p.error = std::move(why);
  return p;
}
}  // namespace

plan_result plan(std::string_view method, std::string_view target, std::string_view accept) {
  if (method != "GET" && method != "HEAD") return refuse(405, "only GET and HEAD");
  auto q = target.find('?');
  auto path = target.substr(0, q);
  auto query = q == std::string_view::npos ? std::string_view{} : target.substr(q + 1);
  if (!path.starts_with("/ipfs/")) return refuse(400, "expected /ipfs/{cid}");
  auto rest = path.substr(6);
  auto slash = rest.find('/');
  auto cid_text = rest.substr(0, slash);
  if (slash != std::string_view::npos && slash + 1 < rest.size())
    return refuse(400, "paths below the CID are not supported; ask for the CID itself");
  auto id = mf::cid::parse(cid_text);
  if (!id) return refuse(400, "invalid CID: " + id.error().detail);
  std::optional<format> fmt;
  while (!query.empty()) {
    auto amp = query.find('&');
    auto kv = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (kv == "format=raw") fmt = format::raw;
    else if (kv == "format=car") fmt = format::car;
    else if (kv.starts_with("format=")) return refuse(406, "unsupported format '" + std::string(kv.substr(7)) + "' (raw or car)");
  }
  if (!fmt) {
    if (accept.find(raw_type) != std::string_view::npos) fmt = format::raw;
    else if (accept.find(car_type) != std::string_view::npos) fmt = format::car;
    else return refuse(406, "this trustless gateway answers only ?format=raw or ?format=car (or the matching Accept header)");
  }
  plan_result p;
  p.cid = std::move(*id);
  p.fmt = *fmt;
  return p;
}

server::server(const asio::any_io_executor& ex, block_getter get, links_fn links, server_options options)
    : ex_(ex), acceptor_(ex), get_(std::move(get)), links_(std::move(links)), options_(options) {}

result<std::shared_ptr<server>> server::start(const asio::any_io_executor& ex, io::tcp::endpoint endpoint, block_getter get,
                                              links_fn links, server_options options) {
  std::shared_ptr<server> s(new server(ex, std::move(get), std::move(links), options));
  boost::system::error_code ec;
  s->acceptor_.open(endpoint.protocol(), ec);
  if (!ec) s->acceptor_.set_option(io::tcp::acceptor::reuse_address(true), ec);
  if (!ec) s->acceptor_.bind(endpoint, ec);
  if (!ec) s->acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return fail(base_errc::io, "gateway: listening on " + endpoint.address().to_string() + ":" + std::to_string(endpoint.port()) + ": " + ec.message());
  asio::co_spawn(ex, accept_loop(s), asio::detached);
  return s;
}

io::tcp::endpoint server::local_endpoint() const {
  boost::system::error_code ec;
  return acceptor_.local_endpoint(ec);
}

void server::stop() {
  boost::system::error_code ec;
  acceptor_.close(ec);
}

io::task<void> server::accept_loop(std::shared_ptr<server> self) {
  while (self->acceptor_.is_open()) {
    auto [ec, sock] = co_await self->acceptor_.async_accept(io::use_tuple);
    if (ec) {
      if (!self->acceptor_.is_open()) co_return;
      continue;
    }
    if (self->active_ >= self->options_.max_connections) {
      boost::system::error_code ignored;
      sock.close(ignored);
      continue;
    }
    asio::co_spawn(self->ex_, serve(self, std::move(sock)), asio::detached);
  }
}

io::task<void> server::serve(std::shared_ptr<server> self, io::tcp::socket socket) {
  ++self->active_;
  struct leave {
    std::size_t& n;
    ~leave() { --n; }
  } guard{self->active_};
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  http::request_parser<http::empty_body> parser;
  parser.header_limit(16 * 1024);
  stream.expires_after(self->options_.request_timeout);
  auto [rec, rn] = co_await http::async_read(stream, buffer, parser, io::use_tuple);
  if (rec) co_return;
  stream.expires_never();
  const auto& req = parser.get();
  auto accept = std::string(req[http::field::accept]);
  auto p = plan(std::string(req.method_string()), std::string(req.target()), accept);
  bool head = req.method() == http::verb::head;

  auto send_simple = [&](unsigned status, std::string_view type, std::string body) -> http::response<http::string_body> {
    http::response<http::string_body> res{static_cast<http::status>(status), 11};
    res.set(http::field::content_type, type);
    res.set("X-Content-Type-Options", "nosniff");
    res.keep_alive(false);
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
  };

  if (p.status != 200) {
    auto res = send_simple(p.status, "text/plain; charset=utf-8", p.error + "\n");
    co_await http::async_write(stream, res, io::use_tuple);
    co_return;
  }
  auto root = self->get_(*p.cid);
  if (root) {
    if (auto v = blocks::verify_block(*p.cid, *root); !v) root = fail(v.error());
  }
  if (!root) {
    auto res = send_simple(404, "text/plain; charset=utf-8", "block " + p.cid->to_string() + " unavailable: " + root.error().detail + "\n");
    co_await http::async_write(stream, res, io::use_tuple);
    co_return;
  }
  std::string etag = "\"" + p.cid->to_string() + (p.fmt == format::raw ? ".raw\"" : ".car\"");
  if (p.fmt == format::raw) {
    auto res = send_simple(200, raw_type, head ? std::string() : std::string(as_chars(*root)));
    res.set(http::field::etag, etag);
    res.set(http::field::cache_control, "public, max-age=29030400, immutable");
    res.set("X-Ipfs-Roots", p.cid->to_string());
    if (head) res.content_length(root->size());
    co_await http::async_write(stream, res, io::use_tuple);
    co_return;
  }
  http::response<http::empty_body> res{http::status::ok, 11};
  res.set(http::field::content_type, std::string(car_type) + "; version=1");
  res.set("X-Content-Type-Options", "nosniff");
  res.set(http::field::etag, etag);
  res.set(http::field::cache_control, "public, max-age=29030400, immutable");
  res.set("X-Ipfs-Roots", p.cid->to_string());
  res.keep_alive(false);
  res.chunked(true);
  http::response_serializer<http::empty_body> sr{res};
  auto [hec, hn] = co_await http::async_write_header(stream, sr, io::use_tuple);
  if (hec || head) co_return;
  // The CAR goes out one block at a time: memory is one block, whatever the DAG.
  bytes pending;
  auto w = car::car_writer::create({*p.cid}, [&](bytes_view b) -> result<void> {
    append(pending, b);
    return ok();
  });
  if (!w) co_return;
  std::unordered_set<mf::cid> seen;
  std::vector<mf::cid> stack{*p.cid};
  while (!stack.empty()) {
    auto c = std::move(stack.back());
    stack.pop_back();
    if (!seen.insert(c).second) continue;
    auto data = c == *p.cid ? result<bytes>(*root) : self->get_(c);
    if (!data) co_return;  // no last chunk: the client sees a truncated response
    if (auto a = w->add(c, *data); !a) co_return;
    auto children = self->links_(c, *data);
    if (!children) co_return;
    for (auto it = children->rbegin(); it != children->rend(); ++it) stack.push_back(std::move(*it));
    auto chunk = http::make_chunk(asio::buffer(pending));
    auto [wec, wn] = co_await asio::async_write(stream, chunk, io::use_tuple);
    if (wec) co_return;
    pending.clear();
  }
  if (!pending.empty()) {
    auto chunk = http::make_chunk(asio::buffer(pending));
    auto [wec, wn] = co_await asio::async_write(stream, chunk, io::use_tuple);
    if (wec) co_return;
  }
  auto last = http::make_chunk_last();
  co_await asio::async_write(stream, last, io::use_tuple);
  boost::system::error_code ignored;
  stream.socket().shutdown(io::tcp::socket::shutdown_send, ignored);
}

}  // namespace converge::gateway
