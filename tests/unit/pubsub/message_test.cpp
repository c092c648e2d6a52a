#include "pubsub/message.hpp"

#include <gtest/gtest.h>

#include "harness.hpp"

namespace converge::pubsub::test {
namespace {

TEST(PubsubMessage, SignedMessageVerifies) {
  scripted_peer p{make_key(7), id_of_key(make_key(7))};
  auto m = p.message("t", "data");
  EXPECT_FALSE(m.has_key());  // Ed25519 peer IDs embed the key
  EXPECT_EQ(verify_message(m, signature_policy::strict_sign), verify_outcome::ok);
  EXPECT_EQ(default_message_id(m), m.from() + m.seqno());
}

TEST(PubsubMessage, Secp256k1SignedMessageVerifies) {
  deterministic_rng r(9);
  auto k = *crypto::private_key::generate(crypto::key_type::secp256k1, r);
  scripted_peer p{k, id_of_key(k)};
  EXPECT_EQ(verify_message(p.message("t", "x"), signature_policy::strict_sign), verify_outcome::ok);
}

TEST(PubsubMessage, TamperingIsDetected) {
  scripted_peer p{make_key(7), id_of_key(make_key(7))};
  auto m = p.message("t", "data");
  auto data = m;
  data.set_data("datA");
  EXPECT_EQ(verify_message(data, signature_policy::strict_sign), verify_outcome::bad_signature);
  auto topic = m;
  topic.set_topic("other");
  EXPECT_EQ(verify_message(topic, signature_policy::strict_sign), verify_outcome::bad_signature);
  auto from = m;
  auto other = id_of_key(make_key(8));
  from.set_from(other.to_bytes().data(), other.to_bytes().size());
  EXPECT_EQ(verify_message(from, signature_policy::strict_sign), verify_outcome::bad_signature);
  auto nosig = m;
  nosig.clear_signature();
  EXPECT_EQ(verify_message(nosig, signature_policy::strict_sign), verify_outcome::missing_fields);
  auto badfrom = m;
  badfrom.set_from("junk");
  EXPECT_EQ(verify_message(badfrom, signature_policy::strict_sign), verify_outcome::invalid_from);
  auto wrongkey = m;
  auto pk = make_key(8).public_key().to_protobuf();
  wrongkey.set_key(pk.data(), pk.size());
  EXPECT_EQ(verify_message(wrongkey, signature_policy::strict_sign), verify_outcome::key_mismatch);
}

TEST(PubsubMessage, StrictNoSignRefusesAuthorFields) {
  pb::Message m;
  m.set_data("x");
  m.set_topic("t");
  EXPECT_EQ(verify_message(m, signature_policy::strict_no_sign), verify_outcome::ok);
  m.set_seqno(std::string(8, '\1'));
  EXPECT_EQ(verify_message(m, signature_policy::strict_no_sign), verify_outcome::unexpected_fields);
  EXPECT_EQ(content_message_id(m).size(), 32u);
}

}  // namespace
}  // namespace converge::pubsub::test
