// The node's trusted roots per channel and the DHT bundle verifier over them.
#include <gtest/gtest.h>

#include <filesystem>

#include "../trust/release_test_util.hpp"
#include "base/bytes.hpp"
#include "base/rng.hpp"
#include "crypto/keys.hpp"
#include "node/trust_roots.hpp"

namespace converge::node {
namespace {

using trust::test_util::at;

node_config config_with(nlohmann::json trust, nlohmann::json update = nullptr) {
  deterministic_rng rng(7);
  auto key = crypto::private_key::generate(crypto::key_type::ed25519, rng);
  auto c = default_config(crypto::peer_id::from_public_key(key->public_key()));
  if (!trust.is_null()) c.services["trust"] = std::move(trust);
  if (!update.is_null()) c.services["update"] = std::move(update);
  return c;
}

struct TrustRoots : ::testing::Test {
  void SetUp() override {
    dir = std::filesystem::temp_directory_path() / ("converge-trust-roots-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    ASSERT_TRUE(write_file_atomic((dir / "stable.json").string(), as_bytes(pub.root_text), 0644));
  }
  void TearDown() override { std::filesystem::remove_all(dir); }
  trust::test_util::publisher pub;
  std::filesystem::path dir;
};

TEST_F(TrustRoots, NoneConfiguredMeansNoVerifier) {
  auto roots = load_trusted_roots(config_with(nullptr), dir);
  ASSERT_TRUE(roots);
  EXPECT_TRUE(roots->empty());
  EXPECT_FALSE(make_bundle_verifier(std::make_shared<const trusted_roots>(*roots)));
}

TEST_F(TrustRoots, VerifierAcceptsTheChannelsBundlesOnly) {
  auto roots = load_trusted_roots(config_with({{"channels", {{"stable", {{"root", "stable.json"}}}}}}), dir);
  ASSERT_TRUE(roots) << roots.error().message();
  auto verify = make_bundle_verifier(std::make_shared<const trusted_roots>(*roots));
  ASSERT_TRUE(verify);
  const auto now = at("2026-06-01T00:00:00Z");
  auto ok = verify(pub.good_bundle(pub.make_release(4, "1.3.0", std::string(64, 'b'))), now);
  ASSERT_TRUE(ok) << ok.error().message();
  EXPECT_EQ(ok->channel, "stable");
  EXPECT_EQ(ok->sequence, 4u);
  auto other = verify(pub.good_bundle(pub.make_release(1, "1.0.0", "", "beta")), now);
  ASSERT_FALSE(other);
  EXPECT_NE(other.error().detail.find("no trusted root for channel \"beta\""), std::string::npos);
  // The same release signed by other keys does not verify under the trusted root.
  trust::test_util::publisher stranger;
  stranger.keys.clear();
  for (std::uint8_t i = 11; i <= 20; ++i) stranger.keys.push_back(trust::tuf::test_util::signer(i));
  for (const char* r : {"root", "targets", "snapshot", "timestamp", "revocation"}) stranger.roles[r] = {stranger.first(5), 3};
  stranger.root_text = stranger.sign(stranger.root_json(1), stranger.first(3));
  auto forged = verify(stranger.good_bundle(stranger.make_release(5, "1.4.0")), now);
  ASSERT_FALSE(forged);
}

TEST_F(TrustRoots, TheAgentsChannelIsTrustedToo) {
  auto roots = load_trusted_roots(config_with(nullptr, {{"channel", "stable"}, {"root", (dir / "stable.json").string()}}), dir);
  ASSERT_TRUE(roots);
  EXPECT_EQ(roots->count("stable"), 1u);
}

TEST_F(TrustRoots, ErrorsNameTheField) {
  auto e1 = load_trusted_roots(config_with({{"channels", {{"stable", {{"root", "missing.json"}}}}}}), dir);
  ASSERT_FALSE(e1);
  EXPECT_NE(e1.error().detail.find("config.trust.channels.stable.root: reading"), std::string::npos) << e1.error().detail;
  auto e2 = load_trusted_roots(config_with({{"chanels", {}}}), dir);
  ASSERT_FALSE(e2);
  EXPECT_NE(e2.error().detail.find("config.trust.chanels: unknown field"), std::string::npos);
  auto e3 = load_trusted_roots(config_with({{"channels", {{"Bad Name", {{"root", "stable.json"}}}}}}), dir);
  ASSERT_FALSE(e3);
  EXPECT_NE(e3.error().detail.find("not a valid channel name"), std::string::npos);
}

}  // namespace
}  // namespace converge::node
