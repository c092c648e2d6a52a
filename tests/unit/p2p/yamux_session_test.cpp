#include "p2p/yamux_session.hpp"

#include <gtest/gtest.h>

#include "pair.hpp"
#include "yamux_app.hpp"

using namespace converge;
using namespace converge::p2p;
using converge::p2p::testing::pair;
using converge::p2p::testing::test_start;
using converge::p2p::testing::yamux_app;

namespace {

struct fixture {
  explicit fixture(yamux_config cc = {}, yamux_config sc = {})
      : client(yamux_role::client, test_start(), cc),
        server(yamux_role::server, test_start(), sc),
        net(client, server),
        c(client),
        s(server) {
    net.react = [this] {
      c.pump(net.now);
      s.pump(net.now);
    };
  }
  yamux_session client;
  yamux_session server;
  pair<yamux_session, yamux_session> net;
  yamux_app c;
  yamux_app s;
};

bytes frame(yamux_type t, std::uint16_t flags, std::uint32_t id, std::uint32_t len, bytes_view payload = {}) {
  bytes out;
  append_yamux_header(out, {t, flags, id, len});
  append(out, payload);
  return out;
}

// Feeds raw frames to a fresh server session, one byte at a time; returns its close reason.
std::optional<error> server_verdict(bytes_view raw, yamux_config cfg = {}) {
  yamux_session s(yamux_role::server, test_start(), cfg);
  for (auto b : raw) s.handle_input(bytes_view(&b, 1), test_start());
  return s.close_reason();
}

bool sent_go_away(yamux_session& s, yamux_go_away_code code) {
  bytes out;
  bytes all;
  while (s.poll_transmit(out)) append(all, out);
  return to_hex(all).ends_with(to_hex(frame(yamux_type::go_away, 0, 0, static_cast<std::uint32_t>(code))));
}

}  // namespace

TEST(yamux_session, echo_many_streams) {
  for (std::size_t chunk : {std::size_t{1}, std::size_t{5}, SIZE_MAX}) {
    fixture f;
    f.s.echo = true;
    f.net.chunk = chunk;
    std::vector<std::uint32_t> ids;
    for (int k = 0; k < 40; ++k) {
      auto id = f.client.open_stream(f.net.now).value();
      EXPECT_EQ(id % 2, 1u);
      ids.push_back(id);
      f.c.send(id, "message " + std::to_string(k) + std::string(static_cast<std::size_t>(k) * 100, 'x'), true);
    }
    ASSERT_TRUE(f.net.run_until([&] { return f.c.eofs.size() == ids.size(); }, std::chrono::seconds{5})) << chunk;
    for (std::size_t k = 0; k < ids.size(); ++k)
      EXPECT_EQ(f.c.received[ids[k]], "message " + std::to_string(k) + std::string(k * 100, 'x'));
    EXPECT_EQ(f.s.opened.size(), ids.size());
    f.net.drive();
    // Both directions closed, data read, events polled: every stream is forgotten.
    EXPECT_EQ(f.client.stream_count(), 0u);
    EXPECT_EQ(f.server.stream_count(), 0u);
    EXPECT_FALSE(f.client.closed());
  }
}

TEST(yamux_session, fin_half_close_both_directions) {
  fixture f;
  f.s.auto_read = true;
  auto id = f.client.open_stream(f.net.now).value();
  f.c.send(id, "request", true);  // client: write then FIN
  ASSERT_TRUE(f.net.run_until([&] { return f.s.fins.contains(id); }, std::chrono::seconds{1}));
  EXPECT_EQ(f.s.received[id], "request");
  EXPECT_TRUE(f.s.eofs.contains(id));
  // The client's side is closed for writing, the server's is not.
  EXPECT_EQ(f.client.write(id, as_bytes("more"), f.net.now).error().code, yamux_errc::stream_closed);
  f.s.send(id, "response part 1, ");
  f.net.drive();
  EXPECT_EQ(f.c.received[id], "response part 1, ");
  EXPECT_FALSE(f.c.fins.contains(id));
  f.s.send(id, "part 2", true);
  ASSERT_TRUE(f.net.run_until([&] { return f.c.eofs.contains(id); }, std::chrono::seconds{1}));
  EXPECT_EQ(f.c.received[id], "response part 1, part 2");
  f.net.drive();
  EXPECT_EQ(f.client.stream_count(), 0u);
  EXPECT_EQ(f.server.stream_count(), 0u);
  EXPECT_EQ(f.client.read(id, {}, f.net.now).error().code, yamux_errc::unknown_stream);
}

