#include "p2p/yamux_frame.hpp"

#include <gtest/gtest.h>

using namespace converge;
using namespace converge::p2p;

namespace {
result<yamux_header> decode(std::string_view hex) {
  auto b = from_hex(hex).value();
  return decode_yamux_header(std::span<const std::uint8_t, yamux_header_size>(b.data(), yamux_header_size));
}
}  // namespace

TEST(yamux_frame, header_layout_is_big_endian) {
  bytes out;
  append_yamux_header(out, {yamux_type::window_update, yamux_flag::syn | yamux_flag::ack, 0x01020304, 0x00040000});
  EXPECT_EQ(to_hex(out), "000100030102030400040000");
  auto h = decode("000100030102030400040000").value();
  EXPECT_EQ(h.type, yamux_type::window_update);
  EXPECT_TRUE(h.has(yamux_flag::syn));
  EXPECT_TRUE(h.has(yamux_flag::ack));
  EXPECT_FALSE(h.has(yamux_flag::fin));
  EXPECT_EQ(h.stream_id, 0x01020304u);
  EXPECT_EQ(h.length, 0x40000u);
}

TEST(yamux_frame, round_trips_every_type) {
  for (auto t : {yamux_type::data, yamux_type::window_update, yamux_type::ping, yamux_type::go_away}) {
    bool session = t == yamux_type::ping || t == yamux_type::go_away;
    yamux_header h{t, yamux_flag::fin | yamux_flag::rst, session ? 0u : 7u, 0xffffffffu};
    bytes out;
    append_yamux_header(out, h);
    ASSERT_EQ(out.size(), yamux_header_size);
    auto back = decode_yamux_header(std::span<const std::uint8_t, yamux_header_size>(out.data(), yamux_header_size));
    ASSERT_TRUE(back);
    EXPECT_EQ(back->type, t);
    EXPECT_EQ(back->flags, h.flags);
    EXPECT_EQ(back->stream_id, h.stream_id);
    EXPECT_EQ(back->length, h.length);
  }
}

TEST(yamux_frame, rejects_malformed_headers) {
  auto bad = [](std::string_view hex) {
    auto r = decode(hex);
    EXPECT_FALSE(r) << hex;
    if (!r) {
      EXPECT_EQ(r.error().code, yamux_errc::protocol_error);
    }
    return r ? std::string() : r.error().detail;
  };
  EXPECT_NE(bad("010000000000000100000000").find("version 1"), std::string::npos);
  EXPECT_NE(bad("000400000000000100000000").find("type 4"), std::string::npos);
  EXPECT_NE(bad("000200010000000500000000").find("stream 5"), std::string::npos);  // ping off stream 0
  bad("000300000000000100000000");                                                // GoAway off stream 0
  bad("000000000000000000000001");                                                // data on stream 0
  bad("000100010000000000000000");                                                // window update on stream 0
  EXPECT_TRUE(decode("0000fff00000000100000000"));  // unknown flag bits are ignored
}
