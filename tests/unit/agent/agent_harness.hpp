#pragma once
// Test support for the agent core: a temp directory holding agent.db, a
// seeded rng, virtual wall time, releases built in memory (the trust layer's
// verification is the driver's job, so tests hand the core verified releases
// directly), and a scripted driver that answers actions.
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <gtest/gtest.h>

#include "agent/core.hpp"
#include "base/rng.hpp"

namespace converge::agent::test {

class temp_dir {
 public:
  temp_dir() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("converge-agent-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline wall_time at_unix(std::int64_t s) { return wall_time{std::chrono::seconds{s}}; }
// 2027-01-15 00:00:00 UTC: a midnight, so windows are easy to reason about.
inline constexpr std::int64_t t0 = 1'800'000'000 - (1'800'000'000 % 86400);

inline agent_config test_config() {
  agent_config c;
  c.channel = "stable";
  c.root = "/nonexistent/root.json";
  c.os = "linux";
  c.arch = "x86_64";
  c.os_version = "12";
  c.retry_initial = std::chrono::seconds{30};
  c.retry_max = std::chrono::seconds{3600};
  return c;
}

// A release for linux/x86_64 with one full artifact; deltas from each base semver given.
inline verified_release make_release(std::uint64_t seq, std::vector<std::string> delta_bases = {},
                                     std::string hash_tag = "") {
  verified_release v;
  v.rel.channel = "stable";
  v.rel.semver = "1." + std::to_string(seq) + ".0";
  v.rel.sequence = seq;
  trust::artifact a;
  a.path = "stable/app-linux-x86_64.tar";
  a.length = 1000 + seq;
  a.sha256 = bytes(32, static_cast<std::uint8_t>(seq));
  a.platform = {"linux", "x86_64", ""};
  a.cid = "bafyfull" + std::to_string(seq);
  for (const auto& b : delta_bases)
    a.deltas.push_back({b, "", "converge-zip-v1", "bafydelta" + b + "-" + std::to_string(seq), 100, bytes(32, 9)});
  v.rel.artifacts = {a};
  v.for_device = {a};
  v.release_hash = trust::sha256_hex("release-" + std::to_string(seq) + hash_tag);
  return v;
}

template <class A>
std::vector<A> only(const std::vector<action>& acts) {
  std::vector<A> out;
  for (const auto& a : acts)
    if (auto* p = std::get_if<A>(&a)) out.push_back(*p);
  return out;
}

struct harness {
  temp_dir dir;
  agent_config cfg = test_config();
  deterministic_rng rng{42};
  wall_time now = at_unix(t0 + 3 * 3600);  // 03:00 UTC
  std::optional<core> c;
  std::vector<action> last;  // actions taken by the last call to acts()

  harness() { open(); }
  void open() {
    auto db = store::open(dir.path() / "agent.db");
    ASSERT_TRUE(db) << db.error().message();
    auto r = core::open(cfg, std::move(*db), rng, now);
    ASSERT_TRUE(r) << r.error().message();
    c.emplace(std::move(*r));
  }
  // Simulates a crash: the core goes away without any further write; a new one opens the same DB.
  void crash() {
    c.reset();
    open();
  }
  std::vector<action>& acts() {
    last = c->take_actions();
    return last;
  }
  template <class A>
  A one() {
    auto v = only<A>(acts());
    EXPECT_EQ(v.size(), 1u) << "expected exactly one " << typeid(A).name() << " among " << last.size() << " actions";
    return v.empty() ? A{} : v.front();
  }
  void advance(std::chrono::seconds d) { now += d; }

  // Hears and verifies v (gossip), the core then asks for a fetch.
  void hear(const verified_release& v, heard_via via = heard_via::gossip) {
    c->on_announce(to_bytes("bundle of " + v.release_hash), via, now);
    (void)one<verify_action>();
    c->on_verified(v, via, now);
  }
  // Carries the pending release through fetch, stage and install.
  void complete(const std::string& hash) {
    auto f = one<fetch_action>();
    ASSERT_EQ(f.release_hash, hash);
    c->on_fetched(hash, dir.path() / "fetched", now);
    (void)one<stage_action>();
    c->on_staged(hash, dir.path() / ("pkg-" + hash.substr(0, 8)), now);
    (void)one<install_action>();
    c->on_install_result(hash, {install_result::installed, false, false, ""}, now);
  }
};

}  // namespace converge::agent::test
