#include "unixfs/unixfs_data.hpp"

#include <gtest/gtest.h>

#include "unixfs/errors.hpp"

namespace converge::unixfs {
namespace {

TEST(UnixfsData, FileNodeBytesAsKubo) {
  unixfs_data d{.type = data_type::file, .filesize = 300000, .blocksizes = {262144, 37856}};
  // Type, filesize, then unpacked blocksizes.
  EXPECT_EQ(to_hex(encode_unixfs(d)), "080218e0a7122080801020e0a702");
}

TEST(UnixfsData, RoundTripEveryField) {
  unixfs_data d{.type = data_type::hamt_shard, .data = to_bytes("bitfield"), .filesize = 9, .blocksizes = {1, 2, 3},
                .hash_type = 0x22, .fanout = 256, .mode = 0755, .mtime = unix_time{1700000000, 123}};
  auto dec = decode_unixfs(encode_unixfs(d)).value();
  EXPECT_EQ(dec.type, data_type::hamt_shard);
  EXPECT_EQ(dec.data, to_bytes("bitfield"));
  EXPECT_EQ(dec.filesize, 9u);
  EXPECT_EQ(dec.blocksizes, (std::vector<std::uint64_t>{1, 2, 3}));
  EXPECT_EQ(dec.hash_type, 0x22u);
  EXPECT_EQ(dec.fanout, 256u);
  EXPECT_EQ(dec.mode, 0755u);
  ASSERT_TRUE(dec.mtime);
  EXPECT_EQ(dec.mtime->seconds, 1700000000);
  EXPECT_EQ(dec.mtime->nanos, 123u);
  EXPECT_EQ(encode_unixfs(dec), encode_unixfs(d));
}

TEST(UnixfsData, PackedBlocksizesAccepted) {
  bytes in{0x08, 0x02, 0x22, 0x03, 0x01, 0x02, 0x03};
  auto dec = decode_unixfs(in).value();
  EXPECT_EQ(dec.blocksizes, (std::vector<std::uint64_t>{1, 2, 3}));
}

TEST(UnixfsData, BadInputs) {
  auto code = [](const bytes& in) { return decode_unixfs(in).error().code; };
  EXPECT_EQ(code({}), unixfs_errc::malformed_unixfs);                 // no Type
  EXPECT_EQ(code({0x08, 0x06}), unixfs_errc::malformed_unixfs);       // unknown type
  EXPECT_EQ(code({0x08, 0x02, 0x48, 0x01}), unixfs_errc::malformed_unixfs);  // field 9
  EXPECT_EQ(code({0x0a, 0x00}), unixfs_errc::malformed_unixfs);       // Type as bytes
  EXPECT_EQ(code({0x08, 0x02, 0x12, 0x05}), unixfs_errc::malformed_unixfs);  // truncated Data
  EXPECT_EQ(code({0x08, 0x02, 0x42, 0x00}), unixfs_errc::malformed_unixfs);  // mtime without seconds
  EXPECT_EQ(code({0x08, 0x02, 0x42, 0x07, 0x08, 0x01, 0x15, 0xff, 0xff, 0xff, 0xff}), unixfs_errc::malformed_unixfs);  // nanos
}

TEST(UnixfsData, BlocksizesBound) {
  bytes in{0x08, 0x02};
  for (std::size_t i = 0; i <= max_blocksizes; ++i) {
    in.push_back(0x20);
    in.push_back(0x01);
  }
  auto r = decode_unixfs(in);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().detail.find("blocksizes"), std::string::npos);
}

}  // namespace
}  // namespace converge::unixfs
