// Every method rebuilds its target byte for byte, on empty, identical,
// unrelated and edited inputs.
#include <gtest/gtest.h>

#include "delta/delta.hpp"
#include "test_data.hpp"

using namespace converge;
using namespace converge::delta;
using namespace converge::delta::testing;

namespace {

struct pair_case {
  const char* name;
  bytes old_data, new_data;
};

std::vector<pair_case> cases() {
  bytes text = wordy_bytes(20000, 1);
  bytes rnd = random_bytes(5000, 2);
  return {
      {"empty_to_empty", {}, {}},
      {"empty_to_data", {}, text},
      {"data_to_empty", text, {}},
      {"identical", text, text},
      {"share_nothing", random_bytes(3000, 3), random_bytes(3000, 4)},
      {"one_byte", {7}, {8}},
      {"edited_text", text, edited(text, 5)},
      {"edited_random", rnd, edited(rnd, 6)},
      {"zeros", bytes(10000, 0), bytes(12000, 0)},
      {"repeated_runs", bytes(50000, 0xaa), concat(bytes(20000, 0xaa), bytes(5, 1), bytes(30000, 0xaa))},
  };
}

void expect_round_trip(method_choice choice, const pair_case& c) {
  SCOPED_TRACE(c.name);
  make_report rep;
  auto patch = make_patch(c.old_data, c.new_data, {.choice = choice}, &rep);
  ASSERT_TRUE(patch) << patch.error().message();
  auto rebuilt = apply_patch_memory(c.old_data, *patch);
  ASSERT_TRUE(rebuilt) << rebuilt.error().message();
  EXPECT_EQ(*rebuilt, c.new_data);
}

}  // namespace

TEST(delta_round_trip, cover_method) {
  for (const auto& c : cases()) expect_round_trip(method_choice::cover, c);
}

TEST(delta_round_trip, zstd_prefix_method) {
  for (const auto& c : cases()) expect_round_trip(method_choice::zstd, c);
}

TEST(delta_round_trip, edits_make_small_patches) {
  bytes old_data = random_bytes(100000, 9);
  bytes new_data = edited(old_data, 10);
  for (auto choice : {method_choice::cover, method_choice::zstd}) {
    auto patch = make_patch(old_data, new_data, {.choice = choice});
    ASSERT_TRUE(patch);
    EXPECT_LT(patch->size(), new_data.size() / 10);
  }
}

TEST(delta_round_trip, identical_files_give_a_tiny_patch) {
  bytes data = random_bytes(200000, 11);
  auto patch = make_patch(data, data, {.choice = method_choice::cover});
  ASSERT_TRUE(patch);
  EXPECT_LT(patch->size(), 200u);
}

TEST(delta_chooser, keeps_the_smallest_and_reports_every_method) {
  bytes old_data = wordy_bytes(50000, 12);
  bytes new_data = edited(old_data, 13);
  make_report rep;
  auto patch = make_patch(old_data, new_data, {}, &rep);
  ASSERT_TRUE(patch) << patch.error().message();
  ASSERT_EQ(rep.tried.size(), 2u);
  for (auto& [m, size] : rep.tried) EXPECT_GE(size, patch->size()) << to_string(m);
  EXPECT_EQ(rep.patch_size, patch->size());
  EXPECT_GT(rep.full_size, patch->size());
  auto rebuilt = apply_patch_memory(old_data, *patch);
  ASSERT_TRUE(rebuilt);
  EXPECT_EQ(*rebuilt, new_data);
}

TEST(delta_chooser, refuses_a_delta_that_is_not_clearly_smaller) {
  bytes old_data = random_bytes(4000, 14), new_data = random_bytes(4000, 15);
  make_report rep;
  auto patch = make_patch(old_data, new_data, {}, &rep);
  ASSERT_FALSE(patch);
  EXPECT_EQ(patch.error().code, delta_errc::no_benefit);
  EXPECT_NE(patch.error().message().find("compressed full package"), std::string::npos);
  // The threshold is configurable: with no limit the best patch is published.
  auto any = make_patch(old_data, new_data, {.max_ratio = 1e9});
  ASSERT_TRUE(any);
}

TEST(delta_chooser, explicit_methods_ignore_the_threshold) {
  bytes old_data = random_bytes(1000, 16), new_data = random_bytes(1000, 17);
  EXPECT_TRUE(make_patch(old_data, new_data, {.choice = method_choice::cover}));
  auto zip = make_patch(old_data, new_data, {.choice = method_choice::zip});
  ASSERT_FALSE(zip);
  EXPECT_EQ(zip.error().code, delta_errc::not_zip);
}

TEST(delta_info, describes_each_method) {
  bytes old_data = wordy_bytes(5000, 18), new_data = edited(old_data, 19);
  for (auto choice : {method_choice::cover, method_choice::zstd}) {
    auto patch = make_patch(old_data, new_data, {.choice = choice});
    ASSERT_TRUE(patch);
    auto info = inspect_patch(input_source::from_memory(*patch));
    ASSERT_TRUE(info) << info.error().message();
    EXPECT_EQ(info->header.old_size, old_data.size());
    EXPECT_EQ(info->header.new_size, new_data.size());
    EXPECT_FALSE(info->details.empty());
  }
}

TEST(delta_round_trip, real_executable_bytes) {
  // Real machine code: the first 512 KiB of this test binary, and a "new
  // version" with a block inserted (shifting everything after it), a block
  // dropped and a few bytes patched, as a compiler's output would shift.
  auto self = read_file("/proc/self/exe");
  ASSERT_TRUE(self);
  bytes old_data(self->begin(), self->begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(self->size(), 512 * 1024)));
  bytes new_data = old_data;
  new_data.insert(new_data.begin() + 100000, old_data.begin() + 300000, old_data.begin() + 304096);
  new_data.erase(new_data.begin() + 400000, new_data.begin() + 401000);
  for (std::size_t i = 50000; i < new_data.size(); i += 4099) new_data[i] ^= 0x10;
  for (auto choice : {method_choice::cover, method_choice::zstd}) {
    auto patch = make_patch(old_data, new_data, {.choice = choice});
    ASSERT_TRUE(patch) << patch.error().message();
    EXPECT_LT(patch->size(), new_data.size() / 20);
    auto rebuilt = apply_patch_memory(old_data, *patch);
    ASSERT_TRUE(rebuilt) << rebuilt.error().message();
    EXPECT_EQ(*rebuilt, new_data);
  }
}