TEST(yamux_session, server_half_closes_first) {
  fixture f;
  auto id = f.client.open_stream(f.net.now).value();
  f.net.drive();
  ASSERT_TRUE(f.s.opened.contains(id));
  f.s.send(id, "hello", true);
  f.net.drive();
  EXPECT_TRUE(f.c.eofs.contains(id));
  f.c.send(id, "still writing", true);
  f.net.drive();
  EXPECT_EQ(f.s.received[id], "still writing");
  EXPECT_EQ(f.server.stream_count(), 0u);
}

TEST(yamux_session, reset_by_either_side) {
  fixture f;
  f.s.auto_read = false;
  auto id = f.client.open_stream(f.net.now).value();
  f.c.send(id, "data the server never reads");
  f.net.drive();
  ASSERT_TRUE(f.client.reset(id));
  f.net.drive();
  EXPECT_TRUE(f.s.resets.contains(id));
  EXPECT_EQ(f.server.stream_count(), 0u);  // forgotten once the reset event was polled
  EXPECT_EQ(f.client.write(id, as_bytes("x"), f.net.now).error().code, yamux_errc::unknown_stream);

  auto id2 = f.client.open_stream(f.net.now).value();
  f.net.drive();
  ASSERT_TRUE(f.server.reset(id2));
  f.c.events.clear();
  f.net.drive();
  EXPECT_TRUE(f.c.resets.contains(id2));
  EXPECT_FALSE(f.client.closed());
  EXPECT_FALSE(f.server.closed());
}

TEST(yamux_session, reads_after_remote_reset_fail) {
  yamux_session s(yamux_role::server, test_start());
  s.handle_input(frame(yamux_type::data, yamux_flag::syn, 1, 3, as_bytes("abc")), test_start());
  s.handle_input(frame(yamux_type::window_update, yamux_flag::rst, 1, 0), test_start());
  std::uint8_t buf[8];
  EXPECT_EQ(s.read(1, buf, test_start()).error().code, yamux_errc::stream_reset);
  std::vector<std::size_t> kinds;
  while (auto e = s.poll_event()) kinds.push_back(e->index());
  EXPECT_EQ(kinds, (std::vector<std::size_t>{0, 1, 4}));  // opened, readable, reset
  EXPECT_EQ(s.stream_count(), 0u);
}

TEST(yamux_session, stream_limit_refuses_with_rst) {
  yamux_config sc;
  sc.max_streams = 2;
  fixture f({}, sc);
  std::vector<std::uint32_t> ids;
  for (int k = 0; k < 3; ++k) ids.push_back(f.client.open_stream(f.net.now).value());
  f.c.send(ids[2], "refused payload");
  f.net.drive();
  EXPECT_EQ(f.s.opened.size(), 2u);
  EXPECT_TRUE(f.c.resets.contains(ids[2]));
  EXPECT_FALSE(f.c.resets.contains(ids[0]));
  EXPECT_FALSE(f.server.closed());
  // Locally, the limit is an error, not a RST.
  yamux_config cc;
  cc.max_streams = 1;
  yamux_session c(yamux_role::client, test_start(), cc);
  ASSERT_TRUE(c.open_stream(test_start()));
  EXPECT_EQ(c.open_stream(test_start()).error().code, yamux_errc::too_many_streams);
}

TEST(yamux_session, ack_backlog_bounds_unacknowledged_opens) {
  yamux_config cc;
  cc.max_streams = 1000;
  yamux_session c(yamux_role::client, test_start(), cc);
  for (int k = 0; k < 256; ++k) ASSERT_TRUE(c.open_stream(test_start()));
  auto r = c.open_stream(test_start());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, yamux_errc::too_many_streams);
  EXPECT_NE(r.error().detail.find("ACK"), std::string::npos);
  c.handle_input(frame(yamux_type::window_update, yamux_flag::ack, 1, 0), test_start());
  EXPECT_TRUE(c.open_stream(test_start()));
}

