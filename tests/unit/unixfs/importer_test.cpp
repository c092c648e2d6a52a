#include "unixfs/importer.hpp"

#include <gtest/gtest.h>

#include "multiformats/multicodec.hpp"
#include "test_store.hpp"
#include "unixfs/dag_pb.hpp"
#include "unixfs/errors.hpp"
#include "unixfs/unixfs_data.hpp"

namespace converge::unixfs {
namespace {
using testing::memory_blocks;
using testing::pattern;

TEST(Importer, KnownCids) {
  memory_blocks m;
  // Values computed by ipfs-unixfs-importer 17 and Kubo.
  EXPECT_EQ(import_bytes({}, {}, m.sink())->cid.to_string(), "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku");
  EXPECT_EQ(import_bytes({}, cid_v0_options(), m.sink())->cid.to_string(), "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH");
}

TEST(Importer, SingleChunkIsItsOwnRoot) {
  memory_blocks m;
  auto data = pattern(1000);
  auto r = import_bytes(data, {}, m.sink()).value();
  EXPECT_EQ(r.cid.codec(), mf::codec::raw);
  EXPECT_EQ(m.blocks.size(), 1u);
  EXPECT_EQ(r.tsize, 1000u);
}

TEST(Importer, TwoChunksMakeOneParent) {
  memory_blocks m;
  auto r = import_bytes(pattern(262145), {}, m.sink()).value();
  EXPECT_EQ(r.cid.codec(), mf::codec::dag_pb);
  EXPECT_EQ(r.cid.version(), 1u);
  EXPECT_EQ(m.blocks.size(), 3u);
  auto node = decode_pb(m.blocks.at(r.cid)).value();
  ASSERT_EQ(node.links.size(), 2u);
  EXPECT_EQ(node.links[0].name, "");
  EXPECT_EQ(node.links[0].tsize, 262144u);
  auto d = decode_unixfs(*node.data).value();
  EXPECT_EQ(d.filesize, 262145u);
  EXPECT_EQ(d.blocksizes, (std::vector<std::uint64_t>{262144, 1}));
  EXPECT_EQ(r.tsize, m.blocks.at(r.cid).size() + 262145);
}

TEST(Importer, FanoutAndDepth) {
  memory_blocks m;
  import_options o;
  o.chunk_size = 1;
  o.max_children = 3;
  // 10 leaves: 3+3+3+1 -> 4 parents -> 3+1 -> 2 -> 1 root: depth 3.
  auto r = import_bytes(pattern(10), o, m.sink()).value();
  auto root = decode_pb(m.blocks.at(r.cid)).value();
  ASSERT_EQ(root.links.size(), 2u);
  auto left = decode_pb(m.blocks.at(root.links[0].hash)).value();
  EXPECT_EQ(left.links.size(), 3u);
  auto right = decode_pb(m.blocks.at(root.links[1].hash)).value();
  EXPECT_EQ(right.links.size(), 1u);  // a parent of one, as the reference importer builds it
  EXPECT_EQ(m.blocks.size(), 10u + 4u + 2u + 1u);
}

TEST(Importer, StreamingWritesInAnyPiecesGiveTheSameRoot) {
  memory_blocks a, b;
  auto data = pattern(3 * 262144 + 777);
  auto whole = import_bytes(data, {}, a.sink()).value();
  auto imp = file_importer::create({}, b.sink()).value();
  bytes_view rest = data;
  std::size_t step = 1;
  while (!rest.empty()) {
    auto n = std::min(step, rest.size());
    ASSERT_TRUE(imp.write(rest.first(n)));
    rest = rest.subspan(n);
    step = step * 3 + 1;
  }
  auto streamed = imp.finish().value();
  EXPECT_EQ(streamed.cid, whole.cid);
  EXPECT_FALSE(imp.finish());
  EXPECT_FALSE(imp.write(to_bytes("late")));
}

TEST(Importer, OptionBounds) {
  memory_blocks m;
  import_options o;
  o.cid_version = 2;
  EXPECT_EQ(file_importer::create(o, m.sink()).error().code, unixfs_errc::invalid_argument);
  o = {};
  o.chunk_size = 0;
  EXPECT_FALSE(file_importer::create(o, m.sink()));
  o.chunk_size = 1024 * 1024 + 1;
  EXPECT_FALSE(file_importer::create(o, m.sink()));
  o = {};
  o.max_children = 1;
  EXPECT_FALSE(file_importer::create(o, m.sink()));
}

TEST(Importer, SinkErrorStopsTheImport) {
  int calls = 0;
  block_sink failing = [&](const mf::cid&, bytes_view) -> result<void> {
    if (++calls == 2) return fail(unixfs_errc::io, "disk full");
    return ok();
  };
  auto r = import_bytes(pattern(3 * 262144), {}, failing);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().detail, "disk full");
}

TEST(Importer, DirectoryRules) {
  memory_blocks m;
  auto f = import_bytes(pattern(5), {}, m.sink()).value();
  EXPECT_EQ(build_directory({{"a/b", f}}, {}, m.sink()).error().code, unixfs_errc::invalid_argument);
  EXPECT_EQ(build_directory({{"", f}}, {}, m.sink()).error().code, unixfs_errc::invalid_argument);
  EXPECT_EQ(build_directory({{"..", f}}, {}, m.sink()).error().code, unixfs_errc::invalid_argument);
  EXPECT_EQ(build_directory({{"x", f}, {"x", f}}, {}, m.sink()).error().code, unixfs_errc::invalid_argument);
  // Links are sorted by name bytes whatever the input order.
  auto d = build_directory({{"b", f}, {"B", f}, {"a", f}}, {}, m.sink()).value();
  auto node = decode_pb(m.blocks.at(d.cid)).value();
  ASSERT_EQ(node.links.size(), 3u);
  EXPECT_EQ(node.links[0].name, "B");
  EXPECT_EQ(node.links[1].name, "a");
  EXPECT_EQ(node.links[2].name, "b");
  EXPECT_EQ(decode_unixfs(*node.data)->type, data_type::directory);
}

TEST(Importer, OversizeDirectoryRefused) {
  memory_blocks m;
  auto f = import_bytes(pattern(5), {}, m.sink()).value();
  std::vector<directory_entry> many;
  for (int i = 0; i < 5000; ++i) many.push_back({"entry-number-" + std::to_string(i), f});
  auto r = build_directory(many, {}, m.sink());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, unixfs_errc::too_large);
}

}  // namespace
}  // namespace converge::unixfs
