#include "p2p/multistream.hpp"

#include <gtest/gtest.h>

#include "pair.hpp"

using namespace converge;
using namespace converge::p2p;
using converge::p2p::testing::pair;
using converge::p2p::testing::test_start;

namespace {

std::vector<multistream_event> drain(multistream_core& c) {
  std::vector<multistream_event> out;
  while (auto e = c.poll_event()) out.push_back(std::move(*e));
  return out;
}

bytes wire(std::initializer_list<std::string_view> messages) {
  bytes out;
  for (auto m : messages) append_multistream_message(out, m);
  return out;
}

multistream_initiator initiator(std::vector<std::string> protocols, multistream_options o = {}) {
  return multistream_initiator::create(std::move(protocols), test_start(), o).value();
}

std::error_code failure_code(const multistream_core& c) {
  return c.failure() ? c.failure()->code : std::error_code{};
}

}  // namespace

TEST(multistream, first_write_is_header_and_proposal) {
  auto i = initiator({"/a"});
  bytes out;
  ASSERT_TRUE(i.poll_transmit(out));
  EXPECT_EQ(to_hex(out), to_hex(concat(from_hex("13").value(), as_bytes("/multistream/1.0.0\n"),
                                       from_hex("03").value(), as_bytes("/a\n"))));
  EXPECT_FALSE(i.poll_transmit(out));
  EXPECT_TRUE(out.empty());
}

TEST(multistream, selects_first_supported_protocol) {
  for (std::size_t chunk : {std::size_t{1}, std::size_t{2}, std::size_t{7}, SIZE_MAX}) {
    auto i = initiator({"/x", "/y", "/a"});
    multistream_responder r({"/a", "/b"}, test_start());
    pair p(i, r);
    p.chunk = chunk;
    p.run();
    ASSERT_EQ(i.state(), multistream_state::done) << chunk;
    ASSERT_EQ(r.state(), multistream_state::done) << chunk;
    EXPECT_EQ(i.selected_protocol(), "/a");
    EXPECT_EQ(r.selected_protocol(), "/a");
    auto ev = drain(i);
    ASSERT_EQ(ev.size(), 3u);
    EXPECT_EQ(std::get<protocol_refused>(ev[0]).protocol, "/x");
    EXPECT_EQ(std::get<protocol_refused>(ev[1]).protocol, "/y");
    EXPECT_EQ(std::get<protocol_selected>(ev[2]).protocol, "/a");
    EXPECT_FALSE(std::get<protocol_selected>(ev[2]).optimistic);
    auto rev = drain(r);
    ASSERT_EQ(rev.size(), 1u);
    EXPECT_EQ(std::get<protocol_selected>(rev[0]).protocol, "/a");
    EXPECT_TRUE(i.take_leftover().empty());
    EXPECT_FALSE(i.poll_timeout());
  }
}

TEST(multistream, total_failure_after_fallbacks) {
  auto i = initiator({"/x", "/y"});
  multistream_responder r({"/a"}, test_start());
  pair p(i, r);
  p.chunk = 1;
  p.run_until([&] { return i.state() == multistream_state::failed; });
  EXPECT_EQ(failure_code(i), multistream_errc::unsupported_protocol);
  EXPECT_NE(i.failure()->detail.find("\"/y\""), std::string::npos) << i.failure()->detail;
  // The initiator's driver closes the stream; the responder learns it as EOF.
  EXPECT_EQ(r.state(), multistream_state::negotiating);
  r.handle_eof();
  EXPECT_EQ(failure_code(r), multistream_errc::connection_closed);
  auto ev = drain(r);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<negotiation_failed>(ev[0]));
}

TEST(multistream, matcher_accepts_unlisted_protocols) {
  auto i = initiator({"/ipfs/ping/1.0.0"});
  multistream_responder r({"/a"}, test_start(), {}, [](std::string_view p) { return p.starts_with("/ipfs/ping/"); });
  pair p(i, r);
  p.run();
  EXPECT_EQ(r.selected_protocol(), "/ipfs/ping/1.0.0");
  EXPECT_EQ(i.state(), multistream_state::done);
}

