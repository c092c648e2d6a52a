// The agent's SQLite store: schema, persistence, atomic transitions, bounded
// history, and clear errors for corrupt or newer files.
#include <sqlite3.h>

#include <fstream>

#include <gtest/gtest.h>

#include "agent/store.hpp"
#include "agent_harness.hpp"

namespace converge::agent::test {
namespace {

attempt_record sample_attempt() {
  attempt_record a;
  a.release_hash = "abcd";
  a.ph = phase::downloaded;
  a.retry_from = phase::staged;
  a.bundle = to_bytes("bundle bytes");
  a.via = heard_via::dnslink;
  a.sequence = 9;
  a.semver = "2.0.0";
  a.plan = "{}";
  a.attempts = 2;
  a.next_attempt_at = 1234;
  a.last_error = "disk full";
  a.bytes_fetched = 77;
  a.fetched_as = "delta";
  a.avoid_delta = true;
  a.fetched_path = "/f";
  a.package_path = "/p";
  a.created_at = 5;
  a.updated_at = 6;
  return a;
}

TEST(AgentStore, RoundTripsEveryTableAcrossReopen) {
  temp_dir d;
  auto file = d.path() / "agent.db";
  {
    auto s = store::open(file);
    ASSERT_TRUE(s) << s.error().message();
    EXPECT_FALSE(*(*s)->salt());
    EXPECT_FALSE(*(*s)->installed());
    EXPECT_FALSE(*(*s)->attempt());
    ASSERT_TRUE((*s)->set_salt(to_bytes("0123456789abcdef")));
    installed_release r{"h1", "stable", 3, "1.3.0", "stable/a", "ff", "bafy", "/pkg", heard_via::ipns, "full", 10, 1, 2};
    ASSERT_TRUE((*s)->commit({.attempt = sample_attempt(), .installed = r, .mark_bad = {{"h0", "rolled back"}},
                              .events = {{1, "installed", "h1", "x"}}}));
  }
  auto s = store::open(file);
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_EQ(**(*s)->salt(), to_bytes("0123456789abcdef"));
  auto inst = *(*s)->installed();
  ASSERT_TRUE(inst);
  EXPECT_EQ(inst->semver, "1.3.0");
  EXPECT_EQ(inst->via, heard_via::ipns);
  EXPECT_EQ(inst->installed_at, 2);
  auto a = *(*s)->attempt();
  ASSERT_TRUE(a);
  auto want = sample_attempt();
  EXPECT_EQ(a->release_hash, want.release_hash);
  EXPECT_EQ(a->ph, phase::downloaded);
  EXPECT_EQ(a->retry_from, phase::staged);
  EXPECT_EQ(a->bundle, want.bundle);
  EXPECT_EQ(a->via, heard_via::dnslink);
  EXPECT_EQ(a->next_attempt_at, 1234);
  EXPECT_TRUE(a->avoid_delta);
  EXPECT_EQ(a->fetched_as, "delta");
  EXPECT_TRUE(*(*s)->is_bad("h0"));
  EXPECT_FALSE(*(*s)->is_bad("h1"));
  ASSERT_TRUE((*s)->commit({.clear_attempt = true}));
  EXPECT_FALSE(*(*s)->attempt());
}

TEST(AgentStore, HistoryIsBoundedAndNewestLast) {
  temp_dir d;
  auto s = store::open(d.path() / "agent.db", 5);
  ASSERT_TRUE(s);
  for (int i = 0; i < 12; ++i) ASSERT_TRUE((*s)->commit({.events = {{i, "e" + std::to_string(i), "", ""}}}));
  auto h = (*s)->history(100);
  ASSERT_TRUE(h);
  ASSERT_EQ(h->size(), 5u);
  EXPECT_EQ(h->front().kind, "e7");
  EXPECT_EQ(h->back().kind, "e11");
  EXPECT_EQ((*s)->history(2)->front().kind, "e10");
}

TEST(AgentStore, UsesWalAndFullSync) {
  temp_dir d;
  auto s = store::open(d.path() / "agent.db");
  ASSERT_TRUE(s);
  ASSERT_TRUE((*s)->commit({.events = {{1, "x", "", ""}}}));
  EXPECT_TRUE(std::filesystem::exists(d.path() / "agent.db-wal"));
}

TEST(AgentStore, GarbageFileIsAClearCorruptionError) {
  temp_dir d;
  auto file = d.path() / "agent.db";
  std::ofstream(file) << std::string(8192, 'x');
  auto s = store::open(file);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, agent_errc::store_corrupt);
  EXPECT_NE(s.error().detail.find(file.string()), std::string::npos) << s.error().detail;
  EXPECT_NE(s.error().detail.find("move the file aside"), std::string::npos) << s.error().detail;
}

TEST(AgentStore, TornFileIsAClearCorruptionError) {
  temp_dir d;
  auto file = d.path() / "agent.db";
  {
    auto s = store::open(file);
    ASSERT_TRUE(s);
    for (int i = 0; i < 200; ++i)
      ASSERT_TRUE((*s)->commit({.events = {{i, std::string(200, 'k'), "", ""}}}));
  }
  // Checkpointed into the main file; now damage its pages past the header.
  auto size = std::filesystem::file_size(file);
  ASSERT_GT(size, 8192u);
  {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(4096);
    std::string junk(size - 4096, '\xA5');
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  std::filesystem::remove(d.path() / "agent.db-wal");
  auto s = store::open(file);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, agent_errc::store_corrupt) << s.error().message();
}

TEST(AgentStore, NewerSchemaIsRefused) {
  temp_dir d;
  auto file = d.path() / "agent.db";
  {
    auto s = store::open(file);
    ASSERT_TRUE(s);
  }
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }
  auto s = store::open(file);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, agent_errc::store_version);
  EXPECT_NE(s.error().detail.find("schema version 99"), std::string::npos);
}

TEST(AgentStore, MissingDirectoryIsAnError) {
  auto s = store::open("/nonexistent-dir/agent.db");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, agent_errc::store_failed);
}

TEST(AgentCore, CorruptStoreFailsTheOpenClearly) {
  temp_dir d;
  std::ofstream(d.path() / "agent.db") << "not a database at all, just text that is long enough to have a header";
  auto s = store::open(d.path() / "agent.db");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, agent_errc::store_corrupt);
}

}  // namespace
}  // namespace converge::agent::test
