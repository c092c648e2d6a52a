// check_bundle: what a relay can verify with a root and no device history.
#include <gtest/gtest.h>

#include "release_test_util.hpp"
#include "trust/bundle_check.hpp"

using namespace converge;
using namespace converge::trust;
using namespace converge::trust::test_util;

namespace {

const wall_time now = at("2026-06-01T00:00:00Z");

TEST(bundle_check, accepts_a_good_bundle_for_any_platform) {
  publisher pub;
  auto r = pub.make_release(3, "1.2.0", std::string(64, 'a'));
  auto out = check_bundle(pub.root_text, pub.good_bundle(r), now);
  ASSERT_TRUE(out) << out.error().message();
  EXPECT_EQ(out->rel.sequence, 3u);
  EXPECT_EQ(out->rel.artifacts.size(), 2u);
  EXPECT_EQ(out->release_hash.size(), 64u);
}

TEST(bundle_check, refuses_too_few_signatures) {
  publisher pub;
  auto r = pub.make_release(1, "1.0.0");
  auto b = pub.bundle(pub.targets_text(r, pub.first(2)), 1, 1, pub.first(3), pub.first(3));
  auto out = check_bundle(pub.root_text, encode_bundle(b).value(), now);
  ASSERT_FALSE(out);
  EXPECT_NE(out.error().message().find("targets"), std::string::npos) << out.error().message();
}

TEST(bundle_check, refuses_an_expired_timestamp_and_garbage) {
  publisher pub;
  auto b = pub.good_bundle(pub.make_release(1, "1.0.0"));
  EXPECT_FALSE(check_bundle(pub.root_text, b, at("2027-06-01T00:00:00Z")));
  const std::string junk = "{\"format\": 1}";
  EXPECT_FALSE(check_bundle(pub.root_text, as_bytes(junk), now));
  EXPECT_FALSE(check_bundle("not a root", b, now));
}

TEST(bundle_check, follows_root_rotations_in_the_bundle) {
  publisher pub;
  const std::string shipped = pub.root_text;
  pub.roles["targets"] = {pub.first(3, 5), 2};
  pub.rotate(pub.first(3));
  auto r = pub.make_release(1, "1.0.0");
  auto b = pub.bundle(pub.targets_text(r, pub.first(2, 5)), 1, 1, pub.first(3), pub.first(3));
  auto out = check_bundle(shipped, encode_bundle(b).value(), now);
  ASSERT_TRUE(out) << out.error().message();
}

TEST(bundle_check, refuses_a_release_its_revocation_list_names) {
  publisher pub;
  auto r = pub.make_release(1, "1.0.0");
  auto b = pub.bundle(pub.targets_text(r, pub.first(3)), 1, 1, pub.first(3), pub.first(3));
  b.revocation = pub.revocation_text(1, {{"stable", {0, {"1.0.0"}, {}}}}, pub.first(3));
  auto out = check_bundle(pub.root_text, encode_bundle(b).value(), now);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().code, make_error_code(trust_errc::revoked));
}

}  // namespace
