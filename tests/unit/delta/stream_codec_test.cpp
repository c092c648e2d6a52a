// The cover streams' library codecs: each codec round-trips through
// stream_reader, the maker keeps the smallest candidate, and whole patches
// round-trip with every codec choice.
#include <gtest/gtest.h>

#include "base/varint.hpp"
#include "delta/delta.hpp"
#include "delta/stream_codec.hpp"
#include "delta/zstd_stream.hpp"
#include "test_data.hpp"

using namespace converge;
using namespace converge::delta;
using namespace converge::delta::testing;

namespace {

bytes decode_all(const coded_stream& s, std::size_t n, unsigned wlog = 23) {
  auto src = input_source::from_memory(s.data);
  stream_reader r(src, 0, s.data.size(), s.kind, s.props, wlog, "test stream");
  bytes out(n);
  // Odd-sized reads cross the decoder's internal buffers.
  for (std::size_t at = 0; at < n;) {
    std::size_t step = std::min<std::size_t>(n - at, 777);
    auto ok_read = r.read({out.data() + at, step});
    EXPECT_TRUE(ok_read) << ok_read.error().message();
    if (!ok_read) return {};
    at += step;
  }
  auto end = r.expect_end();
  EXPECT_TRUE(end) << end.error().message();
  return out;
}

std::vector<bytes> samples() {
  bytes sparse(200000, 0);  // a diff stream: zeros with short islands
  for (std::size_t i = 17; i < sparse.size(); i += 911) sparse[i] = static_cast<std::uint8_t>(i * 7);
  return {wordy_bytes(30000, 1), random_bytes(5000, 2), sparse, bytes{42}};
}

}  // namespace

TEST(delta_codec, zstd_round_trip) {
  for (const auto& s : samples())
    for (auto kind : {stream_kind::control, stream_kind::diff, stream_kind::extra}) {
      auto c = encode_zstd(s, kind, {});
      ASSERT_TRUE(c) << c.error().message();
      EXPECT_EQ(c->kind, codec::zstd);
      EXPECT_EQ(decode_all(*c, s.size()), s);
    }
}

TEST(delta_codec, lzma2_round_trip_for_each_literal_setting) {
  struct lclppb {
    unsigned lc, lp, pb;
  } settings[] = {{0, 0, 0}, {3, 0, 2}, {1, 1, 1}, {4, 0, 0}};
  for (const auto& s : samples())
    for (auto [lc, lp, pb] : settings) {
      auto c = encode_lzma2(s, lc, lp, pb, 23);
      ASSERT_TRUE(c) << c.error().message();
      EXPECT_EQ(c->kind, codec::lzma2);
      EXPECT_EQ(decode_all(*c, s.size()), s);
    }
}

TEST(delta_codec, lzma2_stream_longer_than_its_dictionary) {
  bytes s = wordy_bytes(300000, 4);
  auto c = encode_lzma2(s, 3, 0, 2, 12);  // 4 KiB dictionary
  ASSERT_TRUE(c);
  EXPECT_EQ(decode_all(*c, s.size(), 12), s);
}

TEST(delta_codec, stored_round_trip) {
  for (const auto& s : samples()) {
    coded_stream c{codec::stored, 0, s};
    EXPECT_EQ(decode_all(c, s.size()), s);
  }
}

TEST(delta_codec, encode_stream_keeps_the_smallest_candidate) {
  for (const auto& s : samples()) {
    auto best = encode_stream(s, stream_kind::diff, {});
    ASSERT_TRUE(best);
    EXPECT_LE(best->data.size(), s.size());
    EXPECT_LE(best->data.size(), encode_zstd(s, stream_kind::diff, {})->data.size());
    EXPECT_LE(best->data.size(), encode_lzma2(s, 0, 0, 0, 23)->data.size());
    EXPECT_EQ(decode_all(*best, s.size()), s);
  }
  auto tiny = encode_stream(bytes{42}, stream_kind::extra, {});
  ASSERT_TRUE(tiny);
  EXPECT_EQ(tiny->kind, codec::stored);  // nothing beats one raw byte
  codec_options no_lzma;
  no_lzma.try_lzma2 = false;
  auto zstd_only = encode_stream(samples()[0], stream_kind::extra, no_lzma);
  ASSERT_TRUE(zstd_only);
  EXPECT_EQ(zstd_only->kind, codec::zstd);
}

TEST(delta_codec, varints_across_decoder_buffers) {
  bytes ctrl;
  for (std::uint64_t v = 0; v < 20000; ++v) append_uvarint(ctrl, v * v);
  for (auto c : {encode_zstd(ctrl, stream_kind::control, {}).value(), encode_lzma2(ctrl, 0, 0, 0, 23).value(),
                 coded_stream{codec::stored, 0, ctrl}}) {
    SCOPED_TRACE(to_string(c.kind));
    auto src = input_source::from_memory(c.data);
    stream_reader r(src, 0, c.data.size(), c.kind, c.props, 23, "control");
    for (std::uint64_t v = 0; v < 20000; ++v) {
      auto got = r.uvarint();
      ASSERT_TRUE(got) << got.error().message();
      ASSERT_EQ(*got, v * v);
    }
    EXPECT_TRUE(r.expect_end());
    EXPECT_FALSE(r.uvarint());  // nothing past the end
  }
}

TEST(delta_codec, cover_patches_round_trip_with_and_without_lzma2) {
  auto self = read_file("/proc/self/exe");
  ASSERT_TRUE(self);
  bytes old_data(self->begin(), self->begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(self->size(), 256 * 1024)));
  bytes new_data = edited(old_data, 3);
  for (bool lzma : {false, true}) {
    make_options o{.choice = method_choice::cover};
    o.codecs.try_lzma2 = lzma;
    auto patch = make_patch(old_data, new_data, o);
    ASSERT_TRUE(patch) << patch.error().message();
    auto info = inspect_patch(input_source::from_memory(*patch));
    ASSERT_TRUE(info);
    for (const auto& [k, v] : info->details)
      if (!lzma) {
        EXPECT_EQ(v.find("lzma2"), std::string::npos) << k << ": " << v;
      }
    auto rebuilt = apply_patch_memory(old_data, *patch);
    ASSERT_TRUE(rebuilt) << rebuilt.error().message();
    EXPECT_EQ(*rebuilt, new_data);
  }
}
