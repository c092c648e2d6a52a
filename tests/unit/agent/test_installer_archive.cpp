// Unpacking packages into a slot: real archives built with libarchive, and hostile ones.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include "agent/installer_archive.hpp"
#include "agent/libarchive_api.hpp"
#include "test_installer_util.hpp"

namespace converge::agent {
namespace {

using namespace test;

struct ArchiveTest : ::testing::Test {
  temp_dir t;
  fs::path slot = t.path / "root" / "slot";
  void SetUp() override { fs::create_directories(slot); }

  result<void> unpack(const std::vector<arc_entry>& entries, const std::string& name = "pkg.tar.gz",
                      unpack_limits limits = {}) {
    auto file = t.path / name;
    build_archive(file, entries);
    return unpack_archive(file, archive_kind_for(name), slot, limits);
  }
  void expect_refused(const std::vector<arc_entry>& entries, const std::string& what, const std::string& name = "pkg.tar.gz",
                      unpack_limits limits = {}) {
    auto r = unpack(entries, name, limits);
    ASSERT_FALSE(r) << "accepted an archive that should be refused: " << what;
    EXPECT_EQ(r.error().code, make_error_code(installer_errc::bad_package)) << r.error().message();
    EXPECT_NE(r.error().detail.find(what), std::string::npos) << r.error().detail;
    // Nothing lands beside the slot.
    EXPECT_FALSE(fs::exists(t.path / "root" / "evil"));
    EXPECT_FALSE(fs::exists(t.path / "evil"));
    EXPECT_FALSE(fs::exists("/tmp/converge-evil"));
  }
};

// converge does not link libarchive; the installer loads it on first use.
// This test binary links it (to write archives), so dlopen must hand back the
// very functions the linker bound here.
TEST(LibarchiveApi, LoadsTheSharedLibraryOnce) {
  auto la = libarchive();
  ASSERT_TRUE(la) << la.error().detail;
  EXPECT_EQ((*la)->archive_read_new, &::archive_read_new);
  EXPECT_EQ((*la)->archive_entry_perm, &::archive_entry_perm);
  EXPECT_EQ(libarchive().value(), *la);
}

TEST(ArchiveKind, BySuffix) {
  EXPECT_EQ(archive_kind_for("app.tar"), archive_kind::tar);
  EXPECT_EQ(archive_kind_for("app.tar.gz"), archive_kind::tar_gz);
  EXPECT_EQ(archive_kind_for("app.tgz"), archive_kind::tar_gz);
  EXPECT_EQ(archive_kind_for("app.tar.zst"), archive_kind::tar_zst);
  EXPECT_EQ(archive_kind_for("app.tzst"), archive_kind::tar_zst);
  EXPECT_EQ(archive_kind_for("app.zip"), archive_kind::zip);
  EXPECT_EQ(archive_kind_for("app.apk"), archive_kind::none);
  EXPECT_EQ(archive_kind_for("app"), archive_kind::none);
  EXPECT_EQ(archive_kind_for(".zip"), archive_kind::none);
  EXPECT_EQ(to_string(archive_kind::tar_zst), "tar.zst");
}

TEST_F(ArchiveTest, UnpacksEveryFormat) {
  for (const std::string name : {"p.tar", "p.tar.gz", "p.tar.zst", "p.zip"}) {
    SCOPED_TRACE(name);
    fs::remove_all(slot);
    fs::create_directories(slot);
    auto r = unpack({dir_entry("bin"), file_entry("bin/app", "#!/bin/sh\necho hi\n", 0755), file_entry("./README", "read me"),
                     file_entry("lib/deep/x.txt", "x"), link_entry("lib/current", "deep/x.txt"), link_entry("bin/up", "../README"),
                     file_entry("empty", "")},
                    name);
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(read_text(slot / "bin" / "app"), "#!/bin/sh\necho hi\n");
    EXPECT_EQ(fs::status(slot / "bin" / "app").permissions() & fs::perms::owner_exec, fs::perms::owner_exec);
    EXPECT_EQ(fs::status(slot / "README").permissions() & fs::perms::owner_exec, fs::perms::none);
    EXPECT_EQ(read_text(slot / "lib" / "current"), "x");
    EXPECT_EQ(read_text(slot / "bin" / "up"), "read me");
    EXPECT_TRUE(fs::is_regular_file(slot / "empty"));
  }
}

TEST_F(ArchiveTest, RefusesDotDot) {
  expect_refused({file_entry("../evil", "x")}, "\"..\" in the path");
  expect_refused({file_entry("a/../../evil", "x")}, "\"..\" in the path");
  expect_refused({file_entry("../evil", "x")}, "\"..\" in the path", "p.zip");
}

TEST_F(ArchiveTest, RefusesAbsolutePaths) {
  expect_refused({file_entry("/tmp/converge-evil", "x")}, "absolute path");
  expect_refused({file_entry("/tmp/converge-evil", "x")}, "absolute path", "p.zip");
}

TEST_F(ArchiveTest, RefusesSymlinkEscapes) {
  expect_refused({link_entry("l", "/etc/passwd")}, "symlink to an absolute path");
  expect_refused({link_entry("l", "../evil")}, "symlink points outside");
  expect_refused({dir_entry("d"), link_entry("d/l", "../../evil")}, "symlink points outside", "p.tar");
  // Each link stays inside lexically; resolved, the second leaves the slot.
  expect_refused({dir_entry("s"), link_entry("s/l", ".."), link_entry("e", "s/l/..")}, "symlink resolves outside");
  // A chain through a link to the slot's parent directory.
  expect_refused({link_entry("a", "."), link_entry("b", "a/a/a/..")}, "resolves outside");
}

TEST_F(ArchiveTest, NeverWritesThroughASymlink) {
  fs::create_directories(t.path / "root" / "outside");
  expect_refused({link_entry("sub", "."), file_entry("sub/x", "x")}, "is not a directory");
  // A link that points to a directory inside the slot is still not traversed.
  expect_refused({dir_entry("real"), link_entry("alias", "real"), file_entry("alias/evil", "x")}, "is not a directory");
  expect_refused({file_entry("f", "1"), link_entry("f", "/etc/passwd")}, "symlink to an absolute path");
  expect_refused({link_entry("f", "g"), file_entry("f", "x")}, "duplicate entry");
}

TEST_F(ArchiveTest, RefusesOtherEntryTypes) {
  expect_refused({file_entry("a", "x"), {arc_entry::hardlink, "b", "a", 0644, 0}}, "hard links are not supported", "p.tar");
  expect_refused({{arc_entry::fifo, "fifo", "", 0644, -1}}, "unsupported entry type", "p.tar");
}

TEST_F(ArchiveTest, RefusesDuplicates) {
  expect_refused({file_entry("a", "1"), file_entry("a", "2")}, "duplicate entry");
  expect_refused({file_entry("a", "1"), dir_entry("a")}, "duplicate entry");
}

TEST_F(ArchiveTest, BoundsEntriesAndBytes) {
  std::vector<arc_entry> many;
  for (int i = 0; i < 11; ++i) many.push_back(file_entry("f" + std::to_string(i), "x"));
  expect_refused(many, "more than 10 entries", "p.tar.gz", {1 << 20, 10});
  many.pop_back();
  fs::remove_all(slot);
  fs::create_directories(slot);
  EXPECT_TRUE(unpack(many, "p.tar.gz", {1 << 20, 10}));

  fs::remove_all(slot);
  fs::create_directories(slot);
  expect_refused({file_entry("a", std::string(600, 'a')), file_entry("b", std::string(600, 'b'))}, "unpacked size exceeds 1000 bytes",
                 "p.tar.gz", {1000, 100});
  fs::remove_all(slot);
  fs::create_directories(slot);
  // A zip bomb in miniature: compresses to a few bytes, unpacks past the bound.
  expect_refused({file_entry("bomb", std::string(1 << 20, '\0'))}, "unpacked size exceeds", "p.zip", {4096, 100});
}

TEST_F(ArchiveTest, CorruptOrMislabelledArchivesFail) {
  write_text(t.path / "junk.tar.gz", std::string(1000, 'j'));
  auto r = unpack_archive(t.path / "junk.tar.gz", archive_kind::tar_gz, slot, {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, make_error_code(installer_errc::bad_package));
  // A real .tar.gz read as a zip.
  build_archive(t.path / "real.tar.gz", {file_entry("a", "b")});
  auto r2 = unpack_archive(t.path / "real.tar.gz", archive_kind::zip, slot, {});
  ASSERT_FALSE(r2);
  EXPECT_EQ(r2.error().code, make_error_code(installer_errc::bad_package));
  // Truncated.
  build_archive(t.path / "big.tar.gz", {file_entry("a", std::string(200000, 'q') + "tail")});
  auto full = read_text(t.path / "big.tar.gz");
  write_text(t.path / "cut.tar.gz", full.substr(0, full.size() / 2));
  auto r3 = unpack_archive(t.path / "cut.tar.gz", archive_kind::tar_gz, slot, {});
  ASSERT_FALSE(r3);
}

TEST_F(ArchiveTest, CopyKeepsNameAndExecBit) {
  write_text(t.path / "tool", "bin", true);
  ASSERT_TRUE(copy_package(t.path / "tool", slot, "app", {}));
  EXPECT_EQ(read_text(slot / "app"), "bin");
  EXPECT_EQ(fs::status(slot / "app").permissions() & fs::perms::owner_exec, fs::perms::owner_exec);
  EXPECT_FALSE(copy_package(t.path / "tool", slot, "../x", {}));
  EXPECT_FALSE(copy_package(t.path / "tool", slot, "..", {}));
  auto big = copy_package(t.path / "tool", slot, "b", {2, 10});
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().code, make_error_code(installer_errc::bad_package));
}

}  // namespace
}  // namespace converge::agent
