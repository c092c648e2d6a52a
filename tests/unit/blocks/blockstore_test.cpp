#include "blocks/blockstore.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "multiformats/multicodec.hpp"

namespace converge::blocks {
namespace {
namespace fs = std::filesystem;

struct temp_dir {
  fs::path path;
  temp_dir() {
    path = fs::temp_directory_path() / ("converge-blocks-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(path);
  }
  ~temp_dir() { fs::remove_all(path); }
};

mf::cid raw_cid(bytes_view data) { return mf::cid::v1(mf::codec::raw, mf::multihash::sum(mf::codec::sha2_256, data)); }

// A toy link format for GC tests: a block's data is the concatenated binary CIDs of its children.
result<std::vector<mf::cid>> toy_links(const mf::cid& c, bytes_view data) {
  std::vector<mf::cid> out;
  if (c.codec() != mf::codec::dag_pb) return out;
  while (!data.empty()) {
    std::size_t n = 36;  // CIDv1 raw sha2-256
    auto child = mf::cid::from_bytes(data.first(n));
    if (!child) return fail(child.error());
    out.push_back(*child);
    data = data.subspan(n);
  }
  return out;
}

TEST(Blockstore, PutGetVerifies) {
  temp_dir d;
  auto s = blockstore::open(d.path).value();
  bytes data = to_bytes("hello blocks");
  auto c = raw_cid(data);
  EXPECT_EQ(s->put(c, data).value(), true);
  EXPECT_EQ(s->put(c, data).value(), false);  // already there
  EXPECT_TRUE(s->has(c));
  EXPECT_EQ(s->get(c).value(), data);
  EXPECT_EQ(s->total_bytes(), data.size());
  EXPECT_EQ(s->block_count(), 1u);
  EXPECT_EQ(s->size_of(c), data.size());
}

TEST(Blockstore, RefusesMismatchedData) {
  temp_dir d;
  auto s = blockstore::open(d.path).value();
  auto c = raw_cid(to_bytes("a"));
  auto r = s->put(c, to_bytes("b"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, blocks_errc::hash_mismatch);
  EXPECT_FALSE(s->has(c));
  EXPECT_EQ(s->total_bytes(), 0u);
}

TEST(Blockstore, RefusesUnsupportedHash) {
  temp_dir d;
  auto s = blockstore::open(d.path).value();
  bytes digest(32, 7);
  auto mh = mf::multihash::from_digest(0x1e /* blake3 */, digest).value();
  auto r = s->put(mf::cid::v1(mf::codec::raw, mh), to_bytes("x"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, blocks_errc::unsupported_hash);
}

TEST(Blockstore, BlockSizeBound) {
  temp_dir d;
  auto s = blockstore::open(d.path, {.max_block_size = 100}).value();
  bytes ok_data(100, 1), big(101, 1);
  EXPECT_TRUE(s->put(raw_cid(ok_data), ok_data));
  auto r = s->put(raw_cid(big), big);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, blocks_errc::too_large);
}

TEST(Blockstore, TotalSizeBound) {
  temp_dir d;
  auto s = blockstore::open(d.path, {.max_total_bytes = 250}).value();
  for (int i = 0; i < 2; ++i) {
    bytes b(100, static_cast<std::uint8_t>(i));
    ASSERT_TRUE(s->put(raw_cid(b), b));
  }
  bytes third(100, 9);
  auto r = s->put(raw_cid(third), third);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, blocks_errc::store_full);
  bytes small(50, 9);
  EXPECT_TRUE(s->put(raw_cid(small), small));  // exactly at the limit
  EXPECT_EQ(s->total_bytes(), 250u);
}

TEST(Blockstore, ReopenKeepsIndexAndSize) {
  temp_dir d;
  std::vector<mf::cid> cids;
  {
    auto s = blockstore::open(d.path).value();
    for (int i = 0; i < 20; ++i) {
      bytes b(static_cast<std::size_t>(i + 1), static_cast<std::uint8_t>(i));
      cids.push_back(raw_cid(b));
      ASSERT_TRUE(s->put(cids.back(), b));
    }
  }
  auto s = blockstore::open(d.path).value();
  EXPECT_EQ(s->block_count(), 20u);
  EXPECT_EQ(s->total_bytes(), 210u);
  for (auto& c : cids) EXPECT_TRUE(s->get(c));
  EXPECT_EQ(s->list().size(), 20u);
}

TEST(Blockstore, CorruptFileIsDetectedAndRemoved) {
  temp_dir d;
  bytes data = to_bytes("precious bytes");
  auto c = raw_cid(data);
  {
    auto s = blockstore::open(d.path).value();
    ASSERT_TRUE(s->put(c, data));
  }
  // Flip one byte of the stored file.
  for (auto& e : fs::recursive_directory_iterator(d.path / "blocks")) {
    if (!e.is_regular_file()) continue;
    std::fstream f(e.path(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(3);
    f.put('X');
  }
  auto s = blockstore::open(d.path).value();
  auto r = s->get(c);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, blocks_errc::corrupt);
  EXPECT_FALSE(s->has(c));
  EXPECT_EQ(s->total_bytes(), 0u);
  // It can be stored again from an honest source.
  EXPECT_EQ(s->put(c, data).value(), true);
  EXPECT_EQ(s->get(c).value(), data);
}

TEST(Blockstore, CrashLeftoversAreInvisibleAndCleaned) {
  temp_dir d;
  { auto s = blockstore::open(d.path).value(); }
  // A crash between write and rename leaves a temporary file behind.
  { std::ofstream(d.path / "tmp" / "123.0") << "half a block"; }
  auto s = blockstore::open(d.path).value();
  EXPECT_EQ(s->block_count(), 0u);
  EXPECT_TRUE(fs::is_empty(d.path / "tmp"));
}

TEST(Blockstore, TruncatedBlockFileIsCorrupt) {
  temp_dir d;
  bytes data(1000, 0x42);
  auto c = raw_cid(data);
  {
    auto s = blockstore::open(d.path).value();
    ASSERT_TRUE(s->put(c, data));
  }
  for (auto& e : fs::recursive_directory_iterator(d.path / "blocks"))
    if (e.is_regular_file()) fs::resize_file(e.path(), 10);
  auto s = blockstore::open(d.path).value();
  EXPECT_EQ(s->get(c).error().code, blocks_errc::corrupt);
}

TEST(Blockstore, IdentityCidsAreNotStored) {
  temp_dir d;
  auto s = blockstore::open(d.path).value();
  auto mh = mf::multihash::identity(to_bytes("inline")).value();
  auto c = mf::cid::v1(mf::codec::raw, mh);
  EXPECT_EQ(s->put(c, to_bytes("inline")).value(), false);
  EXPECT_TRUE(s->has(c));
  EXPECT_EQ(s->get(c).value(), to_bytes("inline"));
  EXPECT_EQ(s->block_count(), 0u);
  EXPECT_FALSE(s->put(c, to_bytes("other")));
}

TEST(Blockstore, V0AndV1ShareOneBlock) {
  temp_dir d;
  auto s = blockstore::open(d.path).value();
  bytes data = to_bytes("\x0a\x02\x08\x01");
  auto mh = mf::multihash::sum(mf::codec::sha2_256, data);
  auto v0 = mf::cid::v0(mh).value();
  ASSERT_TRUE(s->put(v0, data));
  EXPECT_TRUE(s->has(v0.to_v1()));
  EXPECT_EQ(s->get(v0.to_v1()).value(), data);
}

TEST(Blockstore, MissingIsNotFound) {
  temp_dir d;
  auto s = blockstore::open(d.path).value();
  EXPECT_EQ(s->get(raw_cid(to_bytes("nope"))).error().code, blocks_errc::not_found);
  EXPECT_TRUE(s->remove(raw_cid(to_bytes("nope"))));
}

TEST(Blockstore, PinsPersistAndGcKeepsReachable) {
  temp_dir d;
  bytes a = to_bytes("leaf a"), b = to_bytes("leaf b"), junk = to_bytes("junk"), lone = to_bytes("lone");
  auto ca = raw_cid(a), cb = raw_cid(b), cj = raw_cid(junk), cl = raw_cid(lone);
  bytes parent = concat(ca.to_bytes(), cb.to_bytes());
  auto cp = mf::cid::v1(mf::codec::dag_pb, mf::multihash::sum(mf::codec::sha2_256, parent));
  {
    auto s = blockstore::open(d.path).value();
    for (auto& [c, data] : std::vector<std::pair<mf::cid, bytes>>{{ca, a}, {cb, b}, {cj, junk}, {cl, lone}, {cp, parent}})
      ASSERT_TRUE(s->put(c, data));
    ASSERT_TRUE(s->pin(cp, pin_mode::recursive));
    ASSERT_TRUE(s->pin(cl, pin_mode::direct));
  }
  auto s = blockstore::open(d.path).value();
  ASSERT_EQ(s->pins().size(), 2u);
  EXPECT_TRUE(s->is_pinned(cp));
  auto rep = s->gc(toy_links).value();
  EXPECT_EQ(rep.blocks_removed, 1u);
  EXPECT_EQ(rep.bytes_freed, junk.size());
  EXPECT_EQ(rep.blocks_kept, 4u);
  EXPECT_FALSE(s->has(cj));
  EXPECT_TRUE(s->has(ca) && s->has(cb) && s->has(cl) && s->has(cp));
  ASSERT_TRUE(s->unpin(cp));
  EXPECT_EQ(s->unpin(cp).error().code, blocks_errc::not_found);
  rep = s->gc(toy_links).value();
  EXPECT_EQ(rep.blocks_removed, 3u);
  EXPECT_TRUE(s->has(cl));
}

TEST(Blockstore, GcKeepsPartialDagsAndExtraRoots) {
  temp_dir d;
  auto s = blockstore::open(d.path).value();
  bytes a = to_bytes("present"), missing = to_bytes("missing"), other = to_bytes("in flight");
  auto ca = raw_cid(a), cm = raw_cid(missing), co = raw_cid(other);
  bytes parent = concat(ca.to_bytes(), cm.to_bytes());
  auto cp = mf::cid::v1(mf::codec::dag_pb, mf::multihash::sum(mf::codec::sha2_256, parent));
  ASSERT_TRUE(s->put(ca, a));
  ASSERT_TRUE(s->put(cp, parent));
  ASSERT_TRUE(s->put(co, other));
  ASSERT_TRUE(s->pin(cp, pin_mode::recursive));
  auto rep = s->gc(toy_links, {co}).value();
  EXPECT_EQ(rep.blocks_removed, 0u);
  EXPECT_EQ(rep.blocks_kept, 3u);
}

TEST(Blockstore, PinLimit) {
  temp_dir d;
  auto s = blockstore::open(d.path, {.max_pins = 2}).value();
  EXPECT_TRUE(s->pin(raw_cid(to_bytes("1")), pin_mode::direct));
  EXPECT_TRUE(s->pin(raw_cid(to_bytes("2")), pin_mode::direct));
  EXPECT_TRUE(s->pin(raw_cid(to_bytes("2")), pin_mode::recursive));  // a mode change is not a new pin
  EXPECT_EQ(s->pin(raw_cid(to_bytes("3")), pin_mode::direct).error().code, blocks_errc::store_full);
}

TEST(Blockstore, MalformedPinsFileIsAClearError) {
  temp_dir d;
  { auto s = blockstore::open(d.path).value(); }
  { std::ofstream(d.path / "pins") << "sideways bafkqaaa\n"; }
  auto s = blockstore::open(d.path);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, blocks_errc::invalid_argument);
  EXPECT_NE(s.error().detail.find("unknown pin mode"), std::string::npos);
}

}  // namespace
}  // namespace converge::blocks
