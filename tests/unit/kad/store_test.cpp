#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "harness.hpp"
#include "kad/release_validator.hpp"
#include "kad/sqlite_store.hpp"

namespace converge::kad {
namespace {

namespace fs = std::filesystem;

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("converge-kad-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

// A stand-in for release_client::verify_bundle: "bundle:<channel>:<seq>" is
// trusted, anything else refused; "revoked" bundles are refused too.
result<verified_release> fake_verify(bytes_view b, wall_time) {
  auto s = std::string(as_chars(b));
  if (!s.starts_with("bundle:") || s.find("revoked") != std::string::npos)
    return fail(kad_errc::invalid_record, "signature check failed");
  auto c = s.find(':', 7);
  if (c == std::string::npos) return fail(kad_errc::invalid_record, "no sequence");
  return verified_release{s.substr(7, c - 7), std::stoull(s.substr(c + 1))};
}

std::shared_ptr<validator_registry> registry() {
  auto reg = test::test_registry();
  reg->add(std::string(release_namespace), std::make_shared<release_bundle_validator>(fake_verify, 64));
  return reg;
}

TEST(KadSqliteStore, KeepsTheBestAndSurvivesRestart) {
  TempDir dir;
  auto file = dir.path / "records.db";
  auto reg = registry();
  wall_time now{};
  {
    auto s = sqlite_record_store::open(file, reg);
    ASSERT_TRUE(s) << s.error().message();
    EXPECT_EQ(*(*s)->put(as_bytes("/v/a"), as_bytes("seq:4"), now), put_outcome::stored);
    EXPECT_EQ(*(*s)->put(as_bytes("/v/a"), as_bytes("seq:4"), now), put_outcome::unchanged);
    EXPECT_EQ((*s)->put(as_bytes("/v/a"), as_bytes("seq:3"), now).error().code, kad_errc::stale_record);
    EXPECT_EQ((*s)->put(as_bytes("/v/a"), as_bytes("junk"), now).error().code, kad_errc::invalid_record);
    EXPECT_EQ((*s)->put(as_bytes("/nope/a"), as_bytes("seq:1"), now).error().code, kad_errc::unknown_namespace);
    EXPECT_EQ((*s)->put(as_bytes("/v/b"), as_bytes("seq:" + std::string(70, '9')), now).error().code,
              kad_errc::record_too_large);
    EXPECT_EQ(**(*s)->get(as_bytes("/v/a"), now), to_bytes("seq:4"));
  }
  // Reopened: the record is there, and the lower sequence is still refused.
  auto s = sqlite_record_store::open(file, reg);
  ASSERT_TRUE(s);
  EXPECT_EQ(**(*s)->get(as_bytes("/v/a"), now), to_bytes("seq:4"));
  EXPECT_EQ((*s)->put(as_bytes("/v/a"), as_bytes("seq:2"), now).error().code, kad_errc::stale_record);
  EXPECT_EQ(*(*s)->count(), 1u);
  EXPECT_FALSE(*(*s)->get(as_bytes("/v/none"), now));
}

TEST(KadSqliteStore, CountBoundAndRecordsThatBecameInvalid) {
  TempDir dir;
  auto reg = registry();
  wall_time now{};
  auto s = sqlite_record_store::open(dir.path / "r.db", reg, 2);
  ASSERT_TRUE(s);
  ASSERT_TRUE((*s)->put(as_bytes("/v/a"), as_bytes("seq:1"), now));
  ASSERT_TRUE((*s)->put(as_bytes("/v/b"), as_bytes("seq:1"), now));
  EXPECT_EQ((*s)->put(as_bytes("/v/c"), as_bytes("seq:1"), now).error().code, kad_errc::store_failed);
  EXPECT_TRUE((*s)->put(as_bytes("/v/a"), as_bytes("seq:2"), now));  // replacing is fine when full
  // A validator that no longer accepts the stored value: it is not served, and any valid value replaces it.
  auto strict = std::make_shared<validator_registry>();
  struct none final : validator {
    result<void> validate(bytes_view, bytes_view v, wall_time) const override {
      if (as_chars(v) != "seq:9") return fail(kad_errc::invalid_record, "only seq:9");
      return ok();
    }
    std::size_t select(bytes_view, std::span<const bytes>) const override { return 0; }
    std::size_t max_value_size() const override { return 64; }
  };
  strict->add("v", std::make_shared<none>());
  s->reset();
  auto again = sqlite_record_store::open(dir.path / "r.db", strict, 2);
  ASSERT_TRUE(again);
  EXPECT_FALSE(*(*again)->get(as_bytes("/v/a"), now));
  EXPECT_EQ(*(*again)->put(as_bytes("/v/a"), as_bytes("seq:9"), now), put_outcome::stored);
}

TEST(KadSqliteStore, CorruptFileIsAnErrorNotACrash) {
  TempDir dir;
  auto file = dir.path / "bad.db";
  std::ofstream(file) << std::string(4096, 'x');
  auto s = sqlite_record_store::open(file, registry());
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, kad_errc::store_failed);
  EXPECT_FALSE(sqlite_record_store::open(dir.path / "missing-dir" / "x.db", registry()));
}

TEST(KadReleaseValidator, SignedBundlesOnlyHighestSequenceWins) {
  auto reg = registry();
  wall_time now{};
  auto key = *release_key("stable");
  EXPECT_EQ(as_chars(key), "/unimaker/version/stable");
  EXPECT_FALSE(release_key(""));
  EXPECT_FALSE(release_key("Stable/x"));
  EXPECT_TRUE(reg->validate(key, as_bytes("bundle:stable:3"), now));
  EXPECT_EQ(reg->validate(key, as_bytes("unsigned"), now).error().code, kad_errc::invalid_record);
  EXPECT_EQ(reg->validate(key, as_bytes("bundle:stable:3:revoked"), now).error().code, kad_errc::invalid_record);
  EXPECT_EQ(reg->validate(key, as_bytes("bundle:beta:3"), now).error().code, kad_errc::invalid_record);
  EXPECT_EQ(reg->validate(as_bytes("/unimaker/other/stable"), as_bytes("bundle:stable:3"), now).error().code,
            kad_errc::invalid_record);
  EXPECT_EQ(reg->validate(key, bytes(65, 'b'), now).error().code, kad_errc::record_too_large);
  std::vector<bytes> vals{to_bytes("bundle:stable:3"), to_bytes("bundle:stable:9"), to_bytes("bundle:stable:5")};
  EXPECT_EQ(*reg->select(key, vals), 1u);

  TempDir dir;
  auto s = sqlite_record_store::open(dir.path / "r.db", reg);
  ASSERT_TRUE(s);
  ASSERT_TRUE((*s)->put(key, as_bytes("bundle:stable:5"), now));
  EXPECT_EQ((*s)->put(key, as_bytes("bundle:stable:4"), now).error().code, kad_errc::stale_record);
  EXPECT_EQ(*(*s)->put(key, as_bytes("bundle:stable:6"), now), put_outcome::stored);
  EXPECT_EQ(**(*s)->get(key, now), to_bytes("bundle:stable:6"));
}

TEST(KadSqliteStore, BacksADhtNode) {
  TempDir dir;
  manual_clock clock;
  deterministic_rng r(1);
  auto reg = registry();
  auto store = sqlite_record_store::open(dir.path / "r.db", reg);
  ASSERT_TRUE(store);
  std::shared_ptr<record_store> shared = std::move(*store);
  dht d(test::make_peer(r), reg, shared, clock, r, dht_options{}, clock.now());
  message put;
  put.type = message_type::put_value;
  put.key = *release_key("stable");
  put.rec = record{put.key, to_bytes("bundle:stable:2"), {}};
  ASSERT_TRUE(d.handle_request(test::make_peer(r), encode_message(put), clock.now()));
  put.rec->value = to_bytes("bundle:stable:2:revoked");
  EXPECT_FALSE(d.handle_request(test::make_peer(r), encode_message(put), clock.now()));
  message get;
  get.type = message_type::get_value;
  get.key = put.key;
  auto resp = decode_message(**d.handle_request(test::make_peer(r), encode_message(get), clock.now()));
  ASSERT_TRUE(resp && resp->rec);
  EXPECT_EQ(resp->rec->value, to_bytes("bundle:stable:2"));
}

}  // namespace
}  // namespace converge::kad
