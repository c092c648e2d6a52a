#include <sodium.h>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <array>
#include <deque>

#include "node/config.hpp"
#include "node/rpc.hpp"
#include "p2p/io/signal.hpp"
#include "p2p/io/tcp_transport.hpp"

namespace converge::node {
namespace {

namespace asio = p2p::io::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using p2p::io::task;
using p2p::io::tcp;
using p2p::io::use_tuple;

bool valid_name(std::string_view n) {
  if (n.empty() || n.size() > max_rpc_command_name || n.front() == '/' || n.back() == '/') return false;
  for (char c : n)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '/' || c == '-' || c == '_')) return false;
  return true;
}

std::string code_text(const error& e) { return std::string(e.code.category().name()) + ":" + std::to_string(e.code.value()); }

json error_body(const error& e) { return {{"error", e.detail.empty() ? e.message() : e.detail}, {"code", code_text(e)}}; }

http::status status_for(const error& e) {
  if (e.code == node_errc::bad_request) return http::status::bad_request;
  if (e.code == node_errc::unknown_command) return http::status::not_found;
  if (e.code == node_errc::unauthorized) return http::status::unauthorized;
  return http::status::internal_server_error;
}

bool token_matches(std::string_view header, const std::string& token) {
  constexpr std::string_view prefix = "Bearer ";
  if (!header.starts_with(prefix)) return false;
  auto given = header.substr(prefix.size());
  if (given.size() != token.size()) return false;
  return sodium_memcmp(given.data(), token.data(), token.size()) == 0;
}

// One JSON line. Strings that are not valid UTF-8 (a peer's bytes, a file
// name) are sent with U+FFFD in place of the bad bytes rather than throwing.
std::string wire_text(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

struct answer {
  http::status status = http::status::ok;
  json body;
};

answer error_answer(http::status st, node_errc code, std::string detail) {
  return {st, error_body(error{make_error_code(code), std::move(detail)})};
}

// Refusals that need no handler; status ok means the request may proceed,
// with `name` and `call` filled in.
answer check_request(const http::request<http::string_body>& req, const std::string& token, std::string& name,
                     rpc_call& call) {
  if (req.find(http::field::origin) != req.end())
    return error_answer(http::status::forbidden, node_errc::unauthorized,
                        "requests from web pages (with an Origin header) are refused");
  auto auth = req.find(http::field::authorization);
  if (auth == req.end() || !token_matches(auth->value(), token))
    return error_answer(http::status::unauthorized, node_errc::unauthorized,
                        "missing or wrong API token (send Authorization: Bearer <the repository's api_token>)");
  if (req.method() != http::verb::post) return error_answer(http::status::method_not_allowed, node_errc::bad_request, "use POST");
  std::string_view target = req.target();
  constexpr std::string_view prefix = "/api/v0/";
  std::string_view n = target.starts_with(prefix) ? target.substr(prefix.size()) : std::string_view{};
  if (!valid_name(n))
    return error_answer(http::status::not_found, node_errc::unknown_command,
                        "no command at " + std::string(target.substr(0, 128)) + " (paths look like /api/v0/swarm/peers)");
  name = std::string(n);
  if (!req.body().empty()) {
    call.args = json::parse(req.body(), nullptr, false);
    if (call.args.is_discarded() || !call.args.is_object())
      return error_answer(http::status::bad_request, node_errc::bad_request, "the body must be a JSON object of arguments");
  }
  return {};
}

task<void> write_answer(beast::tcp_stream& stream, const answer& a) {
  http::response<http::string_body> res{a.status, 11};
  res.set(http::field::content_type, "application/json");
  res.set(http::field::connection, "close");
  res.body() = wire_text(a.body);
  res.prepare_payload();
  stream.expires_after(std::chrono::seconds(30));
  co_await http::async_write(stream, res, use_tuple);
  boost::system::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
}

// A streaming answer: lines queued by emit(), drained by write_lines().
struct stream_state {
  explicit stream_state(const asio::any_io_executor& ex) : wake(ex) {}
  std::deque<std::string> lines;
  bool done = false;
  p2p::io::signal wake;
};

task<void> write_lines(beast::tcp_stream& s, std::shared_ptr<stream_state> q, std::shared_ptr<bool> client_gone) {
  while (true) {
    while (!q->lines.empty() && !*client_gone) {
      auto line = std::move(q->lines.front());
      q->lines.pop_front();
      auto [ec, _w] = co_await asio::async_write(s.socket(), asio::buffer(line), use_tuple);
      if (ec) *client_gone = true;
    }
    if (q->done || *client_gone) break;
    co_await q->wake.wait();
  }
  boost::system::error_code ignored;
  s.socket().shutdown(tcp::socket::shutdown_both, ignored);
  *client_gone = true;
}

// Reads (and discards) until the client closes: that is how a streaming
// command learns its client is gone. `s` is not touched after the read fails.
task<void> watch_client(beast::tcp_stream& s, std::shared_ptr<stream_state> q, std::shared_ptr<bool> client_gone) {
  std::array<char, 256> sink{};
  while (!*client_gone) {
    auto [ec, _r] = co_await s.socket().async_read_some(asio::buffer(sink), use_tuple);
    if (ec) break;
  }
  *client_gone = true;
  q->wake.notify();
}

}  // namespace

