// The pubsub driver's streams: per peer, our outbound stream and its writer
// (one coroutine and one bounded queue per peer, so a slow peer stalls only
// itself), the peer's inbound streams and their readers, and the bookkeeping
// that adds peers to the router and removes them.
#include <algorithm>
#include <array>

#include "pubsub/io/driver.hpp"

namespace converge::pubsub::io {
namespace {

instant now() { return std::chrono::steady_clock::now(); }

// Frames are written in batches of about this size (one Yamux write each).
constexpr std::size_t write_batch_bytes = 64 * 1024;

std::string ip_of(const mf::multiaddr& addr) {
  auto ep = p2pio::to_endpoint(addr);
  return ep ? ep->address().to_string() : std::string{};
}

}  // namespace

std::shared_ptr<driver::link> driver::link_for(const crypto::peer_id& p) {
  if (auto it = links_.find(p); it != links_.end()) return it->second;
  if (links_.size() >= config_.max_peers || p == host_->id()) return nullptr;
  auto l = std::make_shared<link>(host_->executor());
  links_.emplace(p, l);
  return l;
}

void driver::add_peer(const crypto::peer_id& p) {
  if (stopped_ || !started_) return;
  if (!host_->connection_to(p)) return;
  auto l = link_for(p);
  if (!l || l->out || l->opening) return;
  l->opening = true;
  p2pio::asio::co_spawn(host_->executor(), open_outbound(shared_from_this(), p, l), p2pio::asio::detached);
}

bool driver::join_router(const crypto::peer_id& p, std::shared_ptr<link> l, const std::string& proto) {
  if (l->in_router) return true;
  auto parsed = parse_protocol_id(proto);
  if (!parsed) return false;
  auto conn = host_->connection_to(p);
  if (!conn) return false;
  auto r = router_->add_peer(p, *parsed, conn->dir() == p2pio::direction::outbound, now(), ip_of(conn->remote_addr()));
  if (!r) return false;
  l->in_router = true;
  ++counters_.peers_added;
  return true;
}

task<void> driver::open_outbound(std::shared_ptr<driver> self, crypto::peer_id p, std::shared_ptr<link> l) {
  auto conn = self->host_->connection_to(p);
  if (!conn) {
    l->opening = false;
    self->sweep();
    co_return;
  }
  auto protos = self->protocols();
  auto s = co_await self->host_->new_stream(conn, std::move(protos));
  l->opening = false;
  if (l->gone || self->stopped_) {
    if (s) s->reset();
    co_return;
  }
  if (!s) {
    // The peer does not speak pubsub, or the connection went away.
    ++self->counters_.stream_open_failures;
    self->sweep();
    self->changed_.notify();
    co_return;
  }
  ++self->counters_.streams_opened;
  l->out = *s;
  if (!self->join_router(p, l, s->protocol())) {
    s->reset();
    self->drop_peer(p);
    co_return;
  }
  if (!l->writer) {
    l->writer = true;
    p2pio::asio::co_spawn(self->host_->executor(), write_loop(self, p, l), p2pio::asio::detached);
  }
  self->pump();
}

void driver::enqueue(const crypto::peer_id& p, bytes frame) {
  auto it = links_.find(p);
  if (it == links_.end() || it->second->gone) {
    ++counters_.frames_dropped;
    return;
  }
  auto& l = *it->second;
  if (l.queue.size() >= config_.max_peer_queue_frames || l.queued_bytes + frame.size() > config_.max_peer_queue_bytes) {
    ++counters_.frames_dropped;
    return;
  }
  l.queued_bytes += frame.size();
  l.queue.push_back(std::move(frame));
  l.wake.notify();
}

task<void> driver::write_loop(std::shared_ptr<driver> self, crypto::peer_id p, std::shared_ptr<link> l) {
  // A copy of the handle: the link's optional may be replaced while we write.
  auto out = *l->out;
  bytes batch;
  while (!l->gone && !self->stopped_) {
    auto seen = l->wake.generation();
    if (l->queue.empty()) {
      co_await l->wake.wait(seen);
      continue;
    }
    batch.clear();
    while (!l->queue.empty() && batch.size() < write_batch_bytes) {
      auto& f = l->queue.front();
      batch.insert(batch.end(), f.begin(), f.end());
      l->queued_bytes -= f.size();
      l->queue.pop_front();
      ++self->counters_.frames_sent;
    }
    auto w = co_await out.write_all(batch);
    if (!w) {
      // Our stream is broken (reset by the peer, or the connection ended):
      // the router cannot reach the peer any more.
      if (!l->gone && !self->stopped_) self->drop_peer(p);
      break;
    }
  }
  l->writer = false;
}

task<void> driver::serve_inbound(std::weak_ptr<driver> weak, p2pio::stream s) {
  auto self = weak.lock();
  if (!self || self->stopped_) {
    s.reset();
    co_return;
  }
  auto p = s.remote_peer();
  auto l = self->link_for(p);
  if (!l || l->gone || l->inbound.size() >= self->config_.max_inbound_streams_per_peer ||
      !self->join_router(p, l, s.protocol())) {
    ++self->counters_.streams_refused;
    s.reset();
    if (l && !l->in_router && !l->opening && !l->out && l->inbound.empty()) self->drop_peer(p);
    co_return;
  }
  l->inbound.push_back(s);
  if (!l->out && !l->opening) {
    l->opening = true;
    p2pio::asio::co_spawn(self->host_->executor(), open_outbound(self, p, l), p2pio::asio::detached);
  }
  self->pump();
  co_await self->read_loop(std::move(s), l);
}

task<void> driver::read_loop(p2pio::stream s, std::shared_ptr<link> l) {
  const auto p = s.remote_peer();
  frame_decoder decoder(config_.router.max_rpc_size);
  std::array<std::uint8_t, 16 * 1024> buf{};
  while (!l->gone && !stopped_) {
    auto n = co_await s.read_some(buf);
    if (!n || *n == 0 || l->gone || stopped_) break;
    auto in = decoder.handle_input(bytes_view(buf.data(), *n));
    if (!in) {
      ++counters_.bad_frames;
      s.reset();
      break;
    }
    while (auto f = decoder.next_frame()) {
      ++counters_.frames_received;
      // Undecodable RPCs are counted and scored by the router.
      (void)router_->handle_rpc(p, *f, now());
      if (l->gone || stopped_) break;
    }
    pump();
  }
  std::erase_if(l->inbound, [&](const p2pio::stream& x) { return x.id() == s.id() && x.conn() == s.conn(); });
  if (!l->gone && !stopped_ && !host_->connection_to(p)) drop_peer(p);
}

void driver::drop_peer(const crypto::peer_id& p) {
  auto it = links_.find(p);
  if (it == links_.end()) return;
  auto l = it->second;
  links_.erase(it);
  l->gone = true;
  if (l->in_router) {
    router_->remove_peer(p, now());
    ++counters_.peers_removed;
  }
  if (l->out) l->out->reset();
  auto inbound = l->inbound;
  for (auto& s : inbound) s.reset();
  l->queue.clear();
  l->queued_bytes = 0;
  l->wake.notify();
  pump();
}

void driver::sweep() {
  std::vector<crypto::peer_id> dead;
  for (const auto& [p, l] : links_) {
    bool idle = !l->in_router && !l->opening && !l->out && l->inbound.empty();
    if (idle || (!l->opening && !host_->connection_to(p))) dead.push_back(p);
  }
  for (const auto& p : dead) drop_peer(p);
}

}  // namespace converge::pubsub::io