TEST(multistream, ls_lists_responder_protocols) {
  for (std::size_t chunk : {std::size_t{1}, SIZE_MAX}) {
    multistream_options o;
    o.list_first = true;
    auto i = initiator({}, o);
    multistream_responder r({"/a", "/noise", "/yamux/1.0.0"}, test_start());
    pair p(i, r);
    p.chunk = chunk;
    p.run();
    ASSERT_EQ(i.state(), multistream_state::done);
    EXPECT_EQ(i.selected_protocol(), "");
    auto ev = drain(i);
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(std::get<protocols_listed>(ev[0]).protocols,
              (std::vector<std::string>{"/a", "/noise", "/yamux/1.0.0"}));
  }
}

TEST(multistream, ls_then_proposal_pipelined) {
  multistream_options o;
  o.list_first = true;
  auto i = initiator({"/b"}, o);
  multistream_responder r({"/a", "/b"}, test_start());
  pair p(i, r);
  p.run();
  auto ev = drain(i);
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(std::get<protocols_listed>(ev[0]).protocols.size(), 2u);
  EXPECT_EQ(std::get<protocol_selected>(ev[1]).protocol, "/b");
}

TEST(multistream, ls_answer_wire_format) {
  // One message whose payload is each protocol as its own message, then '\n'.
  std::vector<std::string> protos{"/a", "/bc"};
  bytes framed;
  append_multistream_frame(framed, encode_protocol_list(protos));
  EXPECT_EQ(to_hex(framed), "0a03" + to_hex(as_bytes("/a\n")) + "04" + to_hex(as_bytes("/bc\n")) + "0a");
  // go-multistream omits the final newline; both parse.
  auto go_style = concat(wire({"/a", "/bc"}));
  EXPECT_EQ(parse_protocol_list(go_style, 10).value(), protos);
  EXPECT_EQ(parse_protocol_list(encode_protocol_list(protos), 10).value(), protos);
  EXPECT_FALSE(parse_protocol_list(go_style, 1));
  EXPECT_FALSE(parse_protocol_list(from_hex("05").value(), 10));
}

TEST(multistream, lazy_initiator_sends_data_right_behind) {
  for (std::size_t chunk : {std::size_t{1}, std::size_t{3}, SIZE_MAX}) {
    multistream_options o;
    o.lazy = true;
    auto i = initiator({"/echo"}, o);
    auto ev = drain(i);
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_TRUE(std::get<protocol_selected>(ev[0]).optimistic);
    EXPECT_EQ(i.state(), multistream_state::optimistic);

    multistream_responder r({"/echo"}, test_start());
    pair p(i, r);
    p.chunk = chunk;
    p.collect();  // the negotiation bytes go first ...
    p.inject_to_b(as_bytes("hello"));  // ... the application's bytes right behind, without waiting
    bool answered = false;
    p.react = [&] {
      if (!answered && r.state() == multistream_state::done) {
        p.collect();
        p.inject_to_a(as_bytes("world"));
        answered = true;
      }
    };
    p.run();
    ASSERT_EQ(r.state(), multistream_state::done) << chunk;
    ASSERT_EQ(i.state(), multistream_state::done) << chunk;
    EXPECT_EQ(as_chars(r.take_leftover()), "hello");
    EXPECT_EQ(as_chars(i.take_leftover()), "world");
    ev = drain(i);
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(std::get<selection_confirmed>(ev[0]).protocol, "/echo");
  }
}

TEST(multistream, leftover_from_one_buffer) {
  multistream_responder r({"/a"}, test_start());
  auto in = concat(wire({"/multistream/1.0.0", "/a"}), as_bytes("payload"));
  r.handle_input(in, test_start());
  EXPECT_EQ(r.state(), multistream_state::done);
  EXPECT_EQ(as_chars(r.take_leftover()), "payload");
}

