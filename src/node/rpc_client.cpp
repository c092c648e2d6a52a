// The CLI's side of the RPC API: one request on a private io_context.
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "node/repo.hpp"
#include "node/rpc.hpp"
#include "p2p/io/tcp_transport.hpp"

namespace converge::node {
namespace {

namespace asio = p2p::io::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace fs = std::filesystem;
using p2p::io::task;
using p2p::io::tcp;
using p2p::io::use_tuple;

constexpr std::size_t max_response = 64 << 20;
constexpr std::size_t max_line = 16 << 20;

struct target {
  tcp::endpoint ep;
  std::string token;
};

std::unexpected<error> no_daemon(const fs::path& repo, std::string why) {
  return fail(node_errc::no_daemon, "no converge daemon is running for " + repo.string() + " (" + why +
                                        "); start one with `converge daemon`");
}

result<target> find_daemon(const fs::path& dir) {
  auto r = repo::open(dir);
  if (!r) return std::unexpected(r.error());
  auto text = read_file(r->api_file().string());
  if (!text) return no_daemon(dir, "no api file");
  std::string s(as_chars(*text));
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  auto addr = mf::multiaddr::parse(s);
  if (!addr) return no_daemon(dir, "unreadable api file");
  auto ep = p2p::io::to_endpoint(*addr);
  if (!ep) return no_daemon(dir, "unreadable api file");
  auto token = r->api_token();
  if (!token) return std::unexpected(token.error());
  return target{*ep, *token};
}

http::request<http::string_body> make_request(const target& t, std::string_view name, const json& args) {
  http::request<http::string_body> req{http::verb::post, "/api/v0/" + std::string(name), 11};
  req.set(http::field::host, t.ep.address().to_string() + ":" + std::to_string(t.ep.port()));
  req.set(http::field::authorization, "Bearer " + t.token);
  req.set(http::field::content_type, "application/json");
  req.set(http::field::connection, "close");
  req.body() = args.dump();
  req.prepare_payload();
  return req;
}

// The daemon's error answer as a result.
std::unexpected<error> answer_error(http::status st, std::string_view body) {
  auto j = json::parse(body, nullptr, false);
  std::string msg = j.is_object() && j.contains("error") && j["error"].is_string() ? j["error"].get<std::string>()
                                                                                   : std::string(body.substr(0, 200));
  node_errc code = st == http::status::unauthorized   ? node_errc::unauthorized
                   : st == http::status::not_found    ? node_errc::unknown_command
                   : st == http::status::bad_request ? node_errc::bad_request
                                                      : node_errc::rpc_failed;
  return fail(code, msg);
}


}  // namespace

result<json> rpc_request(const fs::path& repo, std::string_view name, const json& args,
                         const rpc_client_options& options) {
  auto t = find_daemon(repo);
  if (!t) return std::unexpected(t.error());
  result<json> out = fail(node_errc::rpc_failed, "no answer");
  asio::io_context ioc;
  asio::co_spawn(
      ioc,
      [&]() -> task<void> {
        beast::tcp_stream s(ioc);
        s.expires_after(options.timeout);
        auto [cec] = co_await s.async_connect(t->ep, use_tuple);
        if (cec) {
          out = no_daemon(repo, "nothing answers on the API address: " + cec.message());
          co_return;
        }
        auto req = make_request(*t, name, args);
        auto [wec, _w] = co_await http::async_write(s, req, use_tuple);
        beast::flat_buffer buf;
        http::response_parser<http::string_body> parser;
        parser.body_limit(max_response);
        auto [rec, _r] = co_await http::async_read(s, buf, parser, use_tuple);
        if (wec || rec) {
          out = fail(node_errc::rpc_failed, "the daemon did not answer: " + (wec ? wec : rec).message());
          co_return;
        }
        auto& res = parser.get();
        if (res.result() != http::status::ok) {
          out = answer_error(res.result(), res.body());
          co_return;
        }
        auto j = json::parse(res.body(), nullptr, false);
        if (j.is_discarded()) {
          out = fail(node_errc::rpc_failed, "the daemon answered with invalid JSON");
          co_return;
        }
        out = std::move(j);
      },
      asio::detached);
  ioc.run();
  return out;
}

result<void> rpc_stream(const fs::path& repo, std::string_view name, const json& args,
                        const std::function<bool(const json&)>& on_line, const rpc_client_options& options) {
  auto t = find_daemon(repo);
  if (!t) return std::unexpected(t.error());
  result<void> out = ok();
  asio::io_context ioc;
  asio::co_spawn(
      ioc,
      [&]() -> task<void> {
        beast::tcp_stream s(ioc);
        s.expires_after(options.timeout);
        auto [cec] = co_await s.async_connect(t->ep, use_tuple);
        if (cec) {
          out = no_daemon(repo, "nothing answers on the API address: " + cec.message());
          co_return;
        }
        auto req = make_request(*t, name, args);
        auto [wec, _w] = co_await http::async_write(s, req, use_tuple);
        beast::flat_buffer buf;
        http::response_parser<http::buffer_body> parser;
        parser.body_limit(boost::none);
        auto [hec, _h] = co_await http::async_read_header(s, buf, parser, use_tuple);
        if (wec || hec) {
          out = fail(node_errc::rpc_failed, "the daemon did not answer: " + (wec ? wec : hec).message());
          co_return;
        }
        if (parser.get().result() != http::status::ok) {
          // Error answers are small JSON bodies: read the rest as text.
          std::string body;
          std::array<char, 4096> chunk{};
          while (!parser.is_done() && body.size() < 65536) {
            parser.get().body().data = chunk.data();
            parser.get().body().size = chunk.size();
            auto [ec, _n] = co_await http::async_read(s, buf, parser, use_tuple);
            body.append(chunk.data(), chunk.size() - parser.get().body().size);
            if (ec && ec != http::error::need_buffer) break;
          }
          out = answer_error(parser.get().result(), body);
          co_return;
        }
        s.expires_never();
        std::string pending;
        std::array<char, 16384> chunk{};
        while (!parser.is_done()) {
          parser.get().body().data = chunk.data();
          parser.get().body().size = chunk.size();
          // read_some: a line is handed on as soon as it arrives, not when a buffer fills.
          auto [ec, _n] = co_await http::async_read_some(s, buf, parser, use_tuple);
          pending.append(chunk.data(), chunk.size() - parser.get().body().size);
          std::size_t start = 0;
          for (auto nl = pending.find('\n'); nl != std::string::npos; nl = pending.find('\n', start)) {
            auto j = json::parse(std::string_view(pending).substr(start, nl - start), nullptr, false);
            start = nl + 1;
            if (j.is_discarded()) {
              out = fail(node_errc::rpc_failed, "the daemon sent a line that is not JSON");
              co_return;
            }
            if (j.is_object() && j.size() <= 2 && j.contains("error") && j["error"].is_string()) {
              out = fail(node_errc::rpc_failed, j["error"].get<std::string>());
              co_return;
            }
            if (!on_line(j)) co_return;
          }
          pending.erase(0, start);
          if (pending.size() > max_line) {
            out = fail(node_errc::rpc_failed, "the daemon sent a line over " + std::to_string(max_line) + " bytes");
            co_return;
          }
          if (ec == http::error::need_buffer) continue;
          if (ec == http::error::end_of_stream || ec == asio::error::eof) break;
          if (ec) {
            out = fail(node_errc::rpc_failed, "the stream broke: " + ec.message());
            co_return;
          }
        }
      },
      asio::detached);
  ioc.run();
  return out;
}

}  // namespace converge::node
