#include "base/bytes.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

using namespace converge;

TEST(bytes, hex_round_trip) {
  bytes b{0x00, 0x7f, 0x80, 0xff};
  EXPECT_EQ(to_hex(b), "007f80ff");
  EXPECT_EQ(from_hex("007F80fF").value(), b);
}

TEST(bytes, hex_errors_name_the_problem) {
  auto odd = from_hex("abc");
  ASSERT_FALSE(odd);
  EXPECT_EQ(odd.error().code, base_errc::invalid_hex);
  EXPECT_NE(odd.error().message().find("odd"), std::string::npos);
  auto bad = from_hex("0g");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("offset 1"), std::string::npos);
}

TEST(bytes, concat_and_views) {
  bytes a{1, 2};
  std::array<std::uint8_t, 1> b{3};
  EXPECT_EQ(concat(a, b, as_bytes("x")), (bytes{1, 2, 3, 'x'}));
}

TEST(bytes, atomic_write_sets_mode_and_replaces) {
  auto dir = std::filesystem::temp_directory_path() / ("converge-bytes-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto path = (dir / "secret").string();
  ASSERT_TRUE(write_file_atomic(path, as_bytes("one"), 0600));
  ASSERT_TRUE(write_file_atomic(path, as_bytes("two"), 0600));
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(as_chars(read_file(path).value()), "two");
  auto missing = read_file((dir / "nope").string());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, base_errc::io);
  EXPECT_NE(missing.error().detail.find("nope"), std::string::npos);
  std::filesystem::remove_all(dir);
}