result<std::string> arg_string(const rpc_call& c, std::string_view name) {
  auto it = c.args.find(name);
  if (it == c.args.end() || !it->is_string())
    return fail(node_errc::bad_request, "argument '" + std::string(name) + "' must be a string");
  return it->get<std::string>();
}

result<std::uint64_t> arg_uint(const rpc_call& c, std::string_view name, std::uint64_t def, std::uint64_t max) {
  auto it = c.args.find(name);
  if (it == c.args.end()) return def;
  if (!it->is_number_unsigned() || it->get<std::uint64_t>() > max)
    return fail(node_errc::bad_request,
                "argument '" + std::string(name) + "' must be an integer from 0 to " + std::to_string(max));
  return it->get<std::uint64_t>();
}

void rpc_registry::add(std::string name, rpc_handler h) { plain_[std::move(name)] = std::move(h); }
void rpc_registry::add_stream(std::string name, rpc_stream_handler h) { stream_[std::move(name)] = std::move(h); }
const rpc_handler* rpc_registry::find(std::string_view name) const {
  auto it = plain_.find(name);
  return it == plain_.end() ? nullptr : &it->second;
}
const rpc_stream_handler* rpc_registry::find_stream(std::string_view name) const {
  auto it = stream_.find(name);
  return it == stream_.end() ? nullptr : &it->second;
}
std::vector<std::string> rpc_registry::names() const {
  std::vector<std::string> out;
  for (const auto& [n, _] : plain_) out.push_back(n);
  for (const auto& [n, _] : stream_) out.push_back(n);
  std::sort(out.begin(), out.end());
  return out;
}

rpc_server::rpc_server(const asio::any_io_executor& ex, const rpc_registry& registry, std::string token)
    : ex_(ex), registry_(registry), token_(std::move(token)) {}

result<mf::multiaddr> rpc_server::listen(const mf::multiaddr& addr) {
  if (!is_loopback_tcp(addr))
    return fail(node_errc::invalid_config, "the API address " + addr.to_string() + " is not loopback TCP");
  auto ep = p2p::io::to_endpoint(addr);
  if (!ep) return std::unexpected(ep.error());
  acceptor_ = std::make_shared<tcp::acceptor>(ex_);
  boost::system::error_code ec;
  acceptor_->open(ep->protocol(), ec);
  if (!ec) acceptor_->set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_->bind(*ep, ec);
  if (!ec) acceptor_->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return fail(node_errc::io, "binding the API on " + addr.to_string() + ": " + ec.message());
  asio::co_spawn(ex_, accept_loop(shared_from_this()), asio::detached);
  return p2p::io::to_multiaddr(acceptor_->local_endpoint());
}

void rpc_server::close() {
  if (acceptor_) {
    boost::system::error_code ec;
    acceptor_->close(ec);
  }
}

