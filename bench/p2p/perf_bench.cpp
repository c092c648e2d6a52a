// The C++ side of the host benchmark (bench/p2p/host_bench.sh drives it
// against itself and against js-libp2p, each peer in its own process):
//   perf_bench serve [noise|plaintext]
//       listens on 127.0.0.1, serves /perf/1.0.0 and /echo/1.0.0, prints one
//       JSON line {"id", "addrs"}; exits when stdin closes.
//   perf_bench run <multiaddr/p2p/id> <MiB>
//       one connection: perf upload of MiB, then perf download of MiB; prints
//       {"upload_mibs", "download_mibs"}.
//   perf_bench connect <multiaddr/p2p/id> <rounds>
//       per round a new identity dials (TCP + Noise + Yamux), opens /echo/1.0.0
//       and gets 1 byte back; prints {"median_ms", "p99_ms", "dial_median_ms"}.
//   perf_bench local <MiB> <rounds>
//       both hosts in this process on one thread (the figure before this tool
//       had a two-process mode; kept for comparison).
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "base/rng.hpp"
#include "multiformats/multicodec.hpp"
#include "p2p/io/host.hpp"
#include "p2p/io/protocols/perf.hpp"

using namespace converge;
using namespace converge::p2p::io;

namespace {

double seconds(duration d) { return std::chrono::duration<double>(d).count(); }

std::shared_ptr<host> make(asio::io_context& io, std::uint64_t seed, bool plaintext = false, bool listen = true) {
  system_rng sys;
  deterministic_rng r(seed);
  rng& keys = seed == 0 ? static_cast<rng&>(sys) : r;
  host_config c(*crypto::private_key::generate(crypto::key_type::ed25519, keys));
  if (listen) c.listen_addrs = {*mf::multiaddr::parse("/ip4/127.0.0.1/tcp/0")};
  c.identify_on_connect = getenv("PERF_IDENTIFY") != nullptr;  // measure the connection, not identify
  if (plaintext) {
    c.allow_plaintext = true;
    c.security_protocols = {"/plaintext/2.0.0"};
  }
  auto h = *host::create(io.get_executor(), std::move(c));
  if (listen) (void)h->listen();
  return h;
}

mf::multiaddr addr_of(const host& h) {
  return *h.listen_addrs().front().encapsulate(*mf::multiaddr::parse("/p2p/" + h.id().to_string()));
}

crypto::peer_id peer_of(const mf::multiaddr& a) { return *crypto::peer_id::parse(*a.last_value_for(mf::codec::p2p)); }

task<void> serve_echo(stream s) {
  std::array<std::uint8_t, 1024> buf{};
  while (true) {
    auto n = co_await s.read_some(buf);
    if (!n || *n == 0) break;
    auto w = co_await s.write_all(bytes_view(buf.data(), *n));
    if (!w) co_return;
  }
  (void)s.close_write();
}

task<void> throughput(std::shared_ptr<host> client, mf::multiaddr target, std::uint64_t bytes_each) {
  auto c = co_await client->connect(target);
  if (!c) {
    std::printf("{\"error\": \"connect failed: %s\"}\n", c.error().message().c_str());
    co_return;
  }
  auto peer = peer_of(target);
  auto up = co_await run_perf(client, peer, bytes_each, 0);
  auto down = co_await run_perf(client, peer, 0, bytes_each);
  if (!up || !down) {
    std::printf("{\"error\": \"perf failed: %s\"}\n", (!up ? up.error() : down.error()).message().c_str());
    co_return;
  }
  double mib = static_cast<double>(bytes_each) / (1024.0 * 1024.0);
  std::printf("{\"upload_mibs\": %.1f, \"download_mibs\": %.1f}\n", mib / seconds(up->total),
              mib / seconds(down->total));
  client->close();
}

task<void> round_trips(asio::io_context& io, mf::multiaddr target, int rounds) {
  std::vector<double> total_ms;
  std::vector<double> dial_ms;
  for (int i = 0; i < rounds; ++i) {
    auto client = make(io, 1000 + static_cast<std::uint64_t>(i), false, false);
    auto start = std::chrono::steady_clock::now();
    auto c = co_await client->connect(target);
    auto dialled = std::chrono::steady_clock::now();
    if (!c) {
      std::printf("{\"error\": \"connect failed: %s\"}\n", c.error().message().c_str());
      co_return;
    }
    std::vector<std::string> protocols(1, "/echo/1.0.0");
    auto s = co_await client->new_stream(*c, std::move(protocols));
    if (!s) co_return;
    std::array<std::uint8_t, 1> one{42};
    auto w = co_await s->write_all(one);
    auto r = co_await s->read_exact(one);
    auto end = std::chrono::steady_clock::now();
    if (!w || !r) co_return;
    dial_ms.push_back(seconds(dialled - start) * 1000);
    total_ms.push_back(seconds(end - start) * 1000);
    client->close();
  }
  auto pct = [](std::vector<double> v, std::size_t num) {
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, v.size() * num / 100)];
  };
  std::printf("{\"median_ms\": %.3f, \"p99_ms\": %.3f, \"dial_median_ms\": %.3f}\n", pct(total_ms, 50),
              pct(total_ms, 99), pct(dial_ms, 50));
}

int usage() {
  std::fprintf(stderr,
               "usage: perf_bench serve [noise|plaintext] | run <multiaddr> <MiB> | connect <multiaddr> <rounds> | "
               "local <MiB> <rounds>\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  std::string mode = argv[1];
  asio::io_context io;
  if (mode == "serve") {
    bool plaintext = argc > 2 && std::string(argv[2]) == "plaintext";
    auto server = make(io, 0, plaintext);
    enable_perf(*server);
    server->set_stream_handler("/echo/1.0.0", serve_echo);
    std::printf("{\"id\": \"%s\", \"addrs\": [\"%s\"]}\n", server->id().to_string().c_str(),
                server->listen_addrs().front().to_string().c_str());
    std::fflush(stdout);
    // Stop when stdin closes (the driver's handle on this process).
    std::thread([&io] {
      char c;
      while (::read(0, &c, 1) > 0) {
      }
      io.stop();
    }).detach();
    auto guard = asio::make_work_guard(io);
    io.run();
    return 0;
  }
  if ((mode == "run" || mode == "connect") && argc == 4) {
    auto target = mf::multiaddr::parse(argv[2]);
    if (!target || !target->has(mf::codec::p2p)) return usage();
    long n = std::atol(argv[3]);
    if (n <= 0 || n > 65536) return usage();
    if (mode == "run") {
      auto client = make(io, 0, false, false);
      asio::co_spawn(io, throughput(client, *target, static_cast<std::uint64_t>(n) << 20), asio::detached);
    } else {
      asio::co_spawn(io, round_trips(io, *target, static_cast<int>(n)), asio::detached);
    }
    io.run();
    return 0;
  }
  if (mode == "local" && argc == 4) {
    auto server = make(io, 1);
    enable_perf(*server);
    server->set_stream_handler("/echo/1.0.0", serve_echo);
    auto client = make(io, 2, false, false);
    auto mib = static_cast<std::uint64_t>(std::atol(argv[2]));
    asio::co_spawn(io, throughput(client, addr_of(*server), mib << 20), asio::detached);
    io.run();
    io.restart();
    asio::co_spawn(io, round_trips(io, addr_of(*server), std::atoi(argv[3])), asio::detached);
    io.run();
    return 0;
  }
  return usage();
}
