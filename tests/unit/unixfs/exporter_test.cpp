#include "unixfs/exporter.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "blocks/errors.hpp"
#include "multiformats/multicodec.hpp"
#include "test_store.hpp"
#include "unixfs/errors.hpp"

namespace converge::unixfs {
namespace {
using testing::memory_blocks;
using testing::pattern;
namespace fs = std::filesystem;

class ExporterSizes : public ::testing::TestWithParam<std::size_t> {};

TEST_P(ExporterSizes, RoundTripBothLayouts) {
  for (auto opts : {import_options{}, cid_v0_options()}) {
    memory_blocks m;
    opts.chunk_size = 1000;
    opts.max_children = 7;
    auto data = pattern(GetParam());
    auto root = import_bytes(data, opts, m.sink()).value();
    auto r = file_reader::open(root.cid, m.getter()).value();
    EXPECT_EQ(r.size(), data.size());
    bytes out;
    while (auto piece = r.next().value()) append(out, *piece);
    EXPECT_EQ(out, data);
    EXPECT_EQ(r.offset(), data.size());
    EXPECT_FALSE(r.next().value());  // stays at the end
  }
}
INSTANTIATE_TEST_SUITE_P(Sizes, ExporterSizes, ::testing::Values(0, 1, 999, 1000, 1001, 7000, 7001, 49000, 49001, 123457));

TEST(Exporter, DetectsSwappedBlock) {
  memory_blocks m;
  import_options o;
  o.chunk_size = 100;
  auto root = import_bytes(pattern(1000), o, m.sink()).value();
  // Replace one leaf's bytes: the getter lies, the reader must notice.
  for (auto& [c, b] : m.blocks)
    if (c.codec() == mf::codec::raw) {
      b[0] ^= 1;
      break;
    }
  auto r = read_file(root.cid, m.getter(), 1 << 20);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, blocks::blocks_errc::hash_mismatch);
}

// Builds a parent by hand whose blocksizes lie about a child.
TEST(Exporter, DetectsSizeLies) {
  memory_blocks m;
  auto sink = m.sink();
  auto leaf = import_bytes(pattern(10), {}, sink).value();
  auto make_parent = [&](std::uint64_t claimed, std::optional<std::uint64_t> filesize) {
    unixfs_data d{.type = data_type::file, .filesize = filesize, .blocksizes = {claimed}};
    pb_node n{{pb_link{leaf.cid, std::string(), 10}}, encode_unixfs(d)};
    auto b = encode_pb(n);
    auto c = mf::cid::v1(mf::codec::dag_pb, mf::multihash::sum(mf::codec::sha2_256, b));
    (void)sink(c, b);
    return c;
  };
  EXPECT_EQ(read_file(make_parent(11, 11), m.getter(), 100).error().code, unixfs_errc::inconsistent);
  EXPECT_EQ(read_file(make_parent(10, 12), m.getter(), 100).error().code, unixfs_errc::inconsistent);
  EXPECT_EQ(read_file(make_parent(10, 10), m.getter(), 100).value(), pattern(10));
  EXPECT_EQ(read_file(make_parent(10, std::nullopt), m.getter(), 100).value(), pattern(10));
  EXPECT_EQ(read_file(make_parent(10, 10), m.getter(), 9).error().code, unixfs_errc::too_large);
}

TEST(Exporter, DepthBound) {
  memory_blocks m;
  import_options o;
  o.chunk_size = 1;
  o.max_children = 2;
  auto root = import_bytes(pattern(64), o, m.sink()).value();  // depth 6
  reader_limits lim;
  lim.max_depth = 5;
  EXPECT_EQ(file_reader::open(root.cid, m.getter(), lim).value().next().error().code, unixfs_errc::too_large);
  lim.max_depth = 6;
  auto r = file_reader::open(root.cid, m.getter(), lim).value();
  while (auto p = r.next().value()) {
  }
}

TEST(Exporter, MissingBlockIsReported) {
  memory_blocks m;
  import_options o;
  o.chunk_size = 10;
  auto root = import_bytes(pattern(100), o, m.sink()).value();
  m.blocks.erase(std::prev(m.blocks.end()) == m.blocks.find(root.cid) ? m.blocks.begin() : std::prev(m.blocks.end()));
  EXPECT_FALSE(read_file(root.cid, m.getter(), 1000));
}

TEST(Exporter, DirectoriesStatResolveAndExport) {
  memory_blocks m;
  auto sink = m.sink();
  auto a = import_bytes(pattern(300000), {}, sink).value();
  auto b = import_bytes(to_bytes("hello"), {}, sink).value();
  auto link = build_symlink("a.bin", {}, sink).value();
  auto sub = build_directory({{"b.txt", b}}, {}, sink).value();
  auto root = build_directory({{"a.bin", a}, {"sub", sub}, {"ln", link}}, {}, sink).value();
  auto g = m.getter();
  EXPECT_EQ(stat(root.cid, g)->kind, node_kind::directory);
  EXPECT_EQ(stat(a.cid, g)->kind, node_kind::file);
  EXPECT_EQ(stat(a.cid, g)->size, 300000u);
  EXPECT_EQ(stat(link.cid, g)->symlink_target, "a.bin");
  EXPECT_EQ(resolve_path(root.cid, "sub/b.txt", g).value(), b.cid);
  EXPECT_EQ(resolve_path(root.cid, "/sub//b.txt", g).value(), b.cid);
  EXPECT_EQ(resolve_path(root.cid, "nope", g).error().code, unixfs_errc::not_found);
  EXPECT_EQ(resolve_path(root.cid, "a.bin/x", g).error().code, unixfs_errc::not_a_directory);
  EXPECT_EQ(file_reader::open(root.cid, g).error().code, unixfs_errc::not_a_file);

  auto out = fs::temp_directory_path() / ("converge-export-" + std::to_string(::getpid()));
  fs::remove_all(out);
  ASSERT_TRUE(export_to_path(root.cid, out, g));
  std::ifstream f(out / "sub" / "b.txt");
  std::string s;
  f >> s;
  EXPECT_EQ(s, "hello");
  EXPECT_EQ(fs::file_size(out / "a.bin"), 300000u);
  EXPECT_EQ(fs::read_symlink(out / "ln"), "a.bin");
  EXPECT_FALSE(export_to_path(root.cid, out, g));  // refuses to overwrite
  // And importing the exported tree gives the same root.
  memory_blocks m2;
  EXPECT_EQ(import_path(out, {}, m2.sink())->cid, root.cid);
  fs::remove_all(out);
}

TEST(Exporter, UnsafeNamesAreRefused) {
  memory_blocks m;
  auto sink = m.sink();
  auto f = import_bytes(to_bytes("x"), {}, sink).value();
  // A hostile directory node with a ".." entry (build_directory would refuse it).
  pb_node n{{pb_link{f.cid, std::string(".."), 1}}, encode_unixfs(unixfs_data{.type = data_type::directory})};
  auto b = encode_pb(n);
  auto c = mf::cid::v1(mf::codec::dag_pb, mf::multihash::sum(mf::codec::sha2_256, b));
  (void)sink(c, b);
  auto out = fs::temp_directory_path() / ("converge-unsafe-" + std::to_string(::getpid()));
  fs::remove_all(out);
  auto r = export_to_path(c, out, m.getter());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, unixfs_errc::inconsistent);
  EXPECT_FALSE(fs::exists(out.parent_path() / "x"));
  fs::remove_all(out);
}

}  // namespace
}  // namespace converge::unixfs
