// converge-p2pd: a go-libp2p-daemon (p2pd) compatible daemon over converge's
// libp2p host, so the @libp2p/interop suite can drive it as its 'go' peer.
//
// Flags follow p2pd (Go flag syntax: -name=value, -name, --name=value):
//   -listen=<ma>         control endpoint (/ip4|ip6/.../tcp/N; port 0 picks one)
//   -hostAddrs=<ma,...>  libp2p listen addresses (default /ip4/127.0.0.1/tcp/0)
//   -noListenAddrs       no libp2p listeners
//   -noise=true | -plaintext=true   security (tls is refused: not supported yet)
//   -muxer=yamux         (mplex is refused: not supported yet)
//   -id=<keyfile>        protobuf PrivateKey file (default: a fresh Ed25519 key)
//   -pubsub              enable pubsub (PUBSUB requests; otherwise they answer ERROR)
//   -pubsubRouter=gossipsub|floodsub   (default gossipsub: meshsub 1.2/1.1/1.0 + floodsub)
//   -pubsubScore=true|false   peer scoring as the converge node runs it (default true)
//   -dhtServer, -relay: accepted; their control requests answer ERROR
// When ready it prints "Control socket: <bound multiaddr>" on stdout; SIGTERM/SIGINT end it.
#include <boost/asio/signal_set.hpp>
#include <cstdio>
#include <iostream>
#include <map>
#include <set>
#include <string>

#include "control.hpp"
#include "crypto/key_file.hpp"
#include "p2p/io/tcp_transport.hpp"
#include "pubsub.hpp"

namespace {

using namespace converge;
namespace io = converge::p2p::io;

struct flags {
  std::map<std::string, std::string> values;
  [[nodiscard]] bool has(const std::string& k) const { return values.contains(k); }
  [[nodiscard]] std::string get(const std::string& k, std::string def = {}) const {
    auto it = values.find(k);
    return it == values.end() ? def : it->second;
  }
  [[nodiscard]] bool truthy(const std::string& k) const {
    auto it = values.find(k);
    return it != values.end() && (it->second.empty() || it->second == "true" || it->second == "1");
  }
};

[[noreturn]] void die(const std::string& msg) {
  std::cerr << "converge-p2pd: " << msg << "\n";
  std::exit(2);
}

flags parse_flags(int argc, char** argv) {
  static const std::set<std::string> known = {"listen", "hostAddrs", "noListenAddrs", "noise", "tls", "plaintext",
                                              "muxer", "id", "dhtServer", "dht", "dhtClient", "pubsub",
                                              "pubsubRouter", "pubsubScore", "relay", "q", "quiet"};
  flags f;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--", 0) == 0) {
      a.erase(0, 2);
    } else if (a.rfind('-', 0) == 0) {
      a.erase(0, 1);
    } else {
      die("unexpected argument '" + a + "' (flags look like -name=value)");
    }
    auto eq = a.find('=');
    std::string name = eq == std::string::npos ? a : a.substr(0, eq);
    std::string value = eq == std::string::npos ? "" : a.substr(eq + 1);
    if (!known.contains(name)) die("unknown flag -" + name);
    f.values[name] = value;
  }
  return f;
}

