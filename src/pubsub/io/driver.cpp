// The pubsub driver: the API, the pump that drains the router after every
// call, local delivery, asynchronous validators and the heartbeat timer.
// Streams and per-peer writers live in driver_links.cpp.
#include "pubsub/io/driver.hpp"

#include "pubsub/errors.hpp"

namespace converge::pubsub::io {
namespace {

instant now() { return std::chrono::steady_clock::now(); }

}  // namespace

result<std::shared_ptr<driver>> driver::create(std::shared_ptr<p2pio::host> host, driver_config config) {
  if (!host) return fail(pubsub_errc::invalid_argument, "pubsub driver: no host");
  if (auto v = validate_options(config.router); !v) return fail(v.error());
  if (config.max_peer_queue_frames == 0 || config.max_peer_queue_bytes == 0 || config.subscription_queue == 0 ||
      config.max_subscriptions == 0 || config.max_peers == 0 || config.max_inbound_streams_per_peer == 0)
    return fail(pubsub_errc::invalid_argument, "pubsub driver: queue and count bounds must be positive");
  return std::shared_ptr<driver>(new driver(std::move(host), std::move(config)));
}

driver::driver(std::shared_ptr<p2pio::host> host, driver_config config)
    : host_(std::move(host)),
      config_(std::move(config)),
      router_(std::make_unique<gossip_router>(host_->identity(), rng_, config_.router, now())),
      changed_(host_->executor()),
      timer_(host_->executor()) {}

driver::~driver() = default;

std::vector<std::string> driver::protocols() const {
  if (config_.kind == router_kind::floodsub) return {std::string(protocol_id(protocol::floodsub_v10))};
  return {std::string(protocol_id(protocol::meshsub_v12)), std::string(protocol_id(protocol::meshsub_v11)),
          std::string(protocol_id(protocol::meshsub_v10)), std::string(protocol_id(protocol::floodsub_v10))};
}

void driver::start() {
  if (started_ || stopped_) return;
  started_ = true;
  std::weak_ptr<driver> weak = shared_from_this();
  for (const auto& proto : protocols())
    host_->set_stream_handler(proto, [weak](p2pio::stream s) { return serve_inbound(weak, std::move(s)); });
  p2pio::asio::co_spawn(host_->executor(), heartbeat_loop(shared_from_this()), p2pio::asio::detached);
  host_->push_identify();
}

void driver::stop() {
  if (stopped_) return;
  stopped_ = true;
  for (const auto& proto : protocols()) host_->remove_stream_handler(proto);
  auto links = std::move(links_);
  links_.clear();
  for (auto& [p, l] : links) {
    l->gone = true;
    if (l->out) l->out->reset();
    for (auto& s : l->inbound) s.reset();
    l->wake.notify();
  }
  for (auto& [topic, handles] : subs_)
    for (auto& [id, weak] : handles)
      if (auto s = weak.lock()) s->close();
  subs_.clear();
  timer_.cancel();
  changed_.notify();
}

void driver::on_host_event(const p2pio::host_event& e) {
  if (stopped_) return;
  if (const auto* c = std::get_if<p2pio::peer_connected>(&e)) {
    add_peer(c->peer);
  } else if (const auto* d = std::get_if<p2pio::peer_disconnected>(&e)) {
    if (!host_->connection_to(d->peer)) drop_peer(d->peer);
  }
}

result<std::shared_ptr<subscription>> driver::subscribe(const std::string& topic) {
  if (stopped_) return fail(pubsub_errc::invalid_argument, "subscribe: the pubsub driver is stopped");
  if (open_subs_ >= config_.max_subscriptions)
    return fail(pubsub_errc::invalid_argument,
                "subscribe: " + std::to_string(open_subs_) + " subscriptions open (max_subscriptions)");
  if (!router_->subscribed(topic)) {
    auto r = router_->subscribe(topic, now());
    if (!r) return fail(r.error());
  }
  auto s = std::make_shared<subscription>(weak_from_this(), topic, next_sub_id_++, host_->executor());
  subs_[topic][s->id_] = s;
  ++open_subs_;
  pump();
  return s;
}

void driver::unsubscribe_handle(const std::string& topic, std::uint64_t id) {
  auto it = subs_.find(topic);
  if (it == subs_.end() || !it->second.erase(id)) return;
  --open_subs_;
  if (!it->second.empty()) return;
  subs_.erase(it);
  if (!stopped_ && router_->subscribed(topic)) {
    (void)router_->unsubscribe(topic, now());
    pump();
  }
}

result<message_id> driver::publish(const std::string& topic, bytes_view data) {
  if (stopped_) return fail(pubsub_errc::invalid_argument, "publish: the pubsub driver is stopped");
  auto id = router_->publish(topic, data, now());
  if (!id) return fail(id.error());
  // Local subscribers get our own messages too (as go-libp2p and js-libp2p deliver them).
  if (subs_.contains(topic)) {
    if (const auto* m = router_->mcache().get(*id)) {
      ++counters_.local_deliveries;
      deliver(received_message{*id, host_->id(), *m});
    }
  }
  pump();
  return id;
}

void driver::set_validator(const std::string& topic, validator_fn fn) {
  async_validators_.erase(topic);
  router_->set_validator(topic, std::move(fn));
}

void driver::set_async_validator(const std::string& topic, async_validator fn) {
  if (!fn) {
    async_validators_.erase(topic);
    router_->set_validator(topic, nullptr);
    return;
  }
  async_validators_[topic] = std::move(fn);
  router_->set_validator(topic, [](const crypto::peer_id&, const pb::Message&) { return validator_verdict::defer; });
}

std::vector<std::string> driver::topics() const {
  std::vector<std::string> out;
  for (const auto& [topic, handles] : subs_) out.push_back(topic);
  return out;
}

std::vector<crypto::peer_id> driver::peers(const std::string& topic) const {
  std::vector<crypto::peer_id> out;
  for (const auto& [p, l] : links_)
    if (l->in_router && (topic.empty() || router_->peer_subscribed(p, topic))) out.push_back(p);
  return out;
}

void driver::pump() {
  if (stopped_) return;
  while (auto o = router_->poll_send()) enqueue(o->peer, encode_frame(o->rpc));
  while (auto e = router_->poll_event()) dispatch(std::move(*e));
  rearm_timer();
  changed_.notify();
}

void driver::dispatch(router_event e) {
  if (auto* m = std::get_if<message_event>(&e)) {
    deliver(received_message{std::move(m->id), std::move(m->source), std::move(m->message)});
  } else if (auto* v = std::get_if<validation_request>(&e)) {
    auto it = async_validators_.find(v->message.topic());
    if (it == async_validators_.end()) {
      (void)router_->report_validation(v->id, validation_result::ignore, now());
      return;
    }
    ++counters_.async_validations;
    p2pio::asio::co_spawn(host_->executor(), run_validator(shared_from_this(), it->second, std::move(*v)),
                          p2pio::asio::detached);
  } else if (auto* s = std::get_if<score_event>(&e)) {
    on_score(*s);
  } else if (auto* px = std::get_if<px_event>(&e)) {
    dial_px(*px);
  }
  // Mesh changes need no action here: the router keeps the mesh.
}

void driver::deliver(const received_message& m) {
  auto it = subs_.find(m.message.topic());
  if (it == subs_.end()) return;
  for (auto& [id, weak] : it->second) {
    if (auto s = weak.lock()) {
      auto before = s->dropped();
      s->push(m, config_.subscription_queue);
      counters_.subscription_drops += s->dropped() - before;
    }
  }
}

task<void> driver::run_validator(std::shared_ptr<driver> self, async_validator fn, validation_request req) {
  auto verdict = co_await fn(req.source, req.message);
  if (self->stopped_) co_return;
  // unknown_message: it timed out meanwhile (the router treated it as ignore).
  (void)self->router_->report_validation(req.id, verdict, now());
  self->pump();
}

void driver::rearm_timer() {
  auto next = router_->poll_timeout();
  if (!next || *next >= armed_) return;
  armed_ = *next;
  timer_.expires_at(*next);  // cancels a pending wait: the loop re-reads the deadline
}

task<void> driver::heartbeat_loop(std::shared_ptr<driver> self) {
  while (!self->stopped_) {
    auto next = self->router_->poll_timeout();
    self->armed_ = next ? *next : instant::max();
    self->timer_.expires_at(self->armed_);
    (void)co_await self->timer_.async_wait(p2pio::use_tuple);
    if (self->stopped_) break;
    auto t = now();
    if (next && t >= *next) {
      self->router_->handle_timeout(t);
      self->sweep();
      self->share_records();
    }
    self->armed_ = instant::max();
    self->pump();
  }
}

// --- subscription ---

subscription::~subscription() { cancel(); }

void subscription::push(const received_message& m, std::size_t bound) {
  if (closed_) return;
  if (queue_.size() >= bound) {
    ++dropped_;
    return;
  }
  queue_.push_back(m);
  wake_.notify();
}

void subscription::close() {
  closed_ = true;
  wake_.notify();
}

void subscription::cancel() {
  if (closed_) return;
  close();
  if (auto d = driver_.lock()) d->unsubscribe_handle(topic_, id_);
}

std::optional<received_message> subscription::try_next() {
  if (queue_.empty()) return std::nullopt;
  auto m = std::move(queue_.front());
  queue_.pop_front();
  return m;
}

task<std::optional<received_message>> subscription::next() {
  while (true) {
    auto seen = wake_.generation();
    if (auto m = try_next()) co_return m;
    if (closed_) co_return std::nullopt;
    co_await wake_.wait(seen);
  }
}

}  // namespace converge::pubsub::io
