#include "base/varint.hpp"

#include <gtest/gtest.h>

using namespace converge;

namespace {
bytes hex(std::string_view h) { return from_hex(h).value(); }
}  // namespace

// The table from multiformats/unsigned-varint's README.
TEST(varint, spec_examples) {
  struct {
    std::uint64_t value;
    const char* encoded;
  } cases[] = {{1, "01"},       {127, "7f"},     {128, "8001"},  {255, "ff01"},
               {300, "ac02"},   {16384, "808001"}, {0, "00"},   {max_varint_value, "ffffffffffffffff7f"}};
  for (auto& c : cases) {
    EXPECT_EQ(to_hex(encode_uvarint(c.value)), c.encoded) << c.value;
    auto d = decode_uvarint(hex(c.encoded));
    ASSERT_TRUE(d) << c.encoded;
    EXPECT_EQ(d->value, c.value);
    EXPECT_EQ(d->size, std::string_view(c.encoded).size() / 2);
    EXPECT_EQ(uvarint_size(c.value), d->size);
  }
}

TEST(varint, refuses_non_minimal) {
  for (auto h : {"8000", "ff00", "808000", "8180808000"}) {
    auto d = decode_uvarint(hex(h));
    ASSERT_FALSE(d) << h;
    EXPECT_EQ(d.error().code, base_errc::not_minimal) << h;
  }
}

TEST(varint, refuses_more_than_nine_bytes) {
  auto d = decode_uvarint(hex("ffffffffffffffffff01"));
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code, base_errc::overflow);
  // Nine continuation bytes with nothing after: already too long, not merely truncated.
  d = decode_uvarint(hex("ffffffffffffffffff"));
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code, base_errc::overflow);
}

TEST(varint, truncated_is_distinct) {
  for (auto h : {"", "80", "ff80", "ffffffffffffffff"}) {
    auto d = decode_uvarint(hex(h));
    ASSERT_FALSE(d) << h;
    EXPECT_EQ(d.error().code, base_errc::truncated) << h;
  }
}

TEST(varint, round_trips_every_width) {
  for (int shift = 0; shift < 63; ++shift) {
    for (std::uint64_t v : {std::uint64_t{1} << shift, (std::uint64_t{1} << shift) - 1, (std::uint64_t{1} << shift) + 1}) {
      if (v > max_varint_value) continue;
      auto e = encode_uvarint(v);
      auto d = decode_uvarint(e);
      ASSERT_TRUE(d);
      EXPECT_EQ(d->value, v);
      EXPECT_EQ(d->size, e.size());
    }
  }
}

TEST(byte_reader, length_prefixed_bounds) {
  auto in = hex("03616263" "05");
  byte_reader r(in);
  auto a = r.length_prefixed(10);
  ASSERT_TRUE(a);
  EXPECT_EQ(as_chars(*a), "abc");
  auto b = r.length_prefixed(10);
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().code, base_errc::truncated);
  EXPECT_EQ(r.remaining(), 1u);  // a failed read consumes nothing
  byte_reader r2(in);
  auto c = r2.length_prefixed(2);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, base_errc::too_large);
}