std::vector<mf::multiaddr> parse_addr_list(const std::string& list) {
  std::vector<mf::multiaddr> out;
  std::size_t start = 0;
  while (start <= list.size()) {
    auto comma = list.find(',', start);
    auto part = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!part.empty()) {
      auto m = mf::multiaddr::parse(part);
      if (!m) die("bad -hostAddrs entry '" + part + "': " + m.error().message());
      out.push_back(std::move(*m));
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

io::task<void> accept_control(std::shared_ptr<io::host> h, std::shared_ptr<io::tcp::acceptor> acceptor) {
  while (true) {
    auto [ec, sock] = co_await acceptor->async_accept(io::use_tuple);
    if (ec) {
      if (ec == io::asio::error::operation_aborted || !acceptor->is_open()) co_return;
      continue;
    }
    io::asio::co_spawn(h->executor(), p2pd::serve_control(h, std::move(sock)), io::asio::detached);
  }
}

io::task<void> track_events(std::shared_ptr<io::host> h) {
  while (true) {
    auto e = co_await h->next_event();
    p2pd::tracker().note(e);
    if (const auto& ps = p2pd::pubsub_driver()) ps->on_host_event(e);
  }
}

}  // namespace

int main(int argc, char** argv) {
  auto f = parse_flags(argc, argv);
  if (f.truthy("tls")) die("-tls is not supported (converge speaks /noise and /plaintext/2.0.0)");
  auto muxer = f.get("muxer", "yamux");
  if (muxer != "yamux") die("-muxer=" + muxer + " is not supported (only yamux)");

  system_rng rng;
  auto identity = f.has("id") && !f.get("id").empty()
                      ? crypto::read_private_key_file(f.get("id"))
                      : crypto::private_key::generate(crypto::key_type::ed25519, rng);
  if (!identity) die("reading key: " + identity.error().message());

  io::host_config cfg(std::move(*identity));
  if (!f.truthy("noListenAddrs")) {
    cfg.listen_addrs = f.has("hostAddrs") ? parse_addr_list(f.get("hostAddrs"))
                                          : std::vector<mf::multiaddr>{*mf::multiaddr::parse("/ip4/127.0.0.1/tcp/0")};
  }
  if (f.truthy("plaintext")) {
    cfg.allow_plaintext = true;
    cfg.security_protocols = {"/plaintext/2.0.0"};
  } else {
    cfg.security_protocols = {"/noise"};
  }

  io::asio::io_context ioc;
  auto h = io::host::create(ioc.get_executor(), std::move(cfg));
  if (!h) die("creating host: " + h.error().message());
  auto host = *h;
  auto bound = host->listen();
  if (!bound) die("listening: " + bound.error().message());

  if (f.truthy("pubsub")) {
    auto router = f.get("pubsubRouter", "gossipsub");
    if (router != "gossipsub" && router != "floodsub") die("-pubsubRouter=" + router + ": use gossipsub or floodsub");
    pubsub::io::driver_config pcfg;
    pcfg.kind = router == "floodsub" ? pubsub::io::router_kind::floodsub : pubsub::io::router_kind::gossipsub;
    // Peer scoring as converge's node runs it (-pubsubScore=false turns it off).
    if (f.get("pubsubScore", "true") != "false") pcfg.router.score = pubsub::daemon_score_params();
    auto d = pubsub::io::driver::create(host, std::move(pcfg));
    if (!d) die("starting pubsub: " + d.error().message());
    p2pd::pubsub_driver() = *d;
    (*d)->start();
  } else if (f.has("pubsubRouter")) {
    die("-pubsubRouter needs -pubsub");
  }

  auto control_addr = mf::multiaddr::parse(f.get("listen", "/ip4/127.0.0.1/tcp/0"));
  if (!control_addr) die("bad -listen: " + control_addr.error().message());
  auto ep = io::to_endpoint(*control_addr);
  if (!ep) die("-listen must be /ip4|ip6/<addr>/tcp/<port> (unix sockets are not supported): " + ep.error().message());
  auto acceptor = std::make_shared<io::tcp::acceptor>(ioc);
  boost::system::error_code ec;
  acceptor->open(ep->protocol(), ec);
  if (!ec) acceptor->set_option(io::tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor->bind(*ep, ec);
  if (!ec) acceptor->listen(io::asio::socket_base::max_listen_connections, ec);
  if (ec) die("binding control socket " + control_addr->to_string() + ": " + ec.message());

  io::asio::co_spawn(ioc, accept_control(host, acceptor), io::asio::detached);
  io::asio::co_spawn(ioc, track_events(host), io::asio::detached);

  io::asio::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) {
    boost::system::error_code ignored;
    acceptor->close(ignored);
    if (auto& ps = p2pd::pubsub_driver()) ps->stop();
    host->close();
    ioc.stop();
  });

  std::cout << "Control socket: " << io::to_multiaddr(acceptor->local_endpoint()).to_string() << std::endl;
  ioc.run();
  // The driver's timers belong to ioc: release it before ioc goes (not at static destruction).
  p2pd::pubsub_driver().reset();
  return 0;
}