TEST(yamux_session, go_away_refuses_new_streams_and_ends_cleanly) {
  fixture f;
  auto id = f.client.open_stream(f.net.now).value();
  f.net.drive();
  f.server.go_away();
  f.net.drive();
  ASSERT_FALSE(f.c.events.empty());
  EXPECT_TRUE(std::any_of(f.c.events.begin(), f.c.events.end(),
                          [](auto& e) { return std::holds_alternative<go_away_received>(e); }));
  EXPECT_EQ(f.client.open_stream(f.net.now).error().code, yamux_errc::going_away);
  EXPECT_EQ(f.server.open_stream(f.net.now).error().code, yamux_errc::going_away);
  // The existing stream still works both ways.
  f.s.echo = true;
  f.c.send(id, "after goaway", true);
  ASSERT_TRUE(f.net.run_until([&] { return f.c.eofs.contains(id); }, std::chrono::seconds{1}));
  EXPECT_EQ(f.c.received[id], "after goaway");
  f.net.drive();
  ASSERT_TRUE(f.client.closed());
  ASSERT_TRUE(f.server.closed());
  EXPECT_EQ(f.client.close_reason()->code, yamux_errc::go_away_completed);
  EXPECT_EQ(f.server.close_reason()->code, yamux_errc::go_away_completed);
  EXPECT_FALSE(f.client.poll_timeout());
}

TEST(yamux_session, inbound_syn_after_our_go_away_is_reset) {
  yamux_session s(yamux_role::server, test_start());
  s.handle_input(frame(yamux_type::window_update, yamux_flag::syn, 1, 0), test_start());
  s.go_away();
  bytes out;
  while (s.poll_transmit(out)) {
  }
  s.handle_input(frame(yamux_type::window_update, yamux_flag::syn, 3, 0), test_start());
  ASSERT_TRUE(s.poll_transmit(out));
  EXPECT_EQ(to_hex(out), to_hex(frame(yamux_type::window_update, yamux_flag::rst, 3, 0)));
}

TEST(yamux_session, go_away_with_error_codes) {
  for (auto [code, expect] : {std::pair{1u, yamux_errc::remote_protocol_error},
                              std::pair{2u, yamux_errc::remote_internal_error},
                              std::pair{77u, yamux_errc::remote_internal_error}}) {
    yamux_session s(yamux_role::client, test_start());
    ASSERT_TRUE(s.open_stream(test_start()));
    s.handle_input(frame(yamux_type::go_away, 0, 0, code), test_start());
    ASSERT_TRUE(s.closed());
    EXPECT_EQ(s.close_reason()->code, expect);
    EXPECT_EQ(s.open_stream(test_start()).error().code, yamux_errc::session_closed);
  }
  yamux_session s(yamux_role::client, test_start());
  s.go_away(yamux_go_away_code::internal_error);
  EXPECT_EQ(s.close_reason()->code, yamux_errc::internal_error);
  EXPECT_TRUE(sent_go_away(s, yamux_go_away_code::internal_error));
}

TEST(yamux_session, malformed_frames_end_the_session_with_a_reason) {
  struct {
    const char* what;
    bytes raw;
    const char* detail;
  } cases[] = {
      {"version", from_hex("010000000000000100000000").value(), "version"},
      {"type", from_hex("000900000000000100000000").value(), "type"},
      {"ping stream", frame(yamux_type::ping, yamux_flag::syn, 3, 1), "ping frame on stream 3"},
      {"data stream 0", frame(yamux_type::data, 0, 0, 0), "stream 0"},
      {"our parity", frame(yamux_type::window_update, yamux_flag::syn, 2, 0), "parity"},
      {"duplicate", concat(frame(yamux_type::window_update, yamux_flag::syn, 1, 0),
                           frame(yamux_type::window_update, yamux_flag::syn, 1, 0)),
       "already open"},
      {"window overflow", concat(frame(yamux_type::window_update, yamux_flag::syn, 1, 0),
                                 frame(yamux_type::window_update, 0, 1, 0xfffff000u)),
       "overflows"},
      {"oversized frame", frame(yamux_type::data, 0, 9, 16 * 1024 * 1024 + 1), "largest receive window"},
      {"data after fin", concat(frame(yamux_type::data, yamux_flag::syn | yamux_flag::fin, 1, 1, as_bytes("a")),
                                frame(yamux_type::data, 0, 1, 1, as_bytes("b"))),
       "after the peer's FIN"},
  };
  for (auto& c : cases) {
    yamux_session s(yamux_role::server, test_start());
    for (auto b : c.raw) s.handle_input(bytes_view(&b, 1), test_start());
    ASSERT_TRUE(s.closed()) << c.what;
    EXPECT_EQ(s.close_reason()->code, yamux_errc::protocol_error) << c.what;
    EXPECT_NE(s.close_reason()->detail.find(c.detail), std::string::npos) << c.what << ": " << s.close_reason()->detail;
    EXPECT_TRUE(sent_go_away(s, yamux_go_away_code::protocol_error)) << c.what;
    std::optional<yamux_event> last;
    while (auto e = s.poll_event()) last = e;
    ASSERT_TRUE(last && std::holds_alternative<session_closed>(*last)) << c.what;
  }
}

