#include "trust/canonical_json.hpp"

#include <gtest/gtest.h>

using namespace converge;
using namespace converge::trust;
using nlohmann::json;

namespace {
std::string canon(const json& j) { return encode_canonical(j).value(); }
std::string canon_text(std::string_view text) { return canon(parse_json(text).value()); }
}  // namespace

// securesystemslib tests/test_formats.py: test_encode_canonical.
TEST(canonical_json, securesystemslib_vectors) {
  EXPECT_EQ(canon(""), "\"\"");
  EXPECT_EQ(canon(json::array({1, 2, 3})), "[1,2,3]");
  EXPECT_EQ(canon(json::array()), "[]");
  EXPECT_EQ(canon(json::object()), "{}");
  EXPECT_EQ(canon(json{{"A", json::array({99})}}), "{\"A\":[99]}");
  EXPECT_EQ(canon(json{{"A", true}}), "{\"A\":true}");
  EXPECT_EQ(canon(json{{"B", false}}), "{\"B\":false}");
  EXPECT_EQ(canon(json{{"x", 3}, {"y", 2}}), "{\"x\":3,\"y\":2}");
  EXPECT_EQ(canon(json{{"x", 3}, {"y", nullptr}}), "{\"x\":3,\"y\":null}");
  EXPECT_FALSE(encode_canonical(8.0));
  EXPECT_FALSE(encode_canonical(json{{"x", 8.0}}));
}

TEST(canonical_json, strings_escape_only_quote_and_backslash) {
  // Control characters and non-ASCII are written raw, as securesystemslib does.
  EXPECT_EQ(canon_text(R"("a\"b\\c\nd\u0001\u00e9\/")"), std::string("\"a\\\"b\\\\c\nd\x01\xc3\xa9/\""));
}

TEST(canonical_json, keys_sorted_by_code_point_and_whitespace_dropped) {
  EXPECT_EQ(canon_text(R"( { "b" : 1 , "a" : [ 1 , { "\u00e9":0, "z":0, "Z":0 } ], "B": -0 } )"),
            "{\"B\":0,\"a\":[1,{\"Z\":0,\"z\":0,\"\xc3\xa9\":0}],\"b\":1}");
}

TEST(canonical_json, integers_keep_full_range_and_floats_fail) {
  EXPECT_EQ(canon_text("[-9223372036854775808,18446744073709551615]"),
            "[-9223372036854775808,18446744073709551615]");
  for (const char* f : {"1.0", "1e3", "[0.5]", "{\"a\":1E-2}", "18446744073709551616"}) {
    auto j = parse_json(f);
    ASSERT_TRUE(j) << f;
    auto e = encode_canonical(*j);
    ASSERT_FALSE(e) << f;
    EXPECT_EQ(e.error().code, trust_errc::invalid_json);
  }
}

TEST(canonical_json, canonical_output_is_a_fixed_point) {
  std::string c = canon_text(R"({"signed":{"_type":"root","keys":{},"version":1},"signatures":[]})");
  EXPECT_EQ(canon_text(c), c);
}

TEST(canonical_json, duplicate_keys_rejected_at_any_depth) {
  for (const char* doc : {R"({"a":1,"a":2})", R"({"x":{"k":1,"k":1}})", R"([{"a":1},{"b":{"c":[{"d":1,"d":1}]}}])"}) {
    auto r = parse_json(doc);
    ASSERT_FALSE(r) << doc;
    EXPECT_EQ(r.error().code, trust_errc::invalid_json);
    EXPECT_NE(r.error().detail.find("duplicate"), std::string::npos);
  }
  // Same key in sibling objects is fine.
  EXPECT_TRUE(parse_json(R"([{"a":1},{"a":2}])"));
  EXPECT_TRUE(parse_json(R"({"a":{"a":{"a":1}}})"));
}

TEST(canonical_json, bounds_on_size_and_depth) {
  json_limits lim;
  lim.max_bytes = 10;
  auto big = parse_json("[1,2,3,4,5,6]", lim);
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().code, trust_errc::too_large);
  lim = {};
  lim.max_depth = 3;
  EXPECT_TRUE(parse_json("[[[1]]]", lim));
  auto deep = parse_json("[[[[1]]]]", lim);
  ASSERT_FALSE(deep);
  EXPECT_EQ(deep.error().code, trust_errc::too_large);
  // Default depth limit holds against a very deep document without stack trouble.
  std::string bomb(100000, '[');
  EXPECT_FALSE(parse_json(bomb));
  // The encoder bounds recursion too.
  json nested = 1;
  for (int i = 0; i < 100; ++i) nested = json::array({nested});
  EXPECT_FALSE(encode_canonical(nested, 64));
  EXPECT_TRUE(encode_canonical(nested, 101));
}

TEST(canonical_json, malformed_input_is_an_error) {
  for (const char* doc : {"", "{", "{\"a\":}", "[1,]", "{\"a\":1} x", "/*c*/1", "\"\\ud800\"", "\"\xff\"", "nul"}) {
    auto r = parse_json(doc);
    EXPECT_FALSE(r) << doc;
  }
}

TEST(canonical_json, invalid_utf8_in_built_values_is_refused) {
  EXPECT_FALSE(encode_canonical(json(std::string("\xc3"))));
  EXPECT_FALSE(encode_canonical(json{{std::string("\xed\xa0\x80"), 1}}));  // surrogate
  EXPECT_FALSE(encode_canonical(json(std::string("\xc0\x80"))));             // overlong NUL
  EXPECT_TRUE(encode_canonical(json(std::string("\xf0\x9f\x98\x80"))));      // U+1F600
  EXPECT_FALSE(encode_canonical(json::binary({1, 2})));
}

// parse_json lexes with simdjson and declines to nlohmann's reference parser
// for what it does not decide itself; both must give the same value or the
// same error for every input.
TEST(canonical_json, fast_path_agrees_with_the_reference_parser) {
  const std::string deep_ok = std::string(32, '[') + std::string(32, ']');
  const std::string too_deep = std::string(33, '[') + std::string(33, ']');
  const std::vector<std::string> docs = {
      "", " ", "{", "[1,]", "{\"a\":1} x", "nul", "null", "true", " false ", "0", "-0", "-1", "1.5", "1e2", "-0.0",
      "18446744073709551615", "18446744073709551616", "-9223372036854775808", "-9223372036854775809", "01",
      "\"\\ud800\"", "\"\\udc00x\"", "\"\\ud83d\\ude00\"", "\"\xff\"", "\"a\x01\"", "\"\\u0000\"", "\"\xc3\xa9\"",
      R"({"a":1,"a":2})", R"({"a":[1,{"b":2,"b":3}]})", R"({"a":1.5,"a":2})", R"({"a":"\ud800","a":2})",
      R"({"a":1,"a":2,)", R"({"k":{"z":1,"y":[true,null,"s"]},"n":-5})", R"({"\u00e9":1,"é":2})", deep_ok, too_deep,
      "[" + too_deep + ",1.5]", "[1.5," + too_deep + "]", "{\"signed\":{\"_type\":\"root\"},\"signatures\":[]}"};
  for (const auto& doc : docs) {
    auto fast = parse_json(doc);
    auto ref = parse_json_reference(doc);
    ASSERT_EQ(fast.has_value(), ref.has_value()) << doc;
    if (fast) {
      EXPECT_EQ(*fast, *ref) << doc;
      EXPECT_EQ(fast->type(), ref->type()) << doc;
    } else {
      EXPECT_EQ(fast.error().code, ref.error().code) << doc;
      EXPECT_EQ(fast.error().detail, ref.error().detail) << doc;
    }
  }
}
