#pragma once
// A scripted application on top of a yamux_session for tests: drains events,
// reads what arrives (or not, to play a slow reader), echoes if asked, and
// keeps writing queued data as windows open.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "p2p/yamux_session.hpp"

namespace converge::p2p::testing {

struct yamux_app {
  explicit yamux_app(yamux_session& session) : s(session) {}

  yamux_session& s;
  bool auto_read = true;
  bool echo = false;
  bool keep_data = true;  // false: only count received bytes (bulk transfers)
  std::map<std::uint32_t, std::size_t> received_bytes;
  std::vector<yamux_event> events;
  std::map<std::uint32_t, std::string> received;
  std::map<std::uint32_t, std::string> to_send;  // queued writes, drained as windows allow
  std::set<std::uint32_t> close_after_send;       // FIN once to_send for the stream is empty
  std::set<std::uint32_t> opened, fins, resets, eofs;
  std::optional<error> closed;
  std::size_t writable_events = 0;

  void send(std::uint32_t id, std::string data, bool fin = false) {
    to_send[id] += data;
    if (fin) close_after_send.insert(id);
    flush(id, instant{});
  }

  void pump(instant now) {
    while (auto e = s.poll_event()) {
      events.push_back(*e);
      std::visit([&](auto& ev) { on(ev, now); }, *e);
    }
  }

  void read_all(std::uint32_t id, instant now) {
    std::uint8_t buf[64 * 1024];
    for (;;) {
      auto r = s.read(id, buf, now);
      if (!r) return;
      received_bytes[id] += r->size;
      if (keep_data) received[id].append(reinterpret_cast<const char*>(buf), r->size);
      if (echo && r->size > 0) {
        to_send[id].append(reinterpret_cast<const char*>(buf), r->size);
        flush(id, now);
      }
      if (r->fin) eofs.insert(id);
      if (r->size == 0) return;
    }
  }

  void flush(std::uint32_t id, instant now) {
    auto& q = to_send[id];
    if (!q.empty()) {
      auto n = s.write(id, as_bytes(q), now);
      if (!n) return;
      q.erase(0, *n);
    }
    if (q.empty() && close_after_send.erase(id)) (void)s.close_write(id);
  }
  void flush_all(instant now) {
    for (auto& [id, q] : to_send) flush(id, now);
  }

  void on(const inbound_stream& e, instant) { opened.insert(e.id); }
  void on(const stream_readable& e, instant now) {
    if (auto_read) read_all(e.id, now);
  }
  void on(const stream_writable& e, instant now) {
    ++writable_events;
    flush(e.id, now);
  }
  void on(const stream_remote_closed& e, instant now) {
    fins.insert(e.id);
    if (auto_read) read_all(e.id, now);
    if (echo) {
      close_after_send.insert(e.id);
      flush(e.id, now);
    }
  }
  void on(const stream_reset& e, instant) { resets.insert(e.id); }
  void on(const go_away_received&, instant) {}
  void on(const rtt_measured&, instant) {}
  void on(const session_closed& e, instant) { closed = e.reason; }
};

}  // namespace converge::p2p::testing
