#include "trust/tuf_builder.hpp"

#include <gtest/gtest.h>

#include "trust/tuf_client.hpp"
#include "tuf_test_util.hpp"

using namespace converge;
using namespace converge::trust;
using namespace converge::trust::tuf;

TEST(tuf_builder, parse_then_write_preserves_the_signed_bytes) {
  auto a = test_util::signer(1), b = test_util::signer(2);
  std::vector<const ed25519_signer*> keys{a.get(), b.get()};
  auto root_json = test_util::root_signed(keys, 1);
  auto root = parse_root(test_util::signed_text(root_json, {a.get()})).value();
  EXPECT_EQ(signing_bytes(to_json(root.role)).value(), signing_bytes(root_json).value());

  targets_metadata t;
  t.common = {"1.0.31", 3, parse_expires("2031-05-06T07:08:09Z").value()};
  t.targets["app/linux.tar.zst"] = describe_target(as_bytes("payload"), {{"cid", "bafy"}});
  delegated_role d{"linux", {{b->key().keyid}, 1}, true, {"app/linux*"}, {}, false};
  t.delegations = delegation_set{{{b->key().keyid, b->key()}}, {d}};
  auto written = to_json(t);
  auto parsed = parse_targets(test_util::signed_text(written, {a.get()}));
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(signing_bytes(to_json(parsed->role)).value(), signing_bytes(written).value());
  EXPECT_EQ(parsed->role.targets.at("app/linux.tar.zst").hashes.size(), 2u);
  EXPECT_TRUE(check_length_and_hashes("t", as_bytes("payload"), 7, parsed->role.targets.at("app/linux.tar.zst").hashes));
  EXPECT_FALSE(check_length_and_hashes("t", as_bytes("payloaD"), 7, parsed->role.targets.at("app/linux.tar.zst").hashes));

  snapshot_metadata s;
  s.common = {"", 4, 1900000000};
  s.meta["targets.json"] = describe_meta(3, as_bytes("x"));
  auto sp = parse_snapshot(test_util::signed_text(to_json(s), {}));
  ASSERT_TRUE(sp) << sp.error().message();
  EXPECT_EQ(sp->role.common.spec_version, default_spec_version);
  timestamp_metadata ts;
  ts.common = {"1.0.31", 5, 1900000000};
  ts.snapshot = {4, std::nullopt, {}};
  auto tp = parse_timestamp(test_util::signed_text(to_json(ts), {}));
  ASSERT_TRUE(tp) << tp.error().message();
  EXPECT_EQ(tp->role.snapshot.version, 4u);
}
