#include "unixfs/dag_pb.hpp"

#include <gtest/gtest.h>

#include "multiformats/multicodec.hpp"
#include "unixfs/errors.hpp"

namespace converge::unixfs {
namespace {

mf::cid some_cid(std::string_view s) { return mf::cid::v1(mf::codec::raw, mf::multihash::sum(mf::codec::sha2_256, as_bytes(s))); }

TEST(DagPb, KuboEmptyFileBytes) {
  // Kubo's empty file QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH is 0a 04 08 02 18 00.
  pb_node n{{}, bytes{0x08, 0x02, 0x18, 0x00}};
  EXPECT_EQ(to_hex(encode_pb(n)), "0a0408021800");
  auto mh = mf::multihash::sum(mf::codec::sha2_256, encode_pb(n));
  EXPECT_EQ(mf::cid::v0(mh)->to_string(), "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH");
}

TEST(DagPb, RoundTripLinksThenData) {
  pb_node n;
  n.links.push_back({some_cid("a"), std::string("alpha"), 17});
  n.links.push_back({some_cid("b"), std::nullopt, std::nullopt});
  n.links.push_back({some_cid("c"), std::string(), 0});
  n.data = to_bytes("payload");
  auto enc = encode_pb(n);
  EXPECT_EQ(enc[0], 0x12);  // Links (field 2) come first
  auto dec = decode_pb(enc).value();
  ASSERT_EQ(dec.links.size(), 3u);
  EXPECT_EQ(dec.links[0].hash, some_cid("a"));
  EXPECT_EQ(dec.links[0].name, "alpha");
  EXPECT_EQ(dec.links[0].tsize, 17u);
  EXPECT_FALSE(dec.links[1].name);
  EXPECT_FALSE(dec.links[1].tsize);
  EXPECT_EQ(dec.links[2].name, "");
  EXPECT_EQ(dec.data, to_bytes("payload"));
  EXPECT_EQ(encode_pb(dec), enc);
}

TEST(DagPb, EmptyNode) {
  auto dec = decode_pb({}).value();
  EXPECT_TRUE(dec.links.empty());
  EXPECT_FALSE(dec.data);
}

void expect_malformed(const bytes& in, std::string_view needle) {
  auto r = decode_pb(in);
  ASSERT_FALSE(r) << to_hex(in);
  EXPECT_EQ(r.error().code, unixfs_errc::malformed_pb);
  EXPECT_NE(r.error().detail.find(needle), std::string::npos) << r.error().detail;
}

TEST(DagPb, StrictDecoding) {
  auto link = encode_pb(pb_node{{pb_link{some_cid("x"), std::nullopt, std::nullopt}}, std::nullopt});
  // Data before Links.
  expect_malformed(concat(bytes{0x0a, 0x00}, link), "after Data");
  // Data twice.
  expect_malformed(bytes{0x0a, 0x00, 0x0a, 0x00}, "after Data");
  // Unknown field 3.
  expect_malformed(bytes{0x18, 0x01}, "unknown field 3");
  // Data as a varint.
  expect_malformed(bytes{0x08, 0x01}, "Data is not bytes");
  // Length past the end.
  expect_malformed(bytes{0x0a, 0x05, 0x00}, "runs past the end");
  // Link without Hash.
  expect_malformed(bytes{0x12, 0x02, 0x18, 0x01}, "no Hash");
  // Link with a Hash that is not a CID.
  expect_malformed(bytes{0x12, 0x04, 0x0a, 0x02, 0x01, 0x02}, "not a CID");
  // Link fields out of order: Tsize before Hash.
  auto c = some_cid("y").to_bytes();
  bytes l{0x18, 0x05, 0x0a, static_cast<std::uint8_t>(c.size())};
  append(l, c);
  bytes node{0x12, static_cast<std::uint8_t>(l.size())};
  append(node, l);
  expect_malformed(node, "out of order");
  // Truncated tag.
  expect_malformed(bytes{0x80}, "truncated");
}

TEST(DagPb, Bounds) {
  pb_node n;
  for (int i = 0; i < 5; ++i) n.links.push_back({some_cid(std::to_string(i)), std::nullopt, std::nullopt});
  auto enc = encode_pb(n);
  EXPECT_TRUE(decode_pb(enc, {.max_links = 5}));
  EXPECT_EQ(decode_pb(enc, {.max_links = 4}).error().code, unixfs_errc::too_large);
  EXPECT_EQ(decode_pb(enc, {.max_node_bytes = enc.size() - 1}).error().code, unixfs_errc::too_large);
  pb_node named{{pb_link{some_cid("n"), std::string(2000, 'n'), 1}}, std::nullopt};
  EXPECT_EQ(decode_pb(encode_pb(named)).error().code, unixfs_errc::malformed_pb);
}

TEST(DagPb, BlockLinks) {
  pb_node n{{pb_link{some_cid("a"), std::string(), 1}, pb_link{some_cid("b"), std::string(), 1}}, bytes{0x08, 0x02}};
  auto enc = encode_pb(n);
  auto id = mf::cid::v1(mf::codec::dag_pb, mf::multihash::sum(mf::codec::sha2_256, enc));
  auto links = block_links(id, enc).value();
  ASSERT_EQ(links.size(), 2u);
  EXPECT_EQ(links[1], some_cid("b"));
  EXPECT_TRUE(block_links(some_cid("raw"), to_bytes("raw")).value().empty());
  auto cbor = mf::cid::v1(mf::codec::dag_cbor, mf::multihash::sum(mf::codec::sha2_256, enc));
  EXPECT_EQ(block_links(cbor, enc).error().code, unixfs_errc::unsupported);
}

}  // namespace
}  // namespace converge::unixfs
