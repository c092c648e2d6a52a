// Bitswap between converge hosts on 127.0.0.1: real sockets, Noise, Yamux,
// the service driver and file block stores.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "../p2p_io/harness.hpp"
#include "bitswap/errors.hpp"
#include "bitswap/io/service.hpp"
#include "unixfs/exporter.hpp"
#include "unixfs/importer.hpp"

namespace converge::bitswap {
namespace {
using namespace p2p::io;
using namespace p2p::io::testing;
namespace fs = std::filesystem;

bytes content(std::size_t n, std::uint64_t seed) {
  bytes b(n);
  std::uint64_t x = seed;
  for (std::size_t i = 0; i < n; i += 8) {
    std::uint64_t z = (x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    for (std::size_t k = 0; k < 8 && i + k < n; ++k) b[i + k] = static_cast<std::uint8_t>(z >> (8 * k));
  }
  return b;
}

struct peer {
  fs::path dir;
  std::unique_ptr<blocks::blockstore> store;
  std::shared_ptr<host> h;
  std::shared_ptr<service> bs;
  peer(asio::io_context& io, std::uint64_t seed) {
    dir = fs::temp_directory_path() / ("converge-bitswap-live-" + std::to_string(::getpid()) + "-" + std::to_string(seed));
    fs::remove_all(dir);
    store = blocks::blockstore::open(dir, {.fsync = false}).value();
    h = make_host(io, test_config(seed));
    bs = service::create(h, *store);
    bs->start();
  }
  ~peer() {
    bs->stop();
    h->close();
    fs::remove_all(dir);
  }
  mf::cid add(bytes_view data) {
    return unixfs::import_bytes(data, {}, [&](const mf::cid& c, bytes_view b) -> result<void> {
             auto r = store->put(c, b);
             if (!r) return fail(r.error());
             bs->block_added(c);
             return ok();
           })
        ->cid;
  }
  bytes cat(const mf::cid& root) {
    return unixfs::read_file(root, [&](const mf::cid& c) { return store->get(c); }, std::uint64_t{1} << 32).value();
  }
};

task<result<session_stats>> connect_and_fetch(std::shared_ptr<host> h, std::shared_ptr<service> bs,
                                              std::vector<mf::multiaddr> from, mf::cid root) {
  for (auto& a : from) {
    auto c = co_await h->connect(a);
    if (!c) co_return fail(c.error());
    auto r = co_await bs->add_peer((*c)->remote_peer());
    if (!r) co_return fail(r.error());
  }
  co_return co_await bs->fetch(root);
}

TEST(BitswapLive, FetchesAFileBetweenTwoHosts) {
  asio::io_context io;
  peer seeder(io, 101), fetcher(io, 102);
  auto data = content(8 << 20, 1);
  auto root = seeder.add(data);
  auto r = run(io, connect_and_fetch(fetcher.h, fetcher.bs, {dial_addr(*seeder.h)}, root));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->blocks_fetched, seeder.store->block_count());
  EXPECT_EQ(fetcher.cat(root), data);
}

TEST(BitswapLive, SecondFetchAfterLosingBlocksFetchesOnlyThose) {
  asio::io_context io;
  peer seeder(io, 103), fetcher(io, 104);
  auto data = content(3 << 20, 2);
  auto root = seeder.add(data);
  ASSERT_TRUE(run(io, connect_and_fetch(fetcher.h, fetcher.bs, {dial_addr(*seeder.h)}, root)));
  // Lose three leaves (a crash mid-download looks the same from here).
  auto all = fetcher.store->list();
  std::size_t removed = 0;
  for (auto& c : all) {
    if (c.hash() == root.hash() || removed == 3) continue;
    ASSERT_TRUE(fetcher.store->remove(c));
    ++removed;
  }
  auto r = run(io, fetcher.bs->fetch(root));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->blocks_fetched, 3u);
  EXPECT_EQ(r->blocks_local, all.size() - 3);
  EXPECT_EQ(fetcher.cat(root), data);
}

TEST(BitswapLive, FetchesFromTwoSeeders) {
  asio::io_context io;
  peer a(io, 105), b(io, 106), fetcher(io, 107);
  auto data = content(6 << 20, 3);
  auto root = a.add(data);
  ASSERT_EQ(b.add(data), root);
  auto r = run(io, connect_and_fetch(fetcher.h, fetcher.bs, {dial_addr(*a.h), dial_addr(*b.h)}, root));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(fetcher.cat(root), data);
  auto ka = a.bs->key_of(fetcher.h->id()), kb = b.bs->key_of(fetcher.h->id());
  ASSERT_TRUE(ka && kb);
  EXPECT_GT(a.bs->core().peer(*ka)->blocks_sent, 0u);
  EXPECT_GT(b.bs->core().peer(*kb)->blocks_sent, 0u);
}

TEST(BitswapLive, MissingContentFailsClearly) {
  asio::io_context io;
  peer seeder(io, 108), fetcher(io, 109);
  auto absent = mf::cid::v1(0x55, mf::multihash::sum(0x12, to_bytes("nobody has this")));
  auto r = run(io, connect_and_fetch(fetcher.h, fetcher.bs, {dial_addr(*seeder.h)}, absent));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, bitswap_errc::not_found);
}

}  // namespace
}  // namespace converge::bitswap
