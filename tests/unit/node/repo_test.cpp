#include <gtest/gtest.h>
#include <sys/stat.h>

#include "base/bytes.hpp"
#include "base/rng.hpp"
#include "node/repo.hpp"
#include "temp_dir.hpp"

namespace converge::node {
namespace {

unsigned mode_of(const std::filesystem::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return st.st_mode & 07777;
}

init_options loopback() {
  init_options o;
  o.swarm = std::vector{*mf::multiaddr::parse("/ip4/127.0.0.1/tcp/0")};
  o.api = *mf::multiaddr::parse("/ip4/127.0.0.1/tcp/0");
  return o;
}

TEST(Repo, InitCreatesPrivateFilesAndOpens) {
  test::temp_dir d;
  deterministic_rng rng(1);
  auto r = repo::init(d.path(), loopback(), rng);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(mode_of(d.path()), 0700u);
  EXPECT_EQ(mode_of(d.path() / "config.json"), 0600u);
  EXPECT_EQ(mode_of(d.path() / "identity.key"), 0600u);
  EXPECT_EQ(mode_of(d.path() / "api_token"), 0600u);
  auto token = r->api_token();
  ASSERT_TRUE(token);
  EXPECT_EQ(token->size(), 64u);

  auto o = repo::open(d.path());
  ASSERT_TRUE(o) << o.error().message();
  EXPECT_EQ(o->config().peer_id, r->config().peer_id);
  EXPECT_EQ(*o->api_token(), *token);
  auto key = o->identity();
  ASSERT_TRUE(key);
  EXPECT_EQ(crypto::peer_id::from_public_key(key->public_key()), r->config().peer_id);
}

TEST(Repo, RefusesToOverwriteWithoutForce) {
  test::temp_dir d;
  deterministic_rng rng(2);
  auto first = repo::init(d.path(), loopback(), rng);
  ASSERT_TRUE(first);
  auto again = repo::init(d.path(), loopback(), rng);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, node_errc::repo_exists);
  auto o = loopback();
  o.force = true;
  auto forced = repo::init(d.path(), o, rng);
  ASSERT_TRUE(forced);
  EXPECT_NE(forced->config().peer_id, first->config().peer_id);
}

TEST(Repo, OpenMissingSaysHowToCreate) {
  test::temp_dir d;
  auto o = repo::open(d.path());
  ASSERT_FALSE(o);
  EXPECT_EQ(o.error().code, node_errc::no_repo);
  EXPECT_NE(o.error().detail.find("converge init"), std::string::npos);
}

TEST(Repo, RefusesSecretsReadableByOthers) {
  test::temp_dir d;
  deterministic_rng rng(3);
  ASSERT_TRUE(repo::init(d.path(), loopback(), rng));
  ::chmod((d.path() / "api_token").c_str(), 0644);
  auto o = repo::open(d.path());
  ASSERT_FALSE(o);
  EXPECT_NE(o.error().detail.find("chmod 600"), std::string::npos) << o.error().detail;
  ::chmod((d.path() / "api_token").c_str(), 0600);
  EXPECT_TRUE(repo::open(d.path()));
}

TEST(Repo, RefusesAKeyThatIsNotTheConfiguredPeer) {
  test::temp_dir a, b;
  deterministic_rng rng(4);
  ASSERT_TRUE(repo::init(a.path(), loopback(), rng));
  ASSERT_TRUE(repo::init(b.path(), loopback(), rng));
  std::filesystem::copy_file(b.path() / "identity.key", a.path() / "identity.key",
                             std::filesystem::copy_options::overwrite_existing);
  auto o = repo::open(a.path());
  ASSERT_FALSE(o);
  EXPECT_EQ(o.error().code, node_errc::invalid_config);
  EXPECT_NE(o.error().detail.find("holds the key of"), std::string::npos);
}

TEST(Repo, BrokenConfigIsReportedAndKept) {
  test::temp_dir d;
  deterministic_rng rng(5);
  ASSERT_TRUE(repo::init(d.path(), loopback(), rng));
  ASSERT_TRUE(write_file_atomic((d.path() / "config.json").string(), as_bytes("{\"identity\": 3}"), 0600));
  auto o = repo::open(d.path());
  ASSERT_FALSE(o);
  EXPECT_NE(o.error().message().find("config.identity"), std::string::npos);
  // Nothing was rewritten: the user's file is still there to fix.
  auto text = read_file((d.path() / "config.json").string());
  ASSERT_TRUE(text);
  EXPECT_EQ(std::string(as_chars(*text)), "{\"identity\": 3}");
}

TEST(Repo, LockIsExclusive) {
  test::temp_dir d;
  deterministic_rng rng(6);
  auto r = repo::init(d.path(), loopback(), rng);
  ASSERT_TRUE(r);
  {
    auto first = repo_lock::acquire(*r);
    ASSERT_TRUE(first);
    auto second = repo_lock::acquire(*r);
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error().code, node_errc::repo_locked);
  }
  EXPECT_TRUE(repo_lock::acquire(*r));
}

TEST(Repo, PathFromFlagEnvAndHome) {
  EXPECT_EQ(repo_path_from("/x/y"), std::filesystem::path("/x/y"));
  ::setenv("CONVERGE_PATH", "/from/env", 1);
  EXPECT_EQ(repo_path_from(""), std::filesystem::path("/from/env"));
  ::unsetenv("CONVERGE_PATH");
  ::setenv("HOME", "/home/someone", 1);
  EXPECT_EQ(repo_path_from(""), std::filesystem::path("/home/someone/.converge"));
}

}  // namespace
}  // namespace converge::node
