// File-to-file apply: the output appears only once verified, a stale partial
// file from an interrupted run is replaced, failures leave nothing behind.
#include <gtest/gtest.h>

#include <filesystem>

#include "delta/delta.hpp"
#include "test_data.hpp"

using namespace converge;
using namespace converge::delta;
using namespace converge::delta::testing;
namespace fs = std::filesystem;

namespace {
class file_apply : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("converge-delta-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const char* name) const { return (dir_ / name).string(); }
  fs::path dir_;
};

void put(const std::string& p, const bytes& b) { ASSERT_TRUE(write_file_atomic(p, b)); }
}  // namespace

TEST_F(file_apply, every_method_rebuilds_the_file) {
  bytes old_data = wordy_bytes(40000, 1), new_data = edited(old_data, 2);
  put(path("old"), old_data);
  for (auto choice : {method_choice::cover, method_choice::zstd}) {
    put(path("patch"), make_patch(old_data, new_data, {.choice = choice}).value());
    auto r = apply_patch_file(path("old"), path("patch"), path("new"), {}, sha256_of(new_data));
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(read_file(path("new")).value(), new_data);
    EXPECT_FALSE(fs::exists(path("new.cvpart")));
  }
}

TEST_F(file_apply, empty_output_file) {
  bytes old_data = wordy_bytes(100, 3);
  put(path("old"), old_data);
  for (auto choice : {method_choice::cover, method_choice::zstd}) {
    put(path("patch"), make_patch(old_data, {}, {.choice = choice}).value());
    ASSERT_TRUE(apply_patch_file(path("old"), path("patch"), path("new")));
    EXPECT_TRUE(read_file(path("new")).value().empty());
  }
}

TEST_F(file_apply, a_stale_partial_output_is_restarted) {
  bytes old_data = wordy_bytes(20000, 4), new_data = edited(old_data, 5);
  put(path("old"), old_data);
  put(path("patch"), make_patch(old_data, new_data, {.choice = method_choice::cover}).value());
  put(path("new.cvpart"), random_bytes(50000, 6));  // an interrupted earlier run
  ASSERT_TRUE(apply_patch_file(path("old"), path("patch"), path("new")));
  EXPECT_EQ(read_file(path("new")).value(), new_data);
  EXPECT_FALSE(fs::exists(path("new.cvpart")));
}

TEST_F(file_apply, failure_leaves_the_target_untouched) {
  bytes old_data = wordy_bytes(20000, 7), new_data = edited(old_data, 8);
  put(path("old"), old_data);
  bytes patch = make_patch(old_data, new_data, {.choice = method_choice::cover}).value();
  patch[60] ^= 1;  // inside the declared target hash (bytes 47..78 here)
  put(path("patch"), patch);
  put(path("new"), to_bytes("previous version"));
  auto r = apply_patch_file(path("old"), path("patch"), path("new"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, delta_errc::hash_mismatch);
  EXPECT_EQ(read_file(path("new")).value(), to_bytes("previous version"));
  EXPECT_FALSE(fs::exists(path("new.cvpart")));
}

TEST_F(file_apply, missing_files_name_the_path) {
  auto r = apply_patch_file(path("nope"), path("patch"), path("new"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, delta_errc::io);
  EXPECT_NE(r.error().message().find("nope"), std::string::npos);
}

TEST_F(file_apply, zip_method_uses_a_scratch_file_beside_the_output) {
  std::vector<zip_file> files{{"a.txt", wordy_bytes(30000, 9)}, {"b.bin", random_bytes(4000, 10), 0}};
  bytes old_zip = make_zip(files);
  files[0].content = edited(files[0].content, 11);
  bytes new_zip = make_zip(files);
  put(path("old"), old_zip);
  put(path("patch"), make_patch(old_zip, new_zip, {.choice = method_choice::zip}).value());
  ASSERT_TRUE(apply_patch_file(path("old"), path("patch"), path("new")));
  EXPECT_EQ(read_file(path("new")).value(), new_zip);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator{}), 3);
}
