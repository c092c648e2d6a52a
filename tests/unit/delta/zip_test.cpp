// The ZIP reader's bounds and the archive-aware method's byte-exact rebuild.
#include <gtest/gtest.h>

#include "delta/deflate.hpp"
#include "delta/delta.hpp"
#include "delta/zip.hpp"
#include "test_data.hpp"

using namespace converge;
using namespace converge::delta;
using namespace converge::delta::testing;

namespace {
std::vector<zip_file> sample_files() {
  return {
      {"AndroidManifest.xml", wordy_bytes(3000, 1)},
      {"classes.dex", random_bytes(20000, 2), 8, 9},
      {"res/raw/data.bin", random_bytes(5000, 3), 0},
      {"lib/filtered.so", wordy_bytes(15000, 4), 8, 5, 1},
      {"assets/odd.txt", wordy_bytes(8000, 5), 8, 6, 0, 10},  // window 2^10: nothing reproduces it
      {"META-INF/desc.txt", wordy_bytes(2000, 6), 8, 1, 0, 15, true},
      {"empty.txt", {}, 8},
  };
}
}  // namespace

TEST(zip_reader, reads_entries_and_sizes) {
  auto files = sample_files();
  bytes z = make_zip(files, to_bytes("APK Sig Block 42 stand-in"));
  auto a = parse_zip(z);
  ASSERT_TRUE(a) << a.error().message();
  ASSERT_EQ(a->entries.size(), files.size());
  for (std::size_t i = 0; i < files.size(); ++i) {
    const auto& e = a->entries[i];
    EXPECT_EQ(e.name, files[i].name);
    EXPECT_EQ(e.uncompressed_size, files[i].content.size());
    EXPECT_EQ(e.compression, files[i].method);
    bytes_view data = bytes_view(z).subspan(e.data_offset, e.compressed_size);
    if (e.compression == 8) {
      EXPECT_EQ(inflate_raw(data, e.uncompressed_size).value(), files[i].content);
    }
  }
}

TEST(zip_reader, every_truncation_is_refused) {
  bytes z = make_zip(sample_files());
  for (std::size_t n = 0; n < z.size(); n += 7) EXPECT_FALSE(parse_zip(bytes_view(z).first(n))) << n;
}

TEST(zip_reader, comment_and_garbage_rules) {
  bytes z = make_zip({{"a", wordy_bytes(100, 1)}});
  bytes with_comment = z;
  with_comment[with_comment.size() - 2] = 5;
  append(with_comment, to_bytes("hello"));
  EXPECT_TRUE(parse_zip(with_comment));
  bytes trailing = z;
  append(trailing, to_bytes("xyz"));  // comment length no longer reaches the end
  EXPECT_FALSE(parse_zip(trailing));
  EXPECT_FALSE(parse_zip(to_bytes("PK\x05\x06 but too short")));
}

TEST(zip_reader, overlapping_entries_are_refused) {
  bytes z = make_zip({{"a", wordy_bytes(100, 1), 0}, {"b", wordy_bytes(100, 2), 0}});
  auto a = parse_zip(z).value();
  // Point the second central entry's local header offset at the first entry.
  std::size_t cd = a.central_directory_offset;
  std::size_t second = cd + 46 + 1;
  for (int i = 0; i < 4; ++i) z[second + 42 + i] = 0;
  z[second + 28] = 1;  // names must still match: make both "a"
  z[second + 46] = 'a';
  auto r = parse_zip(z);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("overlap"), std::string::npos);
}

TEST(zip_reader, entry_count_limit) {
  bytes z = make_zip({{"a", {1}, 0}, {"b", {2}, 0}, {"c", {3}, 0}});
  auto r = parse_zip(z, {.max_entries = 2});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, delta_errc::too_large);
}

