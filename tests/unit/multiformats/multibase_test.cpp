#include "multiformats/multibase.hpp"

#include <gtest/gtest.h>

#include <random>

using namespace converge;
using namespace converge::mf;

namespace {
bytes b(std::string_view s) { return to_bytes(s); }

struct vector_row {
  const char* text;
};

// multiformats/multibase tests/{basic,leading_zero,two_leading_zeros}.csv,
// restricted to the bases we implement (canonical encodings first).
void expect_encodes(std::string_view input, std::initializer_list<const char*> canonical,
                    std::initializer_list<const char*> variants) {
  auto data = b(input);
  for (auto text : canonical) {
    auto base = multibase_from_prefix(text[0]);
    ASSERT_TRUE(base) << text;
    EXPECT_EQ(multibase_encode(*base, data), text);
    auto d = multibase_decode(text);
    ASSERT_TRUE(d) << text << ": " << d.error().message();
    EXPECT_EQ(*d, data) << text;
  }
  for (auto text : variants) {
    auto d = multibase_decode(text);
    ASSERT_TRUE(d) << text << ": " << d.error().message();
    EXPECT_EQ(*d, data) << text;
  }
}
}  // namespace

TEST(multibase, spec_basic_vectors) {
  expect_encodes("yes mani !",
                 {"f796573206d616e692021", "bpfsxgidnmfxgsibb", "k2lcpzo5yikidynfl", "z7paNL19xttacUY", "meWVzIG1hbmkgIQ",
                  "ueWVzIG1hbmkgIQ"},
                 {"F796573206D616E692021", "BPFSXGIDNMFXGSIBB", "K2LCPZO5YIKIDYNFL", "MeWVzIG1hbmkgIQ==", "UeWVzIG1hbmkgIQ=="});
}

TEST(multibase, spec_leading_zero_vectors) {
  expect_encodes(std::string_view("\0yes mani !", 11),
                 {"f00796573206d616e692021", "bab4wk4zanvqw42jaee", "k02lcpzo5yikidynfl", "z17paNL19xttacUY",
                  "mAHllcyBtYW5pICE", "uAHllcyBtYW5pICE"},
                 {"F00796573206D616E692021", "BAB4WK4ZANVQW42JAEE", "K02LCPZO5YIKIDYNFL", "MAHllcyBtYW5pICE=",
                  "UAHllcyBtYW5pICE="});
  expect_encodes(std::string_view("\0\0yes mani !", 12),
                 {"f0000796573206d616e692021", "baaahszltebwwc3tjeaqq", "k002lcpzo5yikidynfl", "z117paNL19xttacUY",
                  "mAAB5ZXMgbWFuaSAh", "uAAB5ZXMgbWFuaSAh"},
                 {"F0000796573206D616E692021", "BAAAHSZLTEBWWC3TJEAQQ", "K002LCPZO5YIKIDYNFL", "MAAB5ZXMgbWFuaSAh",
                  "UAAB5ZXMgbWFuaSAh"});
}

// tests/case_insensitivity.csv: the case-insensitive bases decode mixed case.
TEST(multibase, spec_case_insensitivity) {
  for (auto text : {"f68656c6c6f20776F726C64", "F68656c6c6f20776F726C64", "bnbswy3dpeB3W64TMMQ", "Bnbswy3dpeB3W64TMMQ",
                    "kfUvrsIvVnfRbjWaJo", "KfUVrSIVVnFRbJWAJo"}) {
    auto d = multibase_decode(text);
    ASSERT_TRUE(d) << text << ": " << d.error().message();
    EXPECT_EQ(*d, b("hello world")) << text;
  }
}

TEST(multibase, empty_input) {
  for (auto base : {multibase::base16, multibase::base32, multibase::base36, multibase::base58btc, multibase::base64,
                    multibase::base64url}) {
    EXPECT_EQ(base_encode(base, {}), "");
    EXPECT_EQ(base_decode(base, "").value(), bytes{});
  }
  auto e = multibase_decode("");
  ASSERT_FALSE(e);
}

