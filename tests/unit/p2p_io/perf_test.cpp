// /perf/1.0.0 between two hosts: byte counts both ways, and the server's
// bound on the requested download.
#include <gtest/gtest.h>

#include "p2p/io/protocols/perf.hpp"
#include "harness.hpp"

namespace converge::p2p::io {
namespace {

using namespace testing;

TEST(P2pIoPerf, UploadAndDownloadCounts) {
  asio::io_context io;
  auto a = make_host(io, test_config(60));
  auto b = make_host(io, test_config(61));
  enable_perf(*a);
  ASSERT_TRUE(run(io, b->connect(dial_addr(*a))).has_value());
  auto r = run(io, run_perf(b, a->id(), 3 << 20, 5 << 20));
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r->uploaded, std::uint64_t{3} << 20);
  EXPECT_EQ(r->downloaded, std::uint64_t{5} << 20);
  auto zero = run(io, run_perf(b, a->id(), 0, 0));
  ASSERT_TRUE(zero.has_value()) << zero.error().message();
  EXPECT_EQ(zero->downloaded, 0u);
  a->close();
  b->close();
  io.run();
}

TEST(P2pIoPerf, DownloadOverTheServersBoundIsRefused) {
  asio::io_context io;
  auto a = make_host(io, test_config(62));
  auto b = make_host(io, test_config(63));
  perf_options options;
  options.max_download = 1 << 20;
  enable_perf(*a, options);
  ASSERT_TRUE(run(io, b->connect(dial_addr(*a))).has_value());
  auto r = run(io, run_perf(b, a->id(), 0, (1 << 20) + 1));
  EXPECT_FALSE(r.has_value());
  auto ok_size = run(io, run_perf(b, a->id(), 0, 1 << 20));
  EXPECT_TRUE(ok_size.has_value());
  a->close();
  b->close();
  io.run();
}

}  // namespace
}  // namespace converge::p2p::io
