#include "bitswap/message.hpp"

#include <gtest/gtest.h>

#include "bitswap/errors.hpp"
#include "blocks/pb_wire.hpp"
#include "multiformats/multicodec.hpp"

namespace converge::bitswap {
namespace {

blocks::block raw_block(std::string_view s) {
  return {mf::cid::v1(mf::codec::raw, mf::multihash::sum(mf::codec::sha2_256, as_bytes(s))), to_bytes(s)};
}
blocks::block v0_block(std::string_view s) {
  return {*mf::cid::v0(mf::multihash::sum(mf::codec::sha2_256, as_bytes(s))), to_bytes(s)};
}

message sample() {
  message m;
  m.wantlist.push_back({raw_block("a").id, 5, false, want_type::have, true});
  m.wantlist.push_back({raw_block("b").id, 1, true, want_type::block, false});
  m.full = true;
  m.blocks.push_back(raw_block("payload"));
  m.blocks.push_back(v0_block("old style"));
  m.presences.push_back({raw_block("c").id, presence_type::dont_have});
  m.presences.push_back({raw_block("d").id, presence_type::have});
  m.pending_bytes = 1234;
  return m;
}

TEST(BitswapMessage, RoundTrip120) {
  auto m = decode_message(encode_message(sample(), protocol_version::v1_2_0)).value();
  ASSERT_EQ(m.wantlist.size(), 2u);
  EXPECT_EQ(m.wantlist[0].type, want_type::have);
  EXPECT_TRUE(m.wantlist[0].send_dont_have);
  EXPECT_EQ(m.wantlist[0].priority, 5);
  EXPECT_TRUE(m.wantlist[1].cancel);
  EXPECT_TRUE(m.full);
  ASSERT_EQ(m.blocks.size(), 2u);
  EXPECT_EQ(m.blocks[0].id, raw_block("payload").id);
  EXPECT_EQ(m.blocks[1].id, v0_block("old style").id);
  ASSERT_EQ(m.presences.size(), 2u);
  EXPECT_EQ(m.presences[0].type, presence_type::dont_have);
  EXPECT_EQ(m.pending_bytes, 1234);
}

TEST(BitswapMessage, OlderVersionsDropWhatTheyCannotSay) {
  auto m11 = decode_message(encode_message(sample(), protocol_version::v1_1_0)).value();
  EXPECT_EQ(m11.wantlist.size(), 1u);  // want-have is 1.2.0
  EXPECT_TRUE(m11.presences.empty());
  EXPECT_EQ(m11.blocks.size(), 2u);
  auto m10 = decode_message(encode_message(sample(), protocol_version::v1_0_0)).value();
  ASSERT_EQ(m10.blocks.size(), 1u);  // only CIDv0 blocks can be named in 1.0.0
  EXPECT_EQ(m10.blocks[0].id, v0_block("old style").id);
}

TEST(BitswapMessage, BlockCidComesFromItsBytes) {
  message m;
  m.blocks.push_back(raw_block("genuine"));
  auto enc = encode_message(m, protocol_version::v1_2_0);
  enc[enc.size() - 1] ^= 0x20;  // corrupt the last data byte
  auto dec = decode_message(enc).value();
  ASSERT_EQ(dec.blocks.size(), 1u);
  EXPECT_NE(dec.blocks[0].id, raw_block("genuine").id);
  EXPECT_TRUE(blocks::verify_block(dec.blocks[0].id, dec.blocks[0].data));
}

TEST(BitswapMessage, EncodedBlockSizeIsExact) {
  for (std::size_t n : {0, 1, 127, 128, 16383, 16384, 262144}) {
    message m;
    bytes data(n, 7);
    m.blocks.push_back({mf::cid::v1(mf::codec::raw, mf::multihash::sum(mf::codec::sha2_256, data)), data});
    EXPECT_EQ(encode_message(m, protocol_version::v1_2_0).size(), encoded_block_size(m.blocks[0].id, n)) << n;
  }
}

TEST(BitswapMessage, MalformedInputsAreClearErrors) {
  auto code = [](const bytes& in) { return decode_message(in).error().code; };
  EXPECT_EQ(code({0x0a, 0x05, 0x00}), bitswap_errc::malformed_message);  // wantlist runs past the end
  EXPECT_EQ(code({0x08, 0x01}), bitswap_errc::malformed_message);        // wantlist as a varint
  // Payload block with an unknown hash function (0x99) in its prefix.
  bytes blk;
  blocks::pb::put_bytes_field(blk, 1, bytes{0x01, 0x55, 0x99, 0x01, 0x20});
  blocks::pb::put_bytes_field(blk, 2, to_bytes("x"));
  bytes msg;
  blocks::pb::put_bytes_field(msg, 3, blk);
  EXPECT_EQ(code(msg), bitswap_errc::unsupported_hash);
  // Payload block without data.
  bytes nodata, msg2;
  blocks::pb::put_bytes_field(nodata, 1, bytes{0x01, 0x55, 0x12, 0x20});
  blocks::pb::put_bytes_field(msg2, 3, nodata);
  EXPECT_EQ(code(msg2), bitswap_errc::malformed_message);
  // Entry whose CID is garbage.
  bytes entry, wl, msg3;
  blocks::pb::put_bytes_field(entry, 1, bytes{0x05, 0x05});
  blocks::pb::put_bytes_field(wl, 1, entry);
  blocks::pb::put_bytes_field(msg3, 1, wl);
  EXPECT_EQ(code(msg3), bitswap_errc::malformed_message);
  // A truncated digest length in a prefix is refused (it would prove too little).
  bytes shortd, msg4;
  blocks::pb::put_bytes_field(shortd, 1, bytes{0x01, 0x55, 0x12, 0x10});
  blocks::pb::put_bytes_field(shortd, 2, to_bytes("x"));
  blocks::pb::put_bytes_field(msg4, 3, shortd);
  EXPECT_EQ(code(msg4), bitswap_errc::unsupported_hash);
}

TEST(BitswapMessage, Bounds) {
  message m;
  for (int i = 0; i < 10; ++i) m.wantlist.push_back({raw_block(std::to_string(i)).id});
  auto enc = encode_message(m, protocol_version::v1_2_0);
  EXPECT_TRUE(decode_message(enc, {.max_entries = 10}));
  EXPECT_EQ(decode_message(enc, {.max_entries = 9}).error().code, bitswap_errc::too_large);
  EXPECT_EQ(decode_message(enc, {.max_message_bytes = enc.size() - 1}).error().code, bitswap_errc::too_large);
  message big;
  big.blocks.push_back(raw_block(std::string(2000, 'x')));
  EXPECT_EQ(decode_message(encode_message(big, protocol_version::v1_2_0), {.max_block_bytes = 1999}).error().code,
            bitswap_errc::too_large);
}

TEST(BitswapMessage, FrameReaderAnyFragmentation) {
  auto a = encode_message(sample(), protocol_version::v1_2_0);
  message small;
  small.full = true;
  auto b = encode_message(small, protocol_version::v1_2_0);
  auto stream = concat(frame(a), frame(b), frame({}));
  for (std::size_t step : {std::size_t{1}, std::size_t{3}, stream.size()}) {
    frame_reader r;
    std::vector<bytes> got;
    for (std::size_t off = 0; off < stream.size(); off += step) {
      ASSERT_TRUE(r.feed(bytes_view(stream).subspan(off, std::min(step, stream.size() - off))));
      while (auto f = r.next().value()) got.push_back(*f);
    }
    ASSERT_EQ(got.size(), 3u);
    EXPECT_EQ(got[0], a);
    EXPECT_EQ(got[1], b);
    EXPECT_TRUE(got[2].empty());
  }
  frame_reader r(100);
  ASSERT_TRUE(r.feed(bytes{0x65}));
  EXPECT_EQ(r.next().error().code, bitswap_errc::too_large);
}

TEST(BitswapMessage, Protocols) {
  EXPECT_EQ(parse_protocol("/ipfs/bitswap/1.2.0"), protocol_version::v1_2_0);
  EXPECT_EQ(parse_protocol("/ipfs/bitswap/1.1.0"), protocol_version::v1_1_0);
  EXPECT_EQ(parse_protocol("/ipfs/bitswap/1.0.0"), protocol_version::v1_0_0);
  EXPECT_EQ(parse_protocol("/ipfs/bitswap"), protocol_version::v1_0_0);
  EXPECT_FALSE(parse_protocol("/ipfs/bitswap/2.0.0"));
  EXPECT_EQ(protocol_id(protocol_version::v1_1_0), "/ipfs/bitswap/1.1.0");
}

}  // namespace
}  // namespace converge::bitswap
