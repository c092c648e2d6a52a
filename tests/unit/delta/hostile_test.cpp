// Corrupted, truncated and hand-made hostile patches fail with a clear error:
// never a crash, never output beyond the declared size, never a wrong file.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "base/varint.hpp"
#include "delta/cover.hpp"
#include "delta/stream_codec.hpp"
#include "delta/delta.hpp"
#include "delta/zstd_stream.hpp"
#include "test_data.hpp"

using namespace converge;
using namespace converge::delta;
using namespace converge::delta::testing;

namespace {

bytes header_for(method m, const bytes& old_data, std::uint64_t new_size, const digest& new_hash = {}) {
  patch_header h;
  h.kind = m;
  h.old_size = old_data.size();
  h.new_size = new_size;
  h.old_sha256 = sha256_of(old_data);
  h.new_sha256 = new_hash;
  return encode_header(h);
}

coded_stream code_as(const bytes& raw, codec c, unsigned wlog) {
  if (raw.empty()) return {};
  switch (c) {
    case codec::stored: return {codec::stored, 0, raw};
    case codec::zstd: return {codec::zstd, 0, zstd_compress(raw, {.level = 3, .window_log = wlog}).value()};
    case codec::lzma2: return encode_lzma2(raw, 0, 0, 0, wlog == 0 ? 23 : wlog).value();
  }
  return {};
}

// A cover body from raw control/diff/extra streams, each coded with `c`.
bytes cover_body(const bytes& ctrl, const bytes& diff, const bytes& extra, unsigned wlog = 0, codec c = codec::zstd) {
  coded_stream s[3] = {code_as(ctrl, c, wlog), code_as(diff, c, wlog), code_as(extra, c, wlog)};
  bytes body;
  for (auto& x : s) append_stream_header(body, x);
  for (auto& x : s) append(body, x.data);
  return body;
}

constexpr codec all_codecs[] = {codec::stored, codec::zstd, codec::lzma2};

bytes ctrl_record(std::int64_t seek, std::uint64_t add, std::uint64_t extra) {
  bytes c;
  append_uvarint(c, zigzag_encode(seek));
  append_uvarint(c, add);
  append_uvarint(c, extra);
  return c;
}

error apply_err(const bytes& old_data, const bytes& patch, const apply_limits& limits = {}) {
  auto r = apply_patch_memory(old_data, patch, limits);
  EXPECT_FALSE(r) << "hostile patch applied";
  return r ? error{} : r.error();
}

}  // namespace

TEST(delta_hostile, every_truncation_fails_cleanly) {
  bytes old_data = wordy_bytes(3000, 1), new_data = edited(old_data, 2);
  for (auto choice : {method_choice::cover, method_choice::zstd}) {
    bytes patch = make_patch(old_data, new_data, {.choice = choice}).value();
    for (std::size_t n = 0; n < patch.size(); ++n) {
      auto r = apply_patch_memory(old_data, bytes_view(patch).first(n));
      EXPECT_FALSE(r) << "truncated to " << n;
    }
  }
}

TEST(delta_hostile, every_single_byte_corruption_fails_or_is_caught_by_the_hash) {
  bytes old_data = wordy_bytes(2000, 3), new_data = edited(old_data, 4);
  for (auto choice : {method_choice::cover, method_choice::zstd}) {
    bytes patch = make_patch(old_data, new_data, {.choice = choice}).value();
    for (std::size_t i = 0; i < patch.size(); ++i) {
      bytes bad = patch;
      bad[i] ^= 0x41;
      auto r = apply_patch_memory(old_data, bad);
      // Some bytes (e.g. zstd block padding) do not matter; any output must be the target.
      if (r) {
        EXPECT_EQ(*r, new_data) << "corrupt byte " << i;
      }
    }
  }
}

TEST(delta_hostile, bad_magic_and_version) {
  EXPECT_EQ(apply_err({}, to_bytes("hello world, not a patch at all")).code, delta_errc::bad_magic);
  bytes p = header_for(method::cover, {}, 0);
  EXPECT_EQ(p[7], 2);  // format version 2: per-stream library codecs
  for (std::uint8_t v : {1, 3}) {  // version 1 carried a hand-made diff coder: refused
    p[7] = v;
    EXPECT_EQ(apply_err({}, p).code, delta_errc::unsupported);
  }
  p = header_for(method::cover, {}, 0);
  p[8] = 9;
  EXPECT_EQ(apply_err({}, p).code, delta_errc::unsupported);
}

