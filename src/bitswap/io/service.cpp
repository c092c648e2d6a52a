#include "bitswap/io/service.hpp"

#include "bitswap/errors.hpp"
#include "p2p/io/errors.hpp"
#include "unixfs/dag_pb.hpp"

namespace converge::bitswap {
namespace io = p2p::io;

namespace {
instant now() { return std::chrono::steady_clock::now(); }
std::vector<std::string> all_protocols() {
  return {std::string(protocol_v1_2_0), std::string(protocol_v1_1_0), std::string(protocol_v1_0_0)};
}
}  // namespace

std::shared_ptr<service> service::create(std::shared_ptr<io::host> host, blocks::blockstore& store, service_options options) {
  return std::shared_ptr<service>(new service(std::move(host), store, options));
}

service::service(std::shared_ptr<io::host> host, blocks::blockstore& store, service_options options)
    : host_(std::move(host)),
      store_(store),
      options_(options),
      provider_(store),
      engine_(std::make_unique<engine>(provider_, unixfs::block_links, options.engine)),
      timer_(host_->executor()) {}

service::~service() = default;

void service::start() {
  std::weak_ptr<service> weak = weak_from_this();
  for (const auto& p : all_protocols()) {
    host_->set_stream_handler(p, [weak](io::stream s) -> io::task<void> {
      auto self = weak.lock();
      if (!self) {
        s.reset();
        co_return;
      }
      co_await reader(self, std::move(s));
    });
  }
  io::asio::co_spawn(host_->executor(), timer_loop(shared_from_this()), io::asio::detached);
}

void service::stop() {
  stopped_ = true;
  for (const auto& p : all_protocols()) host_->remove_stream_handler(p);
  timer_.cancel();
  for (auto& [id, ps] : peers_) {
    ps->gone = true;
    if (ps->out) ps->out->reset();
  }
  for (auto& [sid, w] : waiters_) {
    if (!w.outcome) w.outcome = fail(bitswap_errc::not_found, "bitswap stopped");
    w.wake->notify();
  }
}

std::optional<peer_key> service::key_of(const crypto::peer_id& p) const {
  auto it = peers_.find(p);
  if (it == peers_.end()) return std::nullopt;
  return it->second->key;
}

std::shared_ptr<service::peer_state> service::ensure_peer(const crypto::peer_id& p, protocol_version v) {
  auto it = peers_.find(p);
  if (it != peers_.end()) return it->second;
  auto ps = std::make_shared<peer_state>(peer_state{p, next_key_++, std::nullopt, {}, false, false});
  if (auto r = engine_->peer_connected(ps->key, v, now()); !r) return nullptr;
  peers_.emplace(p, ps);
  by_key_.emplace(ps->key, ps);
  return ps;
}

void service::forget_peer(const std::shared_ptr<peer_state>& ps) {
  if (ps->gone) return;
  ps->gone = true;
  if (ps->out) ps->out->reset();
  peers_.erase(ps->id);
  by_key_.erase(ps->key);
  engine_->peer_disconnected(ps->key, now());
  pump();
}

io::task<result<void>> service::add_peer(crypto::peer_id peer) {
  if (auto it = peers_.find(peer); it != peers_.end() && it->second->out) co_return ok();
  auto s = co_await host_->new_stream(peer, all_protocols());
  if (!s) co_return fail(with_context(s.error(), "opening bitswap to " + peer.to_string()));
  auto v = parse_protocol(s->protocol()).value_or(protocol_version::v1_2_0);
  auto ps = ensure_peer(peer, v);
  if (!ps) {
    s->reset();
    co_return fail(bitswap_errc::too_large, "bitswap peer limit reached");
  }
  if (!ps->out) ps->out = *s;
  else s->reset();
  pump();
  co_return ok();
}

io::task<result<session_stats>> service::fetch(mf::cid root, progress_fn progress) {
  auto sid = engine_->start_session(root, now());
  if (!sid) co_return fail(sid.error());
  auto& w = waiters_[*sid];
  w.wake = std::make_shared<io::signal>(host_->executor());
  w.progress = std::move(progress);
  auto wake = w.wake;
  pump();
  while (true) {
    auto it = waiters_.find(*sid);
    if (it == waiters_.end()) co_return fail(bitswap_errc::unknown_session, "session vanished");
    if (it->second.outcome) {
      auto out = std::move(*it->second.outcome);
      waiters_.erase(it);
      co_return out;
    }
    auto gen = wake->generation();
    co_await wake->wait(gen);
  }
}

void service::block_added(const mf::cid& id) {
  engine_->block_added(id, now());
  pump();
}

void service::pump() {
  if (pumping_) {
    again_ = true;
    return;
  }
  pumping_ = true;
  do {
    again_ = false;
    auto t = now();
    while (auto e = engine_->poll_event()) {
      if (auto* b = std::get_if<events::block_received>(&*e)) {
        auto put = store_.put(b->block);
        if (!put) {
          auto it = waiters_.find(b->session);
          if (it != waiters_.end() && !it->second.outcome) {
            it->second.outcome = fail(with_context(put.error(), "storing " + b->block.id.to_string()));
            it->second.wake->notify();
          }
          engine_->cancel_session(b->session);
          continue;
        }
        engine_->block_added(b->block.id, t);
        if (auto it = waiters_.find(b->session); it != waiters_.end() && it->second.progress && !it->second.outcome)
          if (const auto* st = engine_->session(b->session); st && !it->second.progress(*st)) {
            it->second.outcome = fail(bitswap_errc::unknown_session, "cancelled");
            it->second.wake->notify();
            engine_->cancel_session(b->session);
          }
      } else if (auto* d = std::get_if<events::session_done>(&*e)) {
        if (auto it = waiters_.find(d->session); it != waiters_.end() && !it->second.outcome) {
          it->second.outcome = d->stats;
          it->second.wake->notify();
        }
      } else if (auto* f = std::get_if<events::session_failed>(&*e)) {
        if (auto it = waiters_.find(f->session); it != waiters_.end() && !it->second.outcome) {
          it->second.outcome = fail(f->err);
          it->second.wake->notify();
        }
      } else if (auto* np = std::get_if<events::need_providers>(&*e)) {
        if (options_.fail_when_stalled) {
          if (auto it = waiters_.find(np->session); it != waiters_.end() && !it->second.outcome) {
            it->second.outcome = fail(bitswap_errc::not_found, "no connected peer has " + np->cid.to_string());
            it->second.wake->notify();
          }
          engine_->cancel_session(np->session);
        }
      } else if (auto* p = std::get_if<events::peer_penalised>(&*e)) {
        if (auto it = by_key_.find(p->peer); it != by_key_.end()) {
          auto ps = it->second;
          ps->gone = true;
          if (ps->out) ps->out->reset();
          peers_.erase(ps->id);
          by_key_.erase(it);
          host_->disconnect(ps->id);
        }
      }
    }
    while (auto out = engine_->poll_transmit(t)) {
      auto it = by_key_.find(out->peer);
      if (it == by_key_.end()) continue;
      auto ps = it->second;
      ps->queue.push_back(std::move(out->payload));
      if (!ps->writer_running) {
        ps->writer_running = true;
        io::asio::co_spawn(host_->executor(), writer(shared_from_this(), ps), io::asio::detached);
      }
    }
  } while (again_);
  pumping_ = false;
  auto next = engine_->poll_timeout();
  if (next && (!armed_ || *next < *armed_)) timer_.cancel();
}

io::task<void> service::reader(std::shared_ptr<service> self, io::stream s) {
  auto v = parse_protocol(s.protocol()).value_or(protocol_version::v1_2_0);
  auto ps = self->ensure_peer(s.remote_peer(), v);
  if (!ps) {
    s.reset();
    co_return;
  }
  frame_reader frames(self->options_.engine.limits.max_message_bytes);
  bytes buf(16 * 1024);  // one per inbound stream: small (the frame reader assembles messages)
  while (!self->stopped_ && !ps->gone) {
    auto n = co_await s.read_some(buf);
    if (!n || *n == 0) break;
    if (auto f = frames.feed(bytes_view(buf).first(*n)); !f) {
      s.reset();
      self->forget_peer(ps);
      co_return;
    }
    while (true) {
      auto m = frames.next();
      if (!m) {
        s.reset();
        self->forget_peer(ps);
        co_return;
      }
      if (!*m) break;
      if (ps->gone) break;
      self->engine_->handle_message(ps->key, **m, now());
      self->pump();
    }
  }
  (void)s.close_write();
}

io::task<void> service::writer(std::shared_ptr<service> self, std::shared_ptr<peer_state> ps) {
  while (!ps->queue.empty() && !ps->gone) {
    if (!ps->out) {
      auto s = co_await self->host_->new_stream(ps->id, all_protocols());
      if (!s) {
        ps->writer_running = false;
        self->forget_peer(ps);
        co_return;
      }
      ps->out = *s;
    }
    bytes payload = std::move(ps->queue.front());
    ps->queue.pop_front();
    // The length prefix, then the payload as it is (no framed copy of a block-sized message).
    const auto prefix = encode_uvarint(payload.size());
    auto stream = *ps->out;
    auto w = co_await stream.write_all(prefix);
    if (w) w = co_await stream.write_all(payload);
    if (!w) {
      ps->writer_running = false;
      self->forget_peer(ps);
      co_return;
    }
    self->engine_->sent(ps->key, payload.size());
    self->pump();
  }
  ps->writer_running = false;
}

io::task<void> service::timer_loop(std::shared_ptr<service> self) {
  while (!self->stopped_) {
    auto next = self->engine_->poll_timeout();
    self->armed_ = next;
    self->timer_.expires_at(next ? *next : instant::max());
    co_await self->timer_.async_wait(io::use_tuple);
    self->armed_.reset();
    if (self->stopped_) break;
    auto t = now();
    if (auto n = self->engine_->poll_timeout(); n && *n <= t) {
      self->engine_->handle_timeout(t);
      self->pump();
    }
  }
}

}  // namespace converge::bitswap
