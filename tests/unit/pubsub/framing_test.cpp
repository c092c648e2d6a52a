#include "pubsub/framing.hpp"

#include <gtest/gtest.h>

#include "base/varint.hpp"
#include "pubsub/errors.hpp"

namespace converge::pubsub {
namespace {

pb::RPC sample() {
  pb::RPC r;
  auto* s = r.add_subscriptions();
  s->set_subscribe(true);
  s->set_topicid("updates");
  auto* m = r.add_publish();
  m->set_data("hello");
  m->set_topic("updates");
  r.mutable_control()->add_ihave()->add_messageids(std::string("\x00\x01\xff", 3));
  return r;
}

TEST(PubsubFraming, OneByteAtATime) {
  bytes stream;
  for (int i = 0; i < 3; ++i) append(stream, encode_frame(encode_rpc(sample())));
  frame_decoder d;
  int frames = 0;
  for (auto b : stream) {
    ASSERT_TRUE(d.handle_input(bytes_view(&b, 1)));
    while (auto f = d.next_frame()) {
      auto rpc = decode_rpc(*f);
      ASSERT_TRUE(rpc);
      EXPECT_EQ(rpc->publish(0).data(), "hello");
      EXPECT_EQ(rpc->control().ihave(0).messageids(0), std::string("\x00\x01\xff", 3));
      ++frames;
    }
  }
  EXPECT_EQ(frames, 3);
  EXPECT_EQ(d.buffered(), 0u);
}

TEST(PubsubFraming, OversizedPrefixFailsBeforeBuffering) {
  frame_decoder d(100);
  auto prefix = encode_uvarint(101);
  auto r = d.handle_input(prefix);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, pubsub_errc::rpc_too_large);
  EXPECT_TRUE(d.failed());
  EXPECT_FALSE(d.handle_input(prefix));
  // Exactly at the bound is fine.
  frame_decoder ok_dec(100);
  bytes frame = encode_uvarint(100);
  frame.resize(frame.size() + 100, 0);
  EXPECT_TRUE(ok_dec.handle_input(frame));
  EXPECT_TRUE(ok_dec.next_frame());
}

TEST(PubsubFraming, NonMinimalPrefixIsMalformed) {
  frame_decoder d;
  bytes bad{0x80, 0x00};
  auto r = d.handle_input(bad);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, pubsub_errc::malformed_frame);
}

TEST(PubsubFraming, DecodeRpcRejectsGarbageAndOversize) {
  bytes garbage{0xff, 0xff, 0xff};
  EXPECT_EQ(decode_rpc(garbage).error().code, pubsub_errc::malformed_rpc);
  bytes big(2000, 0);
  EXPECT_EQ(decode_rpc(big, 1000).error().code, pubsub_errc::rpc_too_large);
  EXPECT_TRUE(decode_rpc(bytes{}));  // the empty RPC is valid
}

}  // namespace
}  // namespace converge::pubsub
