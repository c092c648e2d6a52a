// The node in Kubo's manner: converge init | daemon | id | ping | swarm ... | shutdown.
// Commands that need a running node talk to it over the RPC API (node/rpc.hpp)
// and say so clearly when no daemon runs for the repository.
#include <malloc.h>
#include <csignal>
#include <cstdio>
#include <iostream>

#include <boost/asio/signal_set.hpp>

#include "base/rng.hpp"
#include "command_registry.hpp"
#include "crypto/key_type.hpp"
#include "node/node.hpp"
#include "node/repo.hpp"
#include "node/rpc.hpp"
#include "node/services.hpp"

namespace converge::cli {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

fs::path repo_dir() { return node::repo_path_from(repo_flag()); }

json call(std::string_view name, const json& args = json::object()) {
  return unwrap(node::rpc_request(repo_dir(), name, args));
}

std::vector<mf::multiaddr> parse_addrs(const std::vector<std::string>& texts, std::string_view what) {
  std::vector<mf::multiaddr> out;
  for (const auto& t : texts) out.push_back(unwrap(mf::multiaddr::parse(t), std::string(what) + " '" + t + "'"));
  return out;
}

struct init_args {
  std::vector<std::string> swarm;
  std::string api;
  std::string key_type = "ed25519";
  bool force = false;
};

void run_init(const init_args& a) {
  node::init_options o;
  if (!a.swarm.empty()) o.swarm = parse_addrs(a.swarm, "--swarm");
  if (!a.api.empty()) o.api = unwrap(mf::multiaddr::parse(a.api), "--api");
  auto kt = crypto::key_type_from_name(a.key_type);
  if (!kt) throw cli_error("unknown key type '" + a.key_type + "' (ed25519, secp256k1, ecdsa, rsa)");
  o.key_type = *kt;
  o.force = a.force;
  system_rng rng;
  auto r = unwrap(node::repo::init(repo_dir(), o, rng));
  std::printf("initialized a converge repository at %s\npeer ID: %s\n", r.dir().c_str(),
              r.config().peer_id.to_string().c_str());
}

struct daemon_args {
  bool allow_plaintext = false;
};

// A long-running node on a phone: glibc's allocator keeps one heap (the
// agent's worker thread gets no arena of its own), hands buffers of 64 KiB
// and more (Bitswap messages, connection bursts) straight back to the system
// when freed, and trims the heap's free top past 256 KiB, instead of keeping
// every burst's high water for good. bench/update/update_bench.sh measures it.
void tune_allocator() {
#ifdef __GLIBC__
  mallopt(M_ARENA_MAX, 1);
  mallopt(M_MMAP_THRESHOLD, 64 * 1024);
  mallopt(M_TRIM_THRESHOLD, 256 * 1024);
#endif
}

void run_daemon(const daemon_args& a) {
  tune_allocator();
  auto r = unwrap(node::repo::open(repo_dir()));
  auto lock = unwrap(node::repo_lock::acquire(r));
  node::node_options opts;
  opts.version = CONVERGE_VERSION;
  opts.allow_plaintext = a.allow_plaintext;
  auto n = unwrap(node::node::create(std::move(r), opts));
  unwrap(node::add_default_services(*n));
  unwrap(n->start(), "starting the daemon");
  boost::asio::signal_set signals(n->context(), SIGINT, SIGTERM);
  signals.async_wait([&n](const boost::system::error_code& ec, int) {
    if (!ec) n->stop();
  });
  std::printf("peer ID: %s\n", n->host()->id().to_string().c_str());
  for (const auto& addr : n->host()->listen_addrs()) std::printf("swarm listening on %s\n", addr.to_string().c_str());
  std::printf("RPC API listening on %s\ndaemon is ready\n", n->api_addr().to_string().c_str());
  std::fflush(stdout);
  n->run();
  std::printf("daemon stopped\n");
}

void run_id(bool as_json) {
  auto dir = repo_dir();
  auto answer = node::rpc_request(dir, "id", json::object());
  json info;
  bool offline = false;
  if (answer) {
    info = *answer;
  } else if (answer.error().code == node::node_errc::no_daemon) {
    // Offline: what the repository says; addresses are the configured ones.
    auto r = unwrap(node::repo::open(dir));
    info["id"] = r.config().peer_id.to_string();
    json addrs = json::array();
    for (const auto& m : r.config().swarm) addrs.push_back(m.to_string());
    info["addresses"] = addrs;
    offline = true;
  } else {
    throw cli_error(answer.error().message());
  }
  if (as_json) {
    info["online"] = !offline;
    std::cout << info.dump(2) << "\n";
    return;
  }
  std::printf("%s\n", info["id"].get<std::string>().c_str());
  for (const auto& a : info["addresses"]) std::printf("%s%s\n", a.get<std::string>().c_str(), offline ? " (configured; no daemon running)" : "");
}

void run_ping(const std::string& target, unsigned count) {
  json args{{"count", count}};
  if (target.rfind('/', 0) == 0) {
    unwrap(mf::multiaddr::parse(target), "MULTIADDR");
    args["addr"] = target;
  } else {
    args["peer"] = target;
  }
  double total = 0;
  unsigned got = 0;
  unwrap(node::rpc_stream(repo_dir(), "ping", args, [&](const json& line) {
    double ms = line.value("time_ms", 0.0);
    std::printf("pong from %s: seq=%llu time=%.3f ms\n", line.value("peer", std::string("?")).c_str(),
                static_cast<unsigned long long>(line.value("seq", 0ULL)), ms);
    std::fflush(stdout);
    total += ms;
    ++got;
    return true;
  }), "ping");
  if (got > 0) std::printf("%u pings, average %.3f ms\n", got, total / got);
}

void setup(CLI::App& app) {
  auto* init = app.add_subcommand("init", "create a node's repository (key, configuration, API token)");
  auto ia = std::make_shared<init_args>();
  init->add_option("--swarm", ia->swarm, "swarm listen multiaddrs (default /ip4/0.0.0.0/tcp/4001)");
  init->add_option("--api", ia->api, "RPC API multiaddr, loopback only (default /ip4/127.0.0.1/tcp/5001)");
  init->add_option("--key-type", ia->key_type, "identity key type (default ed25519)");
  init->add_flag("--force", ia->force, "replace an existing repository's key, config and token");
  init->callback([ia] { run_init(*ia); });

  auto* daemon = app.add_subcommand("daemon", "run the node until SIGINT/SIGTERM or `converge shutdown`");
  auto da = std::make_shared<daemon_args>();
  daemon->add_flag("--allow-plaintext", da->allow_plaintext, "also accept /plaintext/2.0.0 (tests only)");
  daemon->callback([da] { run_daemon(*da); });

  auto* id = app.add_subcommand("id", "print this node's peer ID and addresses");
  auto id_json = std::make_shared<bool>(false);
  id->add_flag("--json", *id_json, "print JSON");
  id->callback([id_json] { run_id(*id_json); });

  auto* ping = app.add_subcommand("ping", "ping a peer through the running daemon");
  auto ping_target = std::make_shared<std::string>();
  auto ping_count = std::make_shared<unsigned>(3);
  ping->add_option("target", *ping_target, "a multiaddr ending in /p2p/<id>, or a connected peer's ID")->required();
  ping->add_option("-n,--count", *ping_count, "number of pings (default 3)")->check(CLI::Range(1, 1000));
  ping->callback([ping_target, ping_count] { run_ping(*ping_target, *ping_count); });

  auto* swarm = app.add_subcommand("swarm", "the running node's connections");
  swarm->require_subcommand(1);
  auto* connect = swarm->add_subcommand("connect", "connect to a peer");
  auto connect_addr = std::make_shared<std::string>();
  connect->add_option("multiaddr", *connect_addr, "the peer's multiaddr (with /p2p/<id> to check who answers)")->required();
  connect->callback([connect_addr] {
    unwrap(mf::multiaddr::parse(*connect_addr), "MULTIADDR");
    auto r = call("swarm/connect", {{"addr", *connect_addr}});
    std::printf("connected to %s\n", r["peer"].get<std::string>().c_str());
  });
  auto* peers = swarm->add_subcommand("peers", "list connected peers");
  auto peers_json = std::make_shared<bool>(false);
  peers->add_flag("--json", *peers_json, "print JSON");
  peers->callback([peers_json] {
    auto r = call("swarm/peers");
    if (*peers_json) {
      std::cout << r.dump(2) << "\n";
      return;
    }
    for (const auto& p : r)
      std::printf("%s/p2p/%s\n", p["addr"].get<std::string>().c_str(), p["peer"].get<std::string>().c_str());
  });
  auto* disconnect = swarm->add_subcommand("disconnect", "close the connections to a peer");
  auto disconnect_peer = std::make_shared<std::string>();
  disconnect->add_option("peer", *disconnect_peer, "peer ID")->required();
  disconnect->callback([disconnect_peer] {
    auto r = call("swarm/disconnect", {{"peer", *disconnect_peer}});
    std::printf("%s %s\n", r["was_connected"].get<bool>() ? "disconnected" : "was not connected to",
                r["peer"].get<std::string>().c_str());
  });
  auto* addrs = swarm->add_subcommand("addrs", "the node's listen addresses");
  addrs->callback([] {
    auto r = call("swarm/addrs");
    for (const auto& a : r["listen"]) std::printf("%s\n", a.get<std::string>().c_str());
  });

  auto* shutdown = app.add_subcommand("shutdown", "stop the running daemon");
  shutdown->callback([] {
    call("shutdown");
    std::printf("daemon stopping\n");
  });
}

}  // namespace

CONVERGE_COMMAND_GROUP("node", setup);

}  // namespace converge::cli