TEST(multibase, rejects_bad_character_naming_it_and_offset) {
  auto e = multibase_decode("z7paNL10xttacUY");  // '0' is not in base58btc
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, mf_errc::invalid_character);
  EXPECT_NE(e.error().detail.find("'0' at offset 7"), std::string::npos) << e.error().detail;
  e = multibase_decode("bpfsxgidnmfxgsib1");
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().detail.find("'1' at offset 16"), std::string::npos) << e.error().detail;
  e = base_decode(multibase::base64, std::string_view("ab\x01=", 4));
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().detail.find("byte 0x01 at offset 2"), std::string::npos) << e.error().detail;
  // Padding is only for the padded variants.
  EXPECT_FALSE(multibase_decode("meWVzIG1hbmkgIQ=="));
  EXPECT_FALSE(base_decode(multibase::base64url, "ab+/"));
  EXPECT_FALSE(base_decode(multibase::base64, "ab-_"));
}

TEST(multibase, rejects_unknown_prefix) {
  for (auto text : {"1abc", "Zabc", "cpfsxgidnmfxgsibb", "vf5in683dc5n6i811", "0101"}) {
    auto e = multibase_decode(text);
    ASSERT_FALSE(e) << text;
    EXPECT_EQ(e.error().code, mf_errc::unknown_base) << text;
  }
}

TEST(multibase, rejects_non_canonical_trailing_bits) {
  // "f" -> base32 "my"; "mz" sets a trailing bit.
  EXPECT_EQ(base_decode(multibase::base32, "my").value(), b("f"));
  auto e = base_decode(multibase::base32, "mz");
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, mf_errc::non_canonical);
  EXPECT_EQ(base_decode(multibase::base64, "Zg").value(), b("f"));
  EXPECT_EQ(base_decode(multibase::base64, "Zh").error().code, mf_errc::non_canonical);
  // Impossible lengths.
  EXPECT_EQ(base_decode(multibase::base16, "abc").error().code, mf_errc::non_canonical);
  EXPECT_EQ(base_decode(multibase::base32, "a").error().code, mf_errc::non_canonical);
  EXPECT_EQ(base_decode(multibase::base32, "aaa").error().code, mf_errc::non_canonical);
  EXPECT_EQ(base_decode(multibase::base64, "aaaaa").error().code, mf_errc::non_canonical);
  // Wrong padding in the padded variants.
  EXPECT_EQ(multibase_decode("MZg=").error().code, mf_errc::non_canonical);
  EXPECT_EQ(multibase_decode("MZg===").error().code, mf_errc::non_canonical);
  EXPECT_EQ(multibase_decode("MZg").error().code, mf_errc::non_canonical);
  EXPECT_EQ(multibase_decode("MZg==").value(), b("f"));
  EXPECT_EQ(multibase_decode("MZ=g=").error().code, mf_errc::invalid_character);
}

TEST(multibase, bounds_input_size) {
  std::string big(max_bignum_text + 1, '2');
  auto e = base_decode(multibase::base58btc, big);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, mf_errc::too_large);
  EXPECT_TRUE(base_decode(multibase::base58btc, big.substr(1)));
  std::string huge(max_multibase_text + 8, 'a');
  EXPECT_EQ(base_decode(multibase::base32, huge).error().code, mf_errc::too_large);
  EXPECT_EQ(multibase_decode("M" + huge).error().code, mf_errc::too_large);
}

TEST(multibase, names_round_trip) {
  for (auto base : {multibase::base16, multibase::base32, multibase::base36, multibase::base58btc, multibase::base64,
                    multibase::base64url})
    EXPECT_EQ(multibase_from_name(multibase_name(base)).value(), base);
  EXPECT_EQ(multibase_from_name("base2").error().code, mf_errc::unknown_base);
}

TEST(multibase, random_round_trips) {
  std::mt19937 gen(7);
  for (int i = 0; i < 2000; ++i) {
    bytes data(gen() % 80);
    std::size_t zeros = gen() % 4;
    for (std::size_t j = 0; j < data.size(); ++j) data[j] = j < zeros ? 0 : static_cast<std::uint8_t>(gen());
    for (auto base : {multibase::base16, multibase::base32, multibase::base36, multibase::base58btc, multibase::base64,
                      multibase::base64url}) {
      auto text = multibase_encode(base, data);
      auto back = multibase_decode(text);
      ASSERT_TRUE(back) << text << ": " << back.error().message();
      ASSERT_EQ(*back, data) << text;
    }
  }
}