TEST(yamux_session, data_beyond_the_window_is_a_protocol_error) {
  bytes exact = frame(yamux_type::data, yamux_flag::syn, 1, yamux_initial_window);
  exact.resize(exact.size() + yamux_initial_window, 'x');
  EXPECT_FALSE(server_verdict(exact));  // exactly the window: fine
  EXPECT_EQ(server_verdict(concat(exact, frame(yamux_type::data, 0, 1, 1, as_bytes("y"))))->code,
            yamux_errc::protocol_error);
  EXPECT_EQ(server_verdict(frame(yamux_type::data, yamux_flag::syn, 1, yamux_initial_window + 1))->code,
            yamux_errc::protocol_error);
}

TEST(yamux_session, frames_for_unknown_streams_are_dropped) {
  auto raw = concat(frame(yamux_type::data, 0, 41, 4, as_bytes("lost")), frame(yamux_type::window_update, 0, 43, 9),
                    frame(yamux_type::window_update, yamux_flag::rst, 45, 0));
  yamux_session s(yamux_role::server, test_start());
  s.handle_input(raw, test_start());
  EXPECT_FALSE(s.closed());
  EXPECT_EQ(s.stream_count(), 0u);
  EXPECT_FALSE(s.poll_event());
}

TEST(yamux_session, answers_pings_and_measures_rtt) {
  fixture f;
  f.net.latency = std::chrono::milliseconds{7};
  f.net.run_until([&] { return f.client.rtt().has_value() && f.server.rtt().has_value(); }, std::chrono::seconds{1});
  EXPECT_EQ(*f.client.rtt(), std::chrono::milliseconds{14});
  EXPECT_EQ(*f.server.rtt(), std::chrono::milliseconds{14});
  auto rtt_events = std::count_if(f.c.events.begin(), f.c.events.end(),
                                  [](auto& e) { return std::holds_alternative<rtt_measured>(e); });
  EXPECT_EQ(rtt_events, 1);
  // A live peer keeps answering: ten virtual minutes later the session is still up.
  f.net.run(std::chrono::minutes{10});
  EXPECT_FALSE(f.client.closed());
  EXPECT_FALSE(f.server.closed());
  EXPECT_GT(std::count_if(f.c.events.begin(), f.c.events.end(),
                          [](auto& e) { return std::holds_alternative<rtt_measured>(e); }),
            30);
}

TEST(yamux_session, keepalive_timeout_closes_a_dead_session) {
  yamux_session s(yamux_role::client, test_start());
  bytes out;
  ASSERT_TRUE(s.poll_transmit(out));  // the first ping; nobody will answer
  EXPECT_EQ(to_hex(out), to_hex(frame(yamux_type::ping, yamux_flag::syn, 0, 1)));
  instant now = test_start();
  int wakeups = 0;
  while (auto t = s.poll_timeout()) {
    now = *t;
    s.handle_timeout(now);
    ASSERT_LT(++wakeups, 10);
  }
  ASSERT_TRUE(s.closed());
  EXPECT_EQ(s.close_reason()->code, yamux_errc::keepalive_timeout);
  EXPECT_EQ(now, test_start() + std::chrono::seconds{10});
  // Answers to pings that are not ours are ignored.
  yamux_session t(yamux_role::client, test_start());
  t.handle_input(frame(yamux_type::ping, yamux_flag::ack, 0, 999), test_start());
  EXPECT_FALSE(t.rtt());
}

TEST(yamux_session, peer_flooding_pings_without_reading_overflows) {
  yamux_config cfg;
  cfg.max_transmit_buffer = 4096;
  cfg.control_slack = 1024;
  yamux_session s(yamux_role::server, test_start(), cfg);
  bytes flood;
  for (int k = 0; k < 1000; ++k) append(flood, frame(yamux_type::ping, yamux_flag::syn, 0, static_cast<std::uint32_t>(k)));
  s.handle_input(flood, test_start());
  ASSERT_TRUE(s.closed());
  EXPECT_EQ(s.close_reason()->code, yamux_errc::output_overflow);
}

