// Composition of two cores the way the connection upgrader will do it:
// multistream-select picks /yamux/1.0.0, then a yamux_session takes over the
// same byte stream, starting with the leftover bytes behind the negotiation.
// The lazy initiator starts yamux before the responder has confirmed, so its
// first yamux frames travel right behind the proposal.
#include <gtest/gtest.h>

#include <memory>

#include "p2p/multistream.hpp"
#include "p2p/yamux_session.hpp"
#include "pair.hpp"
#include "yamux_app.hpp"

using namespace converge;
using namespace converge::p2p;
using converge::p2p::testing::pair;
using converge::p2p::testing::test_start;
using converge::p2p::testing::yamux_app;

namespace {

class muxed_connection {
 public:
  muxed_connection(bool initiator, bool lazy) : role_(initiator ? yamux_role::client : yamux_role::server) {
    multistream_options o;
    o.lazy = lazy;
    if (!initiator) {
      ms_ = std::make_unique<multistream_responder>(std::vector<std::string>{"/yamux/1.0.0"}, test_start(), o);
      return;
    }
    // Lazy selection needs a single protocol; otherwise try mplex first and fall back.
    std::vector<std::string> protocols{"/yamux/1.0.0"};
    if (!lazy) protocols.insert(protocols.begin(), "/mplex/6.7.0");
    ms_ = std::make_unique<multistream_initiator>(multistream_initiator::create(protocols, test_start(), o).value());
    if (lazy) start_mux(test_start());  // optimistic: speak yamux before the echo arrives
  }

  std::optional<yamux_session> mux;
  std::optional<yamux_app> app;
  std::size_t leftover_seen = 0;

  void handle_input(bytes_view data, instant now) {
    if (ms_->state() == multistream_state::done && mux) return mux->handle_input(data, now);
    ms_->handle_input(data, now);
    if (ms_->state() == multistream_state::done) {
      if (!mux) start_mux(now);
      bytes rest = ms_->take_leftover();  // never lost: it is the first yamux input
      leftover_seen += rest.size();
      mux->handle_input(rest, now);
    }
  }
  void handle_eof() {
    ms_->handle_eof();
    if (mux) mux->handle_eof();
  }
  // Negotiation bytes first, yamux frames right behind them in the same write,
  // so the peer's multistream core sees them as leftover.
  bool poll_transmit(bytes& out) {
    bool any = ms_->poll_transmit(out);
    if (mux && mux->poll_transmit(scratch_)) {
      append(out, scratch_);
      any = true;
    }
    return any;
  }
  std::optional<instant> poll_timeout() const { return mux ? mux->poll_timeout() : ms_->poll_timeout(); }
  void handle_timeout(instant now) {
    ms_->handle_timeout(now);
    if (mux) mux->handle_timeout(now);
  }
  [[nodiscard]] const multistream_core& negotiation() const { return *ms_; }

 private:
  void start_mux(instant now) {
    mux.emplace(role_, now);
    app.emplace(*mux);
  }
  yamux_role role_;
  std::unique_ptr<multistream_core> ms_;
  bytes scratch_;
};

}  // namespace

TEST(upgrade, multistream_then_yamux_on_one_byte_stream) {
  for (bool lazy : {false, true}) {
    for (std::size_t chunk : {std::size_t{1}, SIZE_MAX}) {
      muxed_connection a(true, lazy), b(false, lazy);
      pair net(a, b);
      net.chunk = chunk;
      std::optional<std::uint32_t> id;
      net.react = [&] {
        if (a.app) a.app->pump(net.now);
        if (b.app) {
          b.app->echo = true;
          b.app->pump(net.now);
        }
        if (a.mux && !id) {
          id = a.mux->open_stream(net.now).value();
          a.app->send(*id, "through the upgrade", true);
        }
      };
      if (lazy) net.react();  // the lazy initiator writes its first stream right away
      ASSERT_TRUE(net.run_until([&] { return a.app && id && a.app->eofs.contains(*id); }, std::chrono::seconds{5}))
          << lazy << chunk;
      EXPECT_EQ(a.app->received[*id], "through the upgrade");
      EXPECT_EQ(a.negotiation().selected_protocol(), "/yamux/1.0.0");
      EXPECT_EQ(b.negotiation().selected_protocol(), "/yamux/1.0.0");
      if (lazy && chunk == SIZE_MAX) {
        EXPECT_GT(b.leftover_seen, 0u);  // yamux frames arrived glued to the negotiation
      }
    }
  }
}
