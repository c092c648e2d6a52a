#include "p2p/io/tcp_transport.hpp"

#include <memory>

#include "multiformats/multicodec.hpp"
#include "p2p/io/errors.hpp"
#include "p2p/io/signal.hpp"
#include "p2p/io/watchdog.hpp"

namespace converge::p2p::io {

namespace codec = mf::codec;

result<tcp::endpoint> to_endpoint(const mf::multiaddr& addr) {
  const auto& parts = addr.components();
  std::size_t n = parts.size();
  if (n == 3 && parts[2].code == codec::p2p) n = 2;
  if (n != 2 || (parts[0].code != codec::ip4 && parts[0].code != codec::ip6) || parts[1].code != codec::tcp)
    return fail(io_errc::invalid_address, addr.to_string() + " is not /ip4|ip6/<addr>/tcp/<port>[/p2p/<id>]");
  boost::system::error_code ec;
  auto ip = asio::ip::make_address(parts[0].value_string(), ec);
  if (ec) return fail(io_errc::invalid_address, addr.to_string() + ": " + ec.message());
  if (parts[1].value.size() != 2) return fail(io_errc::invalid_address, addr.to_string() + ": bad port");
  auto port = static_cast<unsigned short>((parts[1].value[0] << 8) | parts[1].value[1]);
  return tcp::endpoint(ip, port);
}

mf::multiaddr to_multiaddr(const tcp::endpoint& ep) {
  auto ip = ep.address();
  if (ip.is_v6() && ip.to_v6().is_v4_mapped()) ip = asio::ip::make_address_v4(asio::ip::v4_mapped, ip.to_v6());
  std::string text = (ip.is_v4() ? "/ip4/" : "/ip6/") + ip.to_string() + "/tcp/" + std::to_string(ep.port());
  auto parsed = mf::multiaddr::parse(text);
  return parsed ? *parsed : mf::multiaddr{};
}

result<std::optional<crypto::peer_id>> peer_of(const mf::multiaddr& addr) {
  const auto& parts = addr.components();
  if (parts.empty() || parts.back().code != codec::p2p) return std::optional<crypto::peer_id>{};
  auto id = crypto::peer_id::from_bytes(parts.back().value);
  if (!id) return fail(io_errc::invalid_address, addr.to_string() + ": " + id.error().detail);
  return std::optional<crypto::peer_id>(*id);
}

mf::multiaddr without_peer(const mf::multiaddr& addr) {
  const auto& parts = addr.components();
  if (parts.empty() || parts.back().code != codec::p2p) return addr;
  return addr.decapsulate_code(codec::p2p);
}

namespace {

struct race {
  explicit race(const asio::any_io_executor& ex) : done(ex) {}
  std::optional<tcp::socket> winner;
  std::vector<std::shared_ptr<tcp::socket>> sockets;
  std::size_t pending = 0;
  std::string reasons;
  bool timed_out = false;
  signal done;
};

task<void> attempt(std::shared_ptr<race> r, tcp::endpoint ep, duration delay, duration timeout) {
  auto ex = co_await asio::this_coro::executor;
  if (delay.count() > 0) {
    asio::steady_timer t(ex);
    t.expires_after(delay);
    co_await t.async_wait(use_tuple);
  }
  if (!r->winner) {
    auto sock = std::make_shared<tcp::socket>(ex);
    r->sockets.push_back(sock);
    watchdog dog(ex, timeout, [sock] {
      boost::system::error_code ignored;
      sock->close(ignored);
    });
    auto [ec] = co_await sock->async_connect(ep, use_tuple);
    dog.disarm();
    if (!ec && sock->is_open() && !r->winner) {
      r->winner.emplace(std::move(*sock));
    } else if (!r->winner) {
      if (dog.fired()) r->timed_out = true;
      r->reasons += (r->reasons.empty() ? "" : "; ") + ep.address().to_string() + ":" + std::to_string(ep.port()) +
                    ": " + (dog.fired() ? std::string("connect timed out") : ec.message());
    }
  }
  --r->pending;
  r->done.notify();
}

}  // namespace

task<result<tcp::socket>> dial_tcp(std::vector<tcp::endpoint> endpoints, dial_options options) {
  auto ex = co_await asio::this_coro::executor;
  if (endpoints.empty()) co_return fail(io_errc::dial_failed, "no TCP address to dial");
  if (endpoints.size() > options.max_addresses) endpoints.resize(options.max_addresses);
  auto r = std::make_shared<race>(ex);
  r->pending = endpoints.size();
  for (std::size_t i = 0; i < endpoints.size(); ++i)
    asio::co_spawn(ex, attempt(r, endpoints[i], options.stagger * static_cast<int>(i), options.timeout), asio::detached);
  while (!r->winner && r->pending > 0) co_await r->done.wait();
  // Losers still connecting are cancelled; those still sleeping see the winner and stop.
  for (auto& s : r->sockets) {
    boost::system::error_code ignored;
    if (s->is_open()) s->close(ignored);
  }
  if (r->winner) co_return std::move(*r->winner);
  if (r->timed_out && endpoints.size() == 1) co_return fail(io_errc::timeout, r->reasons);
  co_return fail(io_errc::dial_failed, r->reasons);
}

result<tcp::acceptor> listen_tcp(const asio::any_io_executor& ex, const mf::multiaddr& addr) {
  auto ep = to_endpoint(addr);
  if (!ep) return fail(ep.error());
  tcp::acceptor acceptor(ex);
  boost::system::error_code ec;
  acceptor.open(ep->protocol(), ec);
  if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor.bind(*ep, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return fail(io_errc::listen_failed, addr.to_string() + ": " + ec.message());
  return acceptor;
}

}  // namespace converge::p2p::io
