// C++ -> C++ over 127.0.0.1 with noise + yamux, one process, one io_context:
//   1. throughput of /perf/1.0.0 on one connection (upload, then download);
//   2. connect (TCP + noise + yamux) + a 1-byte echo round trip, repeated.
// Usage: perf_bench [MiB per direction = 256] [connect rounds = 200]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "base/rng.hpp"
#include "p2p/io/host.hpp"
#include "p2p/io/protocols/perf.hpp"

using namespace converge;
using namespace converge::p2p::io;

namespace {

double seconds(duration d) { return std::chrono::duration<double>(d).count(); }

std::shared_ptr<host> make(asio::io_context& io, std::uint64_t seed) {
  deterministic_rng r(seed);
  host_config c(*crypto::private_key::generate(crypto::key_type::ed25519, r));
  c.listen_addrs = {*mf::multiaddr::parse("/ip4/127.0.0.1/tcp/0")};
  c.identify_on_connect = false;  // measure the connection, not identify
  auto h = *host::create(io.get_executor(), std::move(c));
  (void)h->listen();
  return h;
}

mf::multiaddr addr_of(const host& h) {
  return *h.listen_addrs().front().encapsulate(*mf::multiaddr::parse("/p2p/" + h.id().to_string()));
}

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

task<void> throughput(std::shared_ptr<host> client, std::shared_ptr<host> server, std::uint64_t bytes_each) {
  auto c = co_await client->connect(addr_of(*server));
  if (!c) {
    std::printf("connect failed: %s\n", c.error().message().c_str());
    co_return;
  }
  auto up = co_await run_perf(client, server->id(), bytes_each, 0);
  auto down = co_await run_perf(client, server->id(), 0, bytes_each);
  if (!up || !down) {
    std::printf("perf failed: %s\n", (!up ? up.error() : down.error()).message().c_str());
    co_return;
  }
  double mib = static_cast<double>(bytes_each) / (1024.0 * 1024.0);
  std::printf("upload   %.0f MiB in %.3f s: %.1f MiB/s\n", mib, seconds(up->total), mib / seconds(up->total));
  std::printf("download %.0f MiB in %.3f s: %.1f MiB/s\n", mib, seconds(down->total), mib / seconds(down->total));
  client->disconnect(server->id());
}

task<void> round_trips(asio::io_context& io, std::shared_ptr<host> server, int rounds) {
  std::vector<double> total_ms;
  std::vector<double> dial_ms;
  for (int i = 0; i < rounds; ++i) {
    auto client = make(io, 1000 + static_cast<std::uint64_t>(i));
    auto start = std::chrono::steady_clock::now();
    auto c = co_await client->connect(addr_of(*server));
    auto dialled = std::chrono::steady_clock::now();
    if (!c) {
      std::printf("connect failed: %s\n", c.error().message().c_str());
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
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  auto p99 = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, v.size() * 99 / 100)];
  };
  std::printf("connect + 1-byte round trip, %d rounds: median %.2f ms, p99 %.2f ms (dial with handshake: median %.2f ms)\n",
              rounds, median(total_ms), p99(total_ms), median(dial_ms));
}

task<void> bench(asio::io_context& io, std::uint64_t bytes_each, int rounds) {
  auto server = make(io, 1);
  enable_perf(*server);
  server->set_stream_handler("/echo/1.0.0", serve_echo);
  auto client = make(io, 2);
  co_await throughput(client, server, bytes_each);
  client->close();
  co_await round_trips(io, server, rounds);
  server->close();
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t mib = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 256;
  int rounds = argc > 2 ? std::atoi(argv[2]) : 200;
  if (mib == 0 || mib > 1024 || rounds <= 0) {
    std::fprintf(stderr, "usage: perf_bench [MiB per direction, 1..1024] [connect rounds]\n");
    return 2;
  }
  asio::io_context io;
  asio::co_spawn(io, bench(io, mib << 20, rounds), asio::detached);
  io.run();
  return 0;
}