task<void> rpc_server::accept_loop(std::shared_ptr<rpc_server> self) {
  auto acceptor = acceptor_;
  while (acceptor->is_open()) {
    auto [ec, sock] = co_await acceptor->async_accept(use_tuple);
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor->is_open()) co_return;
      continue;
    }
    if (active_ >= max_rpc_connections) {
      boost::system::error_code ignored;
      sock.close(ignored);  // over the bound: refused before reading anything
      continue;
    }
    asio::co_spawn(ex_, serve(self, std::move(sock)), asio::detached);
  }
}

task<void> rpc_server::serve([[maybe_unused]] std::shared_ptr<rpc_server> self, tcp::socket socket) {
  ++active_;
  struct leave {
    std::size_t& n;
    ~leave() { --n; }
  } guard{active_};

  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  http::request_parser<http::string_body> parser;
  parser.body_limit(max_rpc_body);
  parser.header_limit(16 * 1024);
  stream.expires_after(std::chrono::seconds(30));
  auto [rec, _n] = co_await http::async_read(stream, buffer, parser, use_tuple);

  // Every answer is computed first and written by one co_await on named
  // values (g++ 12 corrupts frames with temporaries inside co_await calls).
  answer refused;
  std::string name;
  rpc_call call;
  if (rec == http::error::body_limit) {
    refused = error_answer(http::status::payload_too_large, node_errc::bad_request,
                           "request body larger than " + std::to_string(max_rpc_body) + " bytes");
  } else if (rec) {
    co_return;  // malformed HTTP, a timeout or a closed socket: nothing to answer
  } else {
    refused = check_request(parser.get(), token_, name, call);
  }
  if (refused.status != http::status::ok) {
    co_await write_answer(stream, refused);
    co_return;
  }

  if (const auto* h = registry_.find(name)) {
    stream.expires_never();
    auto r = co_await (*h)(std::move(call));
    answer a = r ? answer{http::status::ok, std::move(*r)} : answer{status_for(r.error()), error_body(r.error())};
    co_await write_answer(stream, a);
    co_return;
  }
  const auto* sh = registry_.find_stream(name);
  if (sh == nullptr) {
    answer a = error_answer(http::status::not_found, node_errc::unknown_command, "unknown command '" + name + "'");
    co_await write_answer(stream, a);
    co_return;
  }

  // Streaming: the header, then lines as the handler emits them. A writer
  // coroutine drains the queue; a reader notices the client leaving.
  http::response<http::empty_body> head{http::status::ok, 11};
  head.set(http::field::content_type, "application/x-ndjson");
  head.set(http::field::connection, "close");
  stream.expires_never();
  http::response_serializer<http::empty_body> sr{head};
  auto [hec, _h] = co_await http::async_write_header(stream, sr, use_tuple);
  if (hec) co_return;

  auto st = std::make_shared<stream_state>(ex_);
  auto gone = call.gone;
  asio::co_spawn(ex_, watch_client(stream, st, gone), asio::detached);
  bool writer_done = false;
  auto finished = std::make_shared<p2p::io::signal>(ex_);
  asio::co_spawn(ex_, write_lines(stream, st, gone), [&writer_done, finished](std::exception_ptr) {
    writer_done = true;
    finished->notify();
  });

  rpc_emit emit = [st, gone](const json& line) {
    if (*gone) return false;
    if (st->lines.size() >= max_rpc_stream_lines) {
      *gone = true;  // too far behind: dropped rather than buffered without bound
      st->wake.notify();
      return false;
    }
    st->lines.push_back(wire_text(line));
    st->wake.notify();
    return true;
  };
  auto r = co_await (*sh)(std::move(call), emit);
  if (!r && !*gone) st->lines.push_back(wire_text(error_body(r.error())));
  st->done = true;
  st->wake.notify();
  // The stream object lives in this frame: wait for the writer before leaving.
  while (!writer_done) co_await finished->wait();
  boost::system::error_code ignored;
  stream.socket().close(ignored);
}

}  // namespace converge::node
