#include "http_fetcher.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace converge::tufcli {
namespace {

namespace asio = boost::asio;

std::unexpected<error> net_fail(std::errc code, std::string detail) {
  return fail(error{std::make_error_code(code), std::move(detail)});
}
namespace http = boost::beast::http;

struct url_parts {
  std::string host, port = "80", target = "/";
};

result<url_parts> split_url(std::string_view url) {
  constexpr std::string_view scheme = "http://";
  if (!url.starts_with(scheme)) return net_fail(std::errc::protocol_not_supported, "only http:// URLs: " + std::string(url));
  url.remove_prefix(scheme.size());
  url_parts u;
  auto slash = url.find('/');
  std::string_view authority = url.substr(0, slash);
  if (slash != std::string_view::npos) u.target = std::string(url.substr(slash));
  auto colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']', colon) == std::string_view::npos) {
    u.port = std::string(authority.substr(colon + 1));
    authority = authority.substr(0, colon);
  }
  if (authority.starts_with('[') && authority.ends_with(']')) authority = authority.substr(1, authority.size() - 2);
  if (authority.empty()) return net_fail(std::errc::invalid_argument, "URL without a host");
  u.host = std::string(authority);
  return u;
}

}  // namespace

result<http_response> http_fetcher::get(std::string_view url, std::uint64_t max_length) {
  auto u = split_url(url);
  if (!u) return fail(u.error());
  asio::io_context io;
  asio::ip::tcp::resolver resolver(io);
  asio::ip::tcp::socket socket(io);
  boost::system::error_code ec;
  auto endpoints = resolver.resolve(u->host, u->port, ec);
  if (ec) return net_fail(std::errc::host_unreachable, "resolve " + u->host + ": " + ec.message());
  asio::connect(socket, endpoints, ec);
  if (ec) return net_fail(std::errc::connection_refused, "connect " + u->host + ":" + u->port + ": " + ec.message());

  http::request<http::empty_body> req{http::verb::get, u->target, 11};
  req.set(http::field::host, u->host + ":" + u->port);
  req.set(http::field::user_agent, "converge-tuf-client");
  req.set(http::field::connection, "close");
  http::write(socket, req, ec);
  if (ec) return net_fail(std::errc::io_error, "send request: " + ec.message());

  boost::beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(max_length);
  parser.header_limit(64 * 1024);
  http::read(socket, buffer, parser, ec);
  if (ec == http::error::body_limit)
    return net_fail(std::errc::file_too_large, std::string(url) + ": body exceeds " + std::to_string(max_length) + " bytes");
  if (ec) return net_fail(std::errc::io_error, std::string(url) + ": " + ec.message());
  http_response r;
  r.status = parser.get().result_int();
  r.body = std::move(parser.get().body());
  socket.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  return r;
}

}  // namespace converge::tufcli