TEST(multistream, lazy_refused_fails) {
  multistream_options o;
  o.lazy = true;
  auto i = initiator({"/echo"}, o);
  multistream_responder r({"/other"}, test_start());
  pair p(i, r);
  p.run_until([&] { return i.state() == multistream_state::failed; });
  EXPECT_EQ(failure_code(i), multistream_errc::unsupported_protocol);
}

TEST(multistream, create_rejects_bad_arguments) {
  EXPECT_FALSE(multistream_initiator::create({}, test_start()));
  EXPECT_FALSE(multistream_initiator::create({"bad\nid"}, test_start()));
  EXPECT_FALSE(multistream_initiator::create({""}, test_start()));
  EXPECT_FALSE(multistream_initiator::create({std::string(2000, 'a')}, test_start()));
  EXPECT_FALSE(multistream_initiator::create({"\xff\xfe"}, test_start()));
  multistream_options o;
  o.max_attempts = 2;
  EXPECT_FALSE(multistream_initiator::create({"/a", "/b", "/c"}, test_start(), o));
}

namespace {
// Feeds raw peer bytes to a fresh responder (after a valid header when `after_header`).
std::error_code responder_error(bytes_view raw, bool after_header = true, multistream_options o = {}) {
  multistream_responder r({"/a"}, test_start(), o);
  if (after_header) r.handle_input(wire({"/multistream/1.0.0"}), test_start());
  for (auto b : raw) r.handle_input(bytes_view(&b, 1), test_start());
  return failure_code(r);
}
}  // namespace

TEST(multistream, malformed_input_fails_with_reason) {
  EXPECT_EQ(responder_error(from_hex("8000").value()), multistream_errc::malformed_varint);
  EXPECT_EQ(responder_error(from_hex("ffffffffffffffffff7f").value()), multistream_errc::malformed_varint);
  EXPECT_EQ(responder_error(from_hex("d00f").value()), multistream_errc::message_too_large);  // 2000 bytes
  EXPECT_EQ(responder_error(concat(from_hex("02").value(), as_bytes("/a"))), multistream_errc::missing_newline);
  EXPECT_EQ(responder_error(from_hex("00").value()), multistream_errc::missing_newline);
  EXPECT_EQ(responder_error(wire({"/multistream/2.0.0"}), false), multistream_errc::bad_header);
  EXPECT_EQ(responder_error(wire({"\xff"}), true), multistream_errc::invalid_protocol_id);
  EXPECT_EQ(responder_error(wire({"a\nb"}), true), multistream_errc::invalid_protocol_id);
  // Exactly the limit is fine; one more byte is not.
  multistream_options o;
  o.max_message_size = 8;
  EXPECT_EQ(responder_error(wire({"/bcdefg"}), false, o), multistream_errc::bad_header);  // 8 bytes, parsed
  EXPECT_EQ(responder_error(wire({"/bcdefgh"}), false, o), multistream_errc::message_too_large);
}

TEST(multistream, responder_bounds_attempts) {
  multistream_options o;
  o.max_attempts = 4;
  multistream_responder r({"/a"}, test_start(), o);
  bytes in = wire({"/multistream/1.0.0"});
  for (int k = 0; k < 5; ++k) append_multistream_message(in, "/nope" + std::to_string(k));
  r.handle_input(in, test_start());
  EXPECT_EQ(failure_code(r), multistream_errc::too_many_attempts);
  bytes out;
  ASSERT_TRUE(r.poll_transmit(out));
  EXPECT_EQ(out.size(), wire({"/multistream/1.0.0", "na", "na", "na", "na"}).size());
}

TEST(multistream, initiator_rejects_unexpected_answers) {
  auto i = initiator({"/a"});
  i.handle_input(wire({"/multistream/1.0.0", "/b"}), test_start());
  EXPECT_EQ(failure_code(i), multistream_errc::unexpected_message);
  auto j = initiator({"/a"});
  j.handle_input(wire({"/multistream/1.0.0", "/a", }), test_start());
  EXPECT_EQ(j.state(), multistream_state::done);
  auto k = initiator({"/a"});
  k.handle_input(wire({"na"}), test_start());
  EXPECT_EQ(failure_code(k), multistream_errc::bad_header);
}

