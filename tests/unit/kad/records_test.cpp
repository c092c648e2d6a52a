#include <gtest/gtest.h>

#include "harness.hpp"
#include "kad/providers.hpp"
#include "kad/records.hpp"

namespace converge::kad {
namespace {

TEST(KadRecords, NamespaceOfAKey) {
  EXPECT_EQ(*key_namespace(as_bytes("/ipns/abc")), "ipns");
  EXPECT_FALSE(key_namespace(as_bytes("ipns/abc")));
  EXPECT_FALSE(key_namespace(as_bytes("//abc")));
  EXPECT_FALSE(key_namespace(as_bytes("/ipns")));
  EXPECT_FALSE(key_namespace(bytes{}));
}

TEST(KadRecords, PublicKeyValidator) {
  deterministic_rng r(3);
  auto k = *crypto::private_key::generate(crypto::key_type::ed25519, r);
  auto other = *crypto::private_key::generate(crypto::key_type::ed25519, r);
  auto id = crypto::peer_id::from_public_key(k.public_key());
  auto key = concat(as_bytes("/pk/"), id.to_bytes());
  auto reg = test::test_registry();
  wall_time now{};
  EXPECT_TRUE(reg->validate(key, k.public_key().to_protobuf(), now));
  EXPECT_EQ(reg->validate(key, other.public_key().to_protobuf(), now).error().code, kad_errc::invalid_record);
  EXPECT_FALSE(reg->validate(key, to_bytes("junk"), now));
  EXPECT_FALSE(reg->validate(as_bytes("/pk/xyz"), k.public_key().to_protobuf(), now));
}

TEST(KadRecords, MemoryStoreKeepsTheBestAndNeverServesInvalid) {
  auto reg = test::test_registry();
  memory_record_store s(reg, 2);
  wall_time now{};
  EXPECT_EQ(*s.put(as_bytes("/v/a"), as_bytes("seq:2"), now), put_outcome::stored);
  EXPECT_EQ(*s.put(as_bytes("/v/a"), as_bytes("seq:2"), now), put_outcome::unchanged);
  EXPECT_EQ(s.put(as_bytes("/v/a"), as_bytes("seq:1"), now).error().code, kad_errc::stale_record);
  EXPECT_EQ(*s.put(as_bytes("/v/a"), as_bytes("seq:3"), now), put_outcome::stored);
  EXPECT_EQ(**s.get(as_bytes("/v/a"), now), to_bytes("seq:3"));
  EXPECT_FALSE(s.put(as_bytes("/v/a"), as_bytes("bad"), now));
  EXPECT_EQ(**s.get(as_bytes("/v/a"), now), to_bytes("seq:3"));
  EXPECT_TRUE(s.put(as_bytes("/v/b"), as_bytes("seq:1"), now));
  EXPECT_EQ(s.put(as_bytes("/v/c"), as_bytes("seq:1"), now).error().code, kad_errc::store_failed);
  EXPECT_FALSE(*s.get(as_bytes("/v/none"), now));
}

TEST(KadProviders, TtlAndBounds) {
  deterministic_rng r(4);
  provider_options o;
  o.max_keys = 2;
  o.max_per_key = 2;
  provider_store s(o);
  instant t0{std::chrono::hours{1}};
  auto a = test::make_peer(r), b = test::make_peer(r), c = test::make_peer(r);
  EXPECT_TRUE(s.add(as_bytes("k1"), peer_info{a, {}, {}}, t0));
  EXPECT_TRUE(s.add(as_bytes("k1"), peer_info{b, {}, {}}, t0 + 1h));
  EXPECT_TRUE(s.add(as_bytes("k1"), peer_info{c, {}, {}}, t0 + 2h));  // a (soonest to expire) makes room
  auto got = s.get(as_bytes("k1"), t0 + 2h);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].id, c);
  EXPECT_EQ(got[1].id, b);
  EXPECT_TRUE(s.add(as_bytes("k2"), peer_info{a, {}, {}}, t0));
  EXPECT_FALSE(s.add(as_bytes("k3"), peer_info{a, {}, {}}, t0));
  // 48 h TTL: b expires at t0+49h, c at t0+50h.
  EXPECT_EQ(s.get(as_bytes("k1"), t0 + 49h).size(), 1u);
  EXPECT_EQ(s.expire(t0 + 49h), 2u);  // b, and a under k2
  EXPECT_EQ(s.keys(), 1u);
  EXPECT_EQ(s.expire(t0 + 50h), 1u);
  EXPECT_EQ(s.keys(), 0u);
}

}  // namespace
}  // namespace converge::kad