TEST(zip_reader, zip64_end_records) {
  bytes z = make_zip({{"a", wordy_bytes(100, 1)}});
  auto a = parse_zip(z).value();
  // Rewrite the EOCD as zip64: a zip64 record and locator, 0xffff markers.
  bytes out(z.begin(), z.end() - 22);
  std::uint64_t rec = out.size();
  put_le(out, 0x06064b50, 4);
  put_le(out, 44, 8);
  put_le(out, 45, 2);
  put_le(out, 45, 2);
  put_le(out, 0, 4);
  put_le(out, 0, 4);
  put_le(out, 1, 8);
  put_le(out, 1, 8);
  put_le(out, a.central_directory_size, 8);
  put_le(out, a.central_directory_offset, 8);
  put_le(out, 0x07064b50, 4);
  put_le(out, 0, 4);
  put_le(out, rec, 8);
  put_le(out, 1, 4);
  put_le(out, 0x06054b50, 4);
  put_le(out, 0, 4);
  put_le(out, 0xffff, 2);
  put_le(out, 0xffff, 2);
  put_le(out, 0xffffffff, 4);
  put_le(out, 0xffffffff, 4);
  put_le(out, 0, 2);
  auto b = parse_zip(out);
  ASSERT_TRUE(b) << b.error().message();
  EXPECT_TRUE(b->zip64);
  EXPECT_EQ(b->entries.size(), 1u);
}

TEST(deflate_params, found_for_zlib_output_and_not_otherwise) {
  bytes plain = wordy_bytes(20000, 7);
  for (int level : {1, 6, 9})
    for (int strategy : {0, 1}) {
      auto p = find_deflate_params(plain, deflate_with(plain, level, strategy, 15), std::nullopt);
      ASSERT_TRUE(p) << level << "/" << strategy;
      // Levels that share an algorithm may stand in for each other; the bytes must match.
      EXPECT_EQ(deflate_with(plain, p->level, p->strategy, 15), deflate_with(plain, level, strategy, 15));
    }
  EXPECT_FALSE(find_deflate_params(plain, deflate_with(plain, 6, 0, 10), std::nullopt));
}

TEST(zip_delta, rebuilds_the_archive_byte_for_byte) {
  auto files = sample_files();
  bytes old_zip = make_zip(files, to_bytes("signing block v1"));
  files[0].content = edited(files[0].content, 10);
  files[1].content = edited(files[1].content, 11);
  files[4].content = edited(files[4].content, 12);
  files.push_back({"new/entry.txt", wordy_bytes(4000, 13)});
  files.erase(files.begin() + 2);
  bytes new_zip = make_zip(files, to_bytes("signing block v2"));
  make_report rep;
  auto patch = make_patch(old_zip, new_zip, {}, &rep);
  ASSERT_TRUE(patch) << patch.error().message();
  EXPECT_EQ(rep.chosen, method::zip);
  auto rebuilt = apply_patch_memory(old_zip, *patch);
  ASSERT_TRUE(rebuilt) << rebuilt.error().message();
  EXPECT_EQ(*rebuilt, new_zip);
  auto info = inspect_patch(input_source::from_memory(*patch));
  ASSERT_TRUE(info);
  EXPECT_EQ(info->details[1].second, "6");  // every deflated entry but the 2^10-window one
}

TEST(zip_delta, beats_byte_level_deltas_on_recompressed_entries) {
  std::vector<zip_file> files{{"big.txt", wordy_bytes(200000, 20)}};
  bytes old_zip = make_zip(files);
  files[0].content = edited(files[0].content, 21);
  bytes new_zip = make_zip(files);
  auto zip = make_patch(old_zip, new_zip, {.choice = method_choice::zip}).value();
  auto cover = make_patch(old_zip, new_zip, {.choice = method_choice::cover}).value();
  EXPECT_LT(zip.size() * 4, cover.size());
  EXPECT_EQ(apply_patch_memory(old_zip, zip).value(), new_zip);
}

TEST(zip_delta, corruption_never_yields_a_wrong_archive) {
  auto files = sample_files();
  bytes old_zip = make_zip(files);
  files[0].content = edited(files[0].content, 30);
  bytes new_zip = make_zip(files);
  bytes patch = make_patch(old_zip, new_zip, {.choice = method_choice::zip}).value();
  for (std::size_t i = 0; i < patch.size(); i += 3) {
    bytes bad = patch;
    bad[i] ^= 0x5a;
    auto r = apply_patch_memory(old_zip, bad);
    if (r) {
      EXPECT_EQ(*r, new_zip) << i;
    }
  }
  for (std::size_t n = 0; n < patch.size(); n += 5) EXPECT_FALSE(apply_patch_memory(old_zip, bytes_view(patch).first(n)));
}