TEST(delta_hostile, wrong_old_file_is_refused_before_anything_is_written) {
  bytes old_data = wordy_bytes(1000, 5), new_data = edited(old_data, 6);
  bytes patch = make_patch(old_data, new_data, {.choice = method_choice::cover}).value();
  bytes other = old_data;
  other[10] ^= 1;
  EXPECT_EQ(apply_err(other, patch).code, delta_errc::old_mismatch);
  EXPECT_EQ(apply_err(bytes(old_data.begin(), old_data.end() - 1), patch).code, delta_errc::old_mismatch);
}

TEST(delta_hostile, declared_size_over_the_limit) {
  bytes p = header_for(method::cover, {}, std::uint64_t{1} << 40);
  append(p, cover_body({}, {}, {}));
  auto e = apply_err({}, p);
  EXPECT_EQ(e.code, delta_errc::too_large);
  apply_limits small;
  small.max_new_size = 10;
  bytes q = header_for(method::zstd_prefix, {}, 11);
  EXPECT_EQ(apply_err({}, q, small).code, delta_errc::too_large);
}

TEST(delta_hostile, control_records_cannot_escape_their_bounds) {
  bytes old_data = random_bytes(100, 7);
  struct hostile {
    const char* what;
    bytes ctrl;
    std::uint64_t new_size;
  } cases[] = {
      {"seek before the old file", ctrl_record(-1, 1, 0), 1},
      {"seek past the old file", ctrl_record(101, 1, 0), 1},
      {"add past the old file", ctrl_record(50, 51, 0), 51},
      {"add past the new size", ctrl_record(0, 20, 0), 10},
      {"extra past the new size", ctrl_record(0, 0, 20), 10},
      {"no progress", concat(ctrl_record(0, 0, 0), ctrl_record(0, 1, 0)), 1},
      {"huge values", concat(ctrl_record(0, std::uint64_t{1} << 62, 0)), 1},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    bytes p = header_for(method::cover, old_data, c.new_size);
    append(p, cover_body(c.ctrl, bytes(100, 0), bytes(100, 0)));
    auto e = apply_err(old_data, p);
    EXPECT_EQ(e.code, delta_errc::corrupt) << e.message();
  }
}

TEST(delta_hostile, streams_shorter_or_longer_than_the_control_data) {
  for (codec c : all_codecs) {
  SCOPED_TRACE(to_string(c));
  bytes old_data = random_bytes(100, 8);
  const digest first10 = sha256_of(bytes_view(old_data).first(10));
  // Too few or too many difference bytes: an error, never a wrong output.
  for (std::size_t n : {0, 5, 11, 64}) {
    bytes p = header_for(method::cover, old_data, 10, first10);
    append(p, cover_body(ctrl_record(0, 10, 0), bytes(n, 1), {}, 0, c));
    EXPECT_FALSE(apply_patch_memory(old_data, p)) << n;
  }
  bytes r = header_for(method::cover, old_data, 10, first10);
  append(r, cover_body(concat(ctrl_record(0, 10, 0), ctrl_record(0, 1, 0)), bytes(11, 0), {}, 0, c));
  EXPECT_EQ(apply_err(old_data, r).code, delta_errc::corrupt);
  bytes e = header_for(method::cover, old_data, 10, first10);
  append(e, cover_body(ctrl_record(0, 0, 10), {}, bytes(12, 0), 0, c));
  EXPECT_EQ(apply_err(old_data, e).code, delta_errc::corrupt);
  // The exact streams apply: the checks above are about the extra bytes only.
  bytes good = header_for(method::cover, old_data, 10, first10);
  append(good, cover_body(ctrl_record(0, 10, 0), bytes(10, 0), {}, 0, c));
  auto ok_result = apply_patch_memory(old_data, good);
  EXPECT_TRUE(ok_result) << (ok_result ? "" : ok_result.error().message());
  }
}

TEST(delta_hostile, stream_window_over_the_memory_bound) {
  bytes big = random_bytes(1 << 21, 9);  // 2 MiB of extra bytes, compressed with a 2 MiB window
  bytes p = header_for(method::cover, {}, big.size(), sha256_of(big));
  append(p, cover_body(ctrl_record(0, 0, big.size()), {}, big, 21));
  apply_limits tight;
  tight.max_stream_window_log = 20;
  EXPECT_EQ(apply_err({}, p, tight).code, delta_errc::too_large);
  EXPECT_TRUE(apply_patch_memory({}, p));
}

TEST(delta_hostile, lzma2_dictionary_over_the_memory_bound) {
  bytes big = random_bytes(1 << 21, 9);
  bytes p = header_for(method::cover, {}, big.size(), sha256_of(big));
  append(p, cover_body(ctrl_record(0, 0, big.size()), {}, big, 21, codec::lzma2));
  apply_limits tight;
  tight.max_stream_window_log = 20;
  auto e = apply_err({}, p, tight);
  EXPECT_EQ(e.code, delta_errc::too_large) << e.message();
  EXPECT_NE(e.message().find("dictionary"), std::string::npos) << e.message();
  EXPECT_TRUE(apply_patch_memory({}, p));
}