// The transport dies after every possible number of delivered bytes of a
// small exchange: both sessions end (connection_closed), nothing hangs.
TEST(yamux_session, transport_dies_at_every_step) {
  std::size_t total = 0;
  {
    fixture f;
    f.s.echo = true;
    auto id = f.client.open_stream(f.net.now).value();
    f.c.send(id, "hello", true);
    f.net.run_until([&] { return f.c.eofs.contains(id); }, std::chrono::seconds{1});
    f.net.drive();
    total = f.net.delivered();
  }
  ASSERT_GT(total, 60u);
  for (std::size_t cut = 0; cut <= total; ++cut) {
    fixture f;
    f.s.echo = true;
    f.net.chunk = 1;
    f.net.cut_after = cut;
    auto id = f.client.open_stream(f.net.now).value();
    f.c.send(id, "hello", true);
    f.net.run(std::chrono::minutes{1});
    ASSERT_TRUE(f.client.closed()) << cut;
    ASSERT_TRUE(f.server.closed()) << cut;
    EXPECT_EQ(f.client.close_reason()->code, yamux_errc::connection_closed) << cut;
    EXPECT_EQ(f.server.close_reason()->code, yamux_errc::connection_closed) << cut;
    ASSERT_TRUE(f.c.closed) << cut;
    EXPECT_FALSE(f.client.poll_timeout());
  }
}

TEST(yamux_session, ack_rides_on_the_first_frame_we_send) {
  yamux_session s(yamux_role::server, test_start());
  bytes out;
  while (s.poll_transmit(out)) {
  }
  s.handle_input(frame(yamux_type::window_update, yamux_flag::syn, 1, 0), test_start());
  EXPECT_FALSE(s.poll_transmit(out));  // no implicit ACK (libp2p yamux spec)
  ASSERT_EQ(s.write(1, as_bytes("hi"), test_start()).value(), 2u);
  ASSERT_EQ(s.write(1, as_bytes("!"), test_start()).value(), 1u);
  ASSERT_TRUE(s.poll_transmit(out));
  EXPECT_EQ(to_hex(out), to_hex(concat(frame(yamux_type::data, yamux_flag::ack, 1, 2, as_bytes("hi")),
                                       frame(yamux_type::data, 0, 1, 1, as_bytes("!")))));
  // A stream we only close acknowledges with its FIN.
  s.handle_input(frame(yamux_type::window_update, yamux_flag::syn, 3, 0), test_start());
  ASSERT_TRUE(s.close_write(3));
  ASSERT_TRUE(s.poll_transmit(out));
  EXPECT_EQ(to_hex(out), to_hex(frame(yamux_type::window_update, yamux_flag::ack | yamux_flag::fin, 3, 0)));
}

TEST(yamux_session, backlog_frees_when_the_listener_answers) {
  fixture f;
  f.s.auto_read = false;
  std::vector<std::uint32_t> ids;
  for (int k = 0; k < 256; ++k) ids.push_back(f.client.open_stream(f.net.now).value());
  f.net.drive();
  EXPECT_EQ(f.s.opened.size(), 256u);
  EXPECT_EQ(f.client.open_stream(f.net.now).error().code, yamux_errc::too_many_streams);
  f.s.send(ids[0], "ack");
  f.net.drive();
  EXPECT_TRUE(f.client.open_stream(f.net.now));
}

// A window update sent while a frame's payload is still arriving must not
// credit the bytes that are announced but not yet buffered.
TEST(yamux_session, window_update_mid_frame_counts_the_announced_bytes) {
  yamux_config cfg;
  cfg.auto_tune = false;
  yamux_session s(yamux_role::server, test_start(), cfg);
  bytes out;
  while (s.poll_transmit(out)) {
  }
  s.handle_input(frame(yamux_type::data, yamux_flag::syn, 1, yamux_initial_window), test_start());
  bytes part(200 * 1024, 'q');
  s.handle_input(part, test_start());
  std::vector<std::uint8_t> buf(part.size());
  ASSERT_EQ(s.read(1, buf, test_start())->size, part.size());
  ASSERT_TRUE(s.poll_transmit(out));
  EXPECT_EQ(to_hex(out), to_hex(frame(yamux_type::window_update, yamux_flag::ack, 1, 200 * 1024)));
  // The rest of the frame, then a full new window's worth: all within bounds.
  s.handle_input(bytes(yamux_initial_window - part.size(), 'r'), test_start());
  auto more = frame(yamux_type::data, 0, 1, 200 * 1024);
  more.resize(more.size() + 200 * 1024, 's');
  s.handle_input(more, test_start());
  EXPECT_FALSE(s.closed());
  EXPECT_EQ(s.stream_info(1)->buffered, yamux_initial_window);
  s.handle_input(frame(yamux_type::data, 0, 1, 1, as_bytes("t")), test_start());
  ASSERT_TRUE(s.closed());
  EXPECT_EQ(s.close_reason()->code, yamux_errc::protocol_error);
}