TEST(multistream, timeout) {
  auto i = initiator({"/a"});
  ASSERT_TRUE(i.poll_timeout());
  EXPECT_EQ(*i.poll_timeout(), test_start() + std::chrono::seconds{10});
  i.handle_timeout(test_start() + std::chrono::seconds{9});
  EXPECT_EQ(i.state(), multistream_state::negotiating);
  i.handle_timeout(*i.poll_timeout());
  EXPECT_EQ(failure_code(i), multistream_errc::timeout);
  EXPECT_FALSE(i.poll_timeout());
}

TEST(multistream, input_after_failure_is_ignored) {
  auto i = initiator({"/a"});
  i.handle_eof();
  i.handle_input(wire({"/multistream/1.0.0", "/a"}), test_start());
  EXPECT_EQ(failure_code(i), multistream_errc::connection_closed);
  EXPECT_EQ(drain(i).size(), 1u);
}

// The transport dies after every possible number of delivered bytes: each side
// ends done or failed with connection_closed, never stuck and never crashing.
TEST(multistream, peer_disconnects_at_every_step) {
  for (bool lazy : {false, true}) {
    std::size_t total = 0;
    {
      multistream_options o;
      o.lazy = lazy;
      auto i = initiator({"/x", "/a"}, o);
      multistream_responder r({"/a"}, test_start());
      pair p(i, r);
      p.run();
      total = p.delivered();
      ASSERT_EQ(i.state(), multistream_state::done);
    }
    ASSERT_GT(total, 20u);
    for (std::size_t cut = 0; cut <= total; ++cut) {
      multistream_options o;
      o.lazy = lazy;
      auto i = initiator({"/x", "/a"}, o);
      multistream_responder r({"/a"}, test_start());
      pair p(i, r);
      p.chunk = 1;
      p.cut_after = cut;
      p.run();
      for (multistream_core* c : {static_cast<multistream_core*>(&i), static_cast<multistream_core*>(&r)}) {
        EXPECT_TRUE(c->state() == multistream_state::done || c->state() == multistream_state::failed) << cut;
        if (c->state() == multistream_state::failed) {
          EXPECT_EQ(c->failure()->code, multistream_errc::connection_closed) << cut << c->failure()->message();
        }
      }
      if (cut < total) {
        EXPECT_EQ(i.state(), multistream_state::failed) << cut;
      }
    }
  }
}

TEST(multistream, initiator_reads_go_style_ls_answer_and_late_leftover) {
  multistream_options o;
  o.list_first = true;
  auto i = initiator({"/b"}, o);
  // go-multistream's answer: the entries without the closing newline.
  bytes answer = wire({"/multistream/1.0.0"});
  append_multistream_frame(answer, wire({"/a", "/b"}));
  append_multistream_message(answer, "/b");
  for (auto b : answer) i.handle_input(bytes_view(&b, 1), test_start());
  ASSERT_EQ(i.state(), multistream_state::done);
  auto ev = drain(i);
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(std::get<protocols_listed>(ev[0]).protocols, (std::vector<std::string>{"/a", "/b"}));
  // Bytes fed after the end are the selected protocol's and are kept, in order.
  i.handle_input(as_bytes("ab"), test_start());
  i.handle_input(as_bytes("c"), test_start());
  EXPECT_EQ(as_chars(i.take_leftover()), "abc");
  EXPECT_TRUE(i.take_leftover().empty());
}

TEST(multistream, oversized_ls_answer_is_refused) {
  multistream_options o;
  o.list_first = true;
  o.max_list_size = 64;
  auto i = initiator({}, o);
  std::vector<std::string> many;
  for (int k = 0; k < 20; ++k) many.push_back("/protocol/" + std::to_string(k));
  bytes answer = wire({"/multistream/1.0.0"});
  append_multistream_frame(answer, encode_protocol_list(many));
  i.handle_input(answer, test_start());
  EXPECT_EQ(failure_code(i), multistream_errc::message_too_large);
}