// A hand-made header declaring a 4 GiB LZMA2 dictionary (props byte 40) must
// fail on the declaration, before the decoder allocates anything.
TEST(delta_hostile, declared_lzma2_dictionary_is_checked_before_allocation) {
  bytes extra = random_bytes(64, 3);
  coded_stream s = encode_lzma2(extra, 0, 0, 0, 12).value();
  for (std::uint8_t props : {std::uint8_t{40}, std::uint8_t{24}}) {  // 4 GiB - 1, 16 MiB
    bytes p = header_for(method::cover, {}, extra.size(), sha256_of(extra));
    s.props = props;
    bytes ctrl = ctrl_record(0, 0, extra.size());
    coded_stream c{codec::stored, 0, ctrl};
    append_stream_header(p, c);
    append_stream_header(p, coded_stream{});
    append_stream_header(p, s);
    append(p, ctrl);
    append(p, s.data);
    auto e = apply_err({}, p);
    EXPECT_EQ(e.code, delta_errc::too_large) << e.message();
  }
  bytes p = header_for(method::cover, {}, extra.size(), sha256_of(extra));
  s.props = 41;  // not a valid LZMA2 dictionary byte
  bytes ctrl = ctrl_record(0, 0, extra.size());
  append_stream_header(p, coded_stream{codec::stored, 0, ctrl});
  append_stream_header(p, coded_stream{});
  append_stream_header(p, s);
  append(p, ctrl);
  append(p, s.data);
  EXPECT_EQ(apply_err({}, p).code, delta_errc::unsupported);
}

TEST(delta_hostile, unknown_codec_byte) {
  bytes old_data = random_bytes(100, 8);
  bytes good = header_for(method::cover, old_data, 10, sha256_of(bytes_view(old_data).first(10)));
  std::size_t at = good.size();
  append(good, cover_body(ctrl_record(0, 10, 0), bytes(10, 0), {}, 0, codec::stored));
  ASSERT_TRUE(apply_patch_memory(old_data, good));
  for (std::size_t stream_header : {at, at + 2, at + 4}) {  // stored headers are 2 bytes each here
    for (std::uint8_t bad : {3, 0x80, 0xff}) {
      bytes p = good;
      p[stream_header] = bad;
      auto e = apply_err(old_data, p);
      EXPECT_EQ(e.code, delta_errc::unsupported) << e.message();
      EXPECT_NE(e.message().find("unknown codec"), std::string::npos) << e.message();
    }
  }
}

TEST(delta_hostile, lzma2_stream_cut_short_or_followed_by_junk) {
  bytes extra = wordy_bytes(5000, 2);
  coded_stream s = encode_lzma2(extra, 3, 0, 2, 16).value();
  bytes ctrl = ctrl_record(0, 0, extra.size());
  auto build = [&](const bytes& data) {
    bytes p = header_for(method::cover, {}, extra.size(), sha256_of(extra));
    append_stream_header(p, coded_stream{codec::stored, 0, ctrl});
    append_stream_header(p, coded_stream{});
    append_stream_header(p, coded_stream{codec::lzma2, s.props, data});
    append(p, ctrl);
    append(p, data);
    return p;
  };
  ASSERT_TRUE(apply_patch_memory({}, build(s.data)));
  bytes cut(s.data.begin(), s.data.end() - 1);  // loses the end marker
  EXPECT_FALSE(apply_patch_memory({}, build(cut)));
  EXPECT_EQ(apply_err({}, build(concat(s.data, bytes{0}))).code, delta_errc::corrupt);
}

TEST(delta_hostile, zstd_frame_larger_than_declared) {
  bytes old_data = wordy_bytes(1000, 10), new_data = edited(old_data, 11);
  bytes body = zstd_compress(new_data, {.level = 3, .window_log = 12, .long_distance = false}, old_data).value();
  bytes p = header_for(method::zstd_prefix, old_data, new_data.size() - 1);
  append(p, body);
  EXPECT_EQ(apply_err(old_data, p).code, delta_errc::corrupt);
}

TEST(delta_hostile, expected_hash_must_match_the_patch) {
  bytes old_data = wordy_bytes(1000, 12), new_data = edited(old_data, 13);
  bytes patch = make_patch(old_data, new_data, {.choice = method_choice::cover}).value();
  auto out = output_sink::to_memory(new_data.size());
  digest other{};
  auto r = apply_patch(input_source::from_memory(old_data), input_source::from_memory(patch), *out, {}, other);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, delta_errc::hash_mismatch);
}
