#include <gtest/gtest.h>

#include <filesystem>

#include "base/rng.hpp"
#include "ipns/cbor.hpp"
#include "ipns/ipns.pb.h"
#include "ipns/record.hpp"
#include "ipns/validator.hpp"
#include "kad/sqlite_store.hpp"

namespace converge::ipns {
namespace {

using namespace std::chrono;
namespace fs = std::filesystem;

const wall_time t0 = sys_days{year{2026} / 11 / 25} + 3h;
const bytes path = to_bytes("/ipfs/bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy");

crypto::private_key key(crypto::key_type t = crypto::key_type::ed25519, std::uint64_t seed = 1) {
  deterministic_rng r(seed);
  return *crypto::private_key::generate(t, r);
}
crypto::peer_id name_of(const crypto::private_key& k) { return crypto::peer_id::from_public_key(k.public_key()); }

TEST(DagCbor, RoundTripAndCanonicalOrder) {
  cbor::map m;
  m.emplace("Validity", to_bytes("x"));
  m.emplace("TTL", std::uint64_t{300});
  m.emplace("Sequence", std::uint64_t{1});
  m.emplace("Value", to_bytes("v"));
  m.emplace("ValidityType", std::uint64_t{0});
  m.emplace("note", std::string("héllo"));
  auto enc = cbor::encode_map(m);
  auto back = cbor::decode_map(enc);
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(*back, m);
  std::vector<std::string> order;
  for (auto& [k, v] : *back) order.push_back(k);
  EXPECT_EQ(order, (std::vector<std::string>{"TTL", "note", "Value", "Sequence", "Validity", "ValidityType"}));
}

TEST(DagCbor, RefusesNonCanonicalInput) {
  auto bad = [](bytes b) { return cbor::decode_map(b).error().code == ipns_errc::malformed_cbor; };
  // {"b":1,"a":2}: out of order.
  EXPECT_TRUE(bad({0xa2, 0x61, 'b', 0x01, 0x61, 'a', 0x02}));
  // {"aa":1,"b":2}: bytewise order but not length-first.
  EXPECT_TRUE(bad({0xa2, 0x62, 'a', 'a', 0x01, 0x61, 'b', 0x02}));
  // duplicate key.
  EXPECT_TRUE(bad({0xa2, 0x61, 'a', 0x01, 0x61, 'a', 0x02}));
  // 1 encoded in two bytes.
  EXPECT_TRUE(bad({0xa1, 0x61, 'a', 0x18, 0x01}));
  // 256 encoded in four bytes.
  EXPECT_TRUE(bad({0xa1, 0x61, 'a', 0x1a, 0x00, 0x00, 0x01, 0x00}));
  // indefinite-length map.
  EXPECT_TRUE(bad({0xbf, 0x61, 'a', 0x01, 0xff}));
  // trailing byte, truncated, not a map, float value, tag, negative int.
  EXPECT_TRUE(bad({0xa1, 0x61, 'a', 0x01, 0x00}));
  EXPECT_TRUE(bad({0xa1, 0x61, 'a'}));
  EXPECT_TRUE(bad({0x81, 0x01}));
  EXPECT_TRUE(bad({0xa1, 0x61, 'a', 0xf9, 0x3c, 0x00}));
  EXPECT_TRUE(bad({0xa1, 0x61, 'a', 0xd8, 0x2a, 0x01}));
  EXPECT_TRUE(bad({0xa1, 0x61, 'a', 0x20}));
  // invalid UTF-8 key and value; a byte-string key.
  EXPECT_TRUE(bad({0xa1, 0x61, 0xff, 0x01}));
  EXPECT_TRUE(bad({0xa1, 0x61, 'a', 0x61, 0xc0}));
  EXPECT_TRUE(bad({0xa1, 0x41, 'a', 0x01}));
  // a length past the input.
  EXPECT_TRUE(bad({0xa1, 0x61, 'a', 0x5a, 0xff, 0xff, 0xff, 0xff}));
  // too many entries, too large.
  EXPECT_TRUE(bad({0xb8, 0x41}));
  EXPECT_TRUE(bad(bytes(cbor::max_input + 1, 0xa0)));
  EXPECT_TRUE(cbor::decode_map(bytes{0xa0}));
}

TEST(Rfc3339, FormatsAndParses) {
  auto t = t0 + 123456789ns;
  EXPECT_EQ(format_rfc3339(t), "2026-11-25T03:00:00.123456789Z");
  EXPECT_EQ(*parse_rfc3339("2026-11-25T03:00:00.123456789Z"), t);
  EXPECT_EQ(*parse_rfc3339("2026-11-25T03:00:00Z"), t0);
  EXPECT_EQ(*parse_rfc3339("2026-11-25T05:30:00.5+02:30"), t0 + 500ms);
  // Beyond what nanoseconds since 1970 hold: clamped, never overflowed (found by fuzzing).
  EXPECT_EQ(*parse_rfc3339("9999-12-31T23:59:59Z"), wall_time::max());
  EXPECT_EQ(*parse_rfc3339("0001-01-01T00:00:00Z"), wall_time::min());
  for (auto s : {"2026-11-25", "2026-13-25T03:00:00Z", "2026-02-30T03:00:00Z", "2026-11-25T03:00:00",
                 "2026-11-25T03:00:00.Z", "2026-11-25T03:00:00.1234567891Z", "2026-11-25T03:00:00Zx",
                 "2026-11-25T24:00:00Z", "x026-11-25T03:00:00Z"})
    EXPECT_FALSE(parse_rfc3339(s)) << s;
}

TEST(IpnsName, Base36AndRoutingKey) {
  auto k = key();
  auto n = name_of(k);
  auto text = name_string(n);
  EXPECT_TRUE(text.starts_with("k51")) << text;
  EXPECT_EQ(*parse_name(text), n);
  EXPECT_EQ(*parse_name("/ipns/" + text), n);
  EXPECT_EQ(*parse_name(n.to_base58()), n);
  EXPECT_FALSE(parse_name("example.com"));
  auto rk = routing_key(n);
  EXPECT_EQ(as_chars(bytes_view(rk).first(6)), "/ipns/");
  EXPECT_EQ(*name_from_routing_key(rk), n);
  EXPECT_FALSE(name_from_routing_key(as_bytes("/pk/abc")));
}

class IpnsRecordKeys : public ::testing::TestWithParam<crypto::key_type> {};

TEST_P(IpnsRecordKeys, CreateThenValidate) {
  auto k = key(GetParam());
  auto rec = create(k, path, 7, t0 + 24h);
  ASSERT_TRUE(rec) << rec.error().message();
  auto r = validate(name_of(k), *rec, t0);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->value, path);
  EXPECT_EQ(r->sequence, 7u);
  EXPECT_EQ(r->ttl_ns, default_ttl_ns);
  EXPECT_EQ(r->eol, t0 + 24h);
  EXPECT_TRUE(r->has_v1);
  // The key is embedded exactly when the name cannot inline it.
  EXPECT_EQ(r->pub_key.has_value(), !name_of(k).has_embedded_key());
  // V2-only records validate too.
  auto v2 = create(k, path, 8, t0 + 24h, create_options{default_ttl_ns, false});
  ASSERT_TRUE(v2);
  auto r2 = validate(name_of(k), *v2, t0);
  ASSERT_TRUE(r2);
  EXPECT_FALSE(r2->has_v1);
}

INSTANTIATE_TEST_SUITE_P(Types, IpnsRecordKeys,
                         ::testing::Values(crypto::key_type::ed25519, crypto::key_type::secp256k1,
                                           crypto::key_type::ecdsa, crypto::key_type::rsa));

TEST(IpnsRecord, RefusesForgedExpiredAndMismatched) {
  auto k = key(), other = key(crypto::key_type::ed25519, 2);
  auto rec = *create(k, path, 1, t0 + 1h);
  EXPECT_EQ(validate(name_of(k), rec, t0 + 1h).error().code, ipns_errc::expired);
  // The name inlines its own key, under which the signature does not verify.
  EXPECT_EQ(validate(name_of(other), rec, t0).error().code, ipns_errc::bad_signature);
  // Flip a bit in signatureV2.
  pb::IpnsEntry e;
  ASSERT_TRUE(e.ParseFromArray(rec.data(), static_cast<int>(rec.size())));
  auto tamper = [&](auto fn) {
    pb::IpnsEntry c = e;
    fn(c);
    return to_bytes(c.SerializeAsString());
  };
  EXPECT_EQ(validate(name_of(k), tamper([](auto& c) { c.mutable_signaturev2()->at(3) ^= 1; }), t0).error().code,
            ipns_errc::bad_signature);
  // V1 fields that contradict the signed data.
  EXPECT_EQ(validate(name_of(k), tamper([](auto& c) { c.set_value("/ipfs/other"); }), t0).error().code,
            ipns_errc::field_mismatch);
  EXPECT_EQ(validate(name_of(k), tamper([](auto& c) { c.set_sequence(99); }), t0).error().code,
            ipns_errc::field_mismatch);
  EXPECT_EQ(validate(name_of(k), tamper([](auto& c) { c.set_ttl(1); }), t0).error().code, ipns_errc::field_mismatch);
  EXPECT_EQ(validate(name_of(k), tamper([](auto& c) { c.set_validity("2099-01-01T00:00:00Z"); }), t0).error().code,
            ipns_errc::field_mismatch);
  // Missing V2 parts.
  EXPECT_EQ(validate(name_of(k), tamper([](auto& c) { c.clear_signaturev2(); }), t0).error().code,
            ipns_errc::malformed_record);
  EXPECT_EQ(validate(name_of(k), tamper([](auto& c) { c.clear_data(); }), t0).error().code,
            ipns_errc::malformed_record);
  // An embedded key of someone else.
  auto ok_other = other.public_key().to_protobuf();
  EXPECT_EQ(validate(name_of(k), tamper([&](auto& c) { c.set_pubkey(ok_other.data(), ok_other.size()); }), t0)
                .error()
                .code,
            ipns_errc::key_mismatch);
  // Data re-encoded out of canonical order (still signed over the bad bytes): refused as CBOR.
  cbor::map m;
  m.emplace("Value", path);
  bytes noncanon{0xa2, 0x65, 'V', 'a', 'l', 'u', 'e', 0x40, 0x63, 'T', 'T', 'L', 0x00};
  EXPECT_EQ(validate(name_of(k), tamper([&](auto& c) { c.set_data(noncanon.data(), noncanon.size()); }), t0)
                .error()
                .code,
            ipns_errc::malformed_cbor);
  EXPECT_EQ(validate(name_of(k), bytes(max_record_size + 1, 0), t0).error().code, ipns_errc::record_too_large);
  EXPECT_EQ(validate(name_of(k), bytes{0xff, 0xff}, t0).error().code, ipns_errc::malformed_record);
}

TEST(IpnsRecord, SelectsHigherSequenceThenLaterEol) {
  auto k = key();
  std::vector<bytes> recs{*create(k, path, 3, t0 + 1h), *create(k, path, 5, t0 + 1h), *create(k, path, 5, t0 + 2h),
                          *create(k, path, 4, t0 + 9h)};
  EXPECT_EQ(select(recs), 2u);
  std::vector<bytes> tie{recs[1], *create(k, path, 5, t0 + 1h)};
  EXPECT_EQ(select(tie), 0u);
}

struct TempDir {
  fs::path path = fs::temp_directory_path() /
                  ("converge-ipns-" + std::to_string(::getpid()) + "-" +
                   ::testing::UnitTest::GetInstance()->current_test_info()->name());
  TempDir() {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

TEST(IpnsSequencePolicy, LowerSequenceRefusedAcrossRestarts) {
  TempDir dir;
  auto k = key();
  auto n = name_of(k);
  auto rk = routing_key(n);
  auto r5 = *create(k, path, 5, t0 + 24h), r4 = *create(k, path, 4, t0 + 48h), r6 = *create(k, path, 6, t0 + 24h);
  {
    auto seen = sequence_store::open(dir.path / "seq.db");
    ASSERT_TRUE(seen);
    std::shared_ptr<sequence_store> shared = std::move(*seen);
    auto reg = std::make_shared<kad::validator_registry>();
    reg->add("ipns", std::make_shared<ipns_validator>(shared));
    auto store = kad::sqlite_record_store::open(dir.path / "records.db", reg);
    ASSERT_TRUE(store);
    EXPECT_TRUE((*store)->put(rk, r5, t0));
    EXPECT_EQ(*shared->highest(n), 5u);
  }
  // After a restart, with an empty record store, the old record is still refused.
  fs::remove(dir.path / "records.db");
  auto seen = sequence_store::open(dir.path / "seq.db");
  ASSERT_TRUE(seen);
  std::shared_ptr<sequence_store> shared = std::move(*seen);
  auto reg = std::make_shared<kad::validator_registry>();
  reg->add("ipns", std::make_shared<ipns_validator>(shared));
  auto store = kad::sqlite_record_store::open(dir.path / "records.db", reg);
  ASSERT_TRUE(store);
  auto refused = (*store)->put(rk, r4, t0);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, kad::kad_errc::invalid_record);
  EXPECT_NE(refused.error().detail.find("sequence 4 is below 5"), std::string::npos) << refused.error().detail;
  EXPECT_FALSE(*(*store)->get(rk, t0));
  EXPECT_TRUE((*store)->put(rk, r6, t0));
  EXPECT_EQ(**(*store)->get(rk, t0), r6);
  // An expired record is never returned.
  EXPECT_FALSE(*(*store)->get(rk, t0 + 25h));
  EXPECT_EQ(shared->check(n, 5).error().code, ipns_errc::sequence_rollback);
  EXPECT_TRUE(shared->check(n, 6));
}

}  // namespace
}  // namespace converge::ipns
