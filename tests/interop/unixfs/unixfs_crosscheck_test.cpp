// Root CIDs of converge's importer against ipfs-unixfs-importer's for the
// same bytes and settings (vectors made by interop/helia/unixfs-cids.mjs).
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "unixfs/importer.hpp"

namespace converge::unixfs {
namespace {

bytes content(std::size_t n) {
  bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(((i * 7) ^ (i >> 9)) & 0xff);
  return b;
}

nlohmann::json load() {
  const char* path = std::getenv("CONVERGE_JS_UNIXFS");
  if (!path) return {};
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

result<void> discard(const mf::cid&, bytes_view) { return ok(); }

TEST(UnixfsInterop, FileCidsEqualIpfsUnixfsImporter) {
  auto j = load();
  if (j.is_null()) GTEST_SKIP() << "CONVERGE_JS_UNIXFS not set";
  std::size_t checked = 0;
  for (const auto& c : j["files"]) {
    import_options o;
    o.chunk_size = c["chunk"].get<std::size_t>();
    o.max_children = c["fanout"].get<std::size_t>();
    o.raw_leaves = c["raw_leaves"].get<bool>();
    o.cid_version = c["cid_version"].get<unsigned>();
    auto size = c["size"].get<std::size_t>();
    auto r = import_bytes(content(size), o, discard);
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(r->cid.to_string(), c["cid"].get<std::string>())
        << "size " << size << " chunk " << o.chunk_size << " fanout " << o.max_children << " raw " << o.raw_leaves << " v" << o.cid_version;
    EXPECT_EQ(r->file_size, size);
    ++checked;
  }
  EXPECT_GE(checked, 100u);
  std::cout << "compared " << checked << " file CIDs with ipfs-unixfs-importer\n";
}

TEST(UnixfsInterop, DirectoryCidsEqualIpfsUnixfsImporter) {
  auto j = load();
  if (j.is_null()) GTEST_SKIP() << "CONVERGE_JS_UNIXFS not set";
  for (const auto& d : j["dirs"]) {
    import_options o;
    o.raw_leaves = d["raw_leaves"].get<bool>();
    o.cid_version = d["cid_version"].get<unsigned>();
    auto file = [&](std::size_t n) { return import_bytes(content(n), o, discard).value(); };
    auto a = file(1000), empty = file(0), b = file(3 * 262144 + 1), c = file(5);
    auto sub = build_directory({{"c", c}, {"b.bin", b}}, o, discard).value();
    auto root = build_directory({{"sub", sub}, {"empty", empty}, {"a.txt", a}}, o, discard).value();
    const auto& want = d["cids"];
    EXPECT_EQ(a.cid.to_string(), want["d/a.txt"].get<std::string>());
    EXPECT_EQ(b.cid.to_string(), want["d/sub/b.bin"].get<std::string>());
    EXPECT_EQ(sub.cid.to_string(), want["d/sub"].get<std::string>());
    EXPECT_EQ(root.cid.to_string(), want["d"].get<std::string>());
  }
}

}  // namespace
}  // namespace converge::unixfs
