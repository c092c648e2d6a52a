#include "kad/io/driver.hpp"

#include <algorithm>

#include "kad/message.hpp"

namespace converge::kad::io {

namespace {
instant now() { return std::chrono::steady_clock::now(); }

bool speaks_kad(const std::vector<std::string>& protocols) {
  return std::find(protocols.begin(), protocols.end(), protocol_id) != protocols.end();
}

// Reads one frame from the stream through `dec` (which may hold bytes of a previous read).
task<result<std::optional<bytes>>> read_frame(p2pio::stream& s, frame_decoder& dec) {
  std::array<std::uint8_t, 16384> buf{};
  for (;;) {
    if (auto f = dec.next_frame()) co_return std::optional<bytes>{std::move(*f)};
    auto n = co_await s.read_some(buf);
    if (!n) co_return fail(n.error());
    if (*n == 0) co_return std::optional<bytes>{};
    auto in = dec.handle_input(bytes_view(buf.data(), *n));
    if (!in) co_return fail(in.error());
  }
}
}  // namespace

std::shared_ptr<driver> driver::create(std::shared_ptr<p2pio::host> host,
                                       std::shared_ptr<const validator_registry> validators,
                                       std::shared_ptr<record_store> store, driver_config config) {
  return std::shared_ptr<driver>(new driver(std::move(host), std::move(validators), std::move(store), config));
}

driver::driver(std::shared_ptr<p2pio::host> host, std::shared_ptr<const validator_registry> validators,
               std::shared_ptr<record_store> store, driver_config config)
    : host_(std::move(host)),
      config_(config),
      timer_(host_->executor()),
      done_(host_->executor()) {
  core_ = std::make_unique<dht>(host_->id(), std::move(validators), std::move(store), clock_, host_->random(),
                                config_.dht, now());
}

driver::~driver() = default;

void driver::start() {
  if (started_ || stopped_) return;
  started_ = true;
  std::vector<bytes> addrs;
  for (const auto& a : host_->listen_addrs()) addrs.push_back(a.to_bytes());
  core_->set_listen_addrs(std::move(addrs));
  if (config_.dht.mode == mode::server) {
    std::weak_ptr<driver> weak = shared_from_this();
    host_->set_stream_handler(std::string(protocol_id), [weak](p2pio::stream s) { return serve(weak, std::move(s)); });
    host_->push_identify();
  }
  p2pio::asio::co_spawn(host_->executor(), timer_loop(shared_from_this()), p2pio::asio::detached);
}

void driver::stop() {
  if (stopped_) return;
  stopped_ = true;
  if (config_.dht.mode == mode::server) host_->remove_stream_handler(std::string(protocol_id));
  timer_.cancel();
  done_.notify();
}

peer_info driver::info_of(const crypto::peer_id& peer) const {
  peer_info p{peer, {}, connection_type::not_connected};
  for (const auto& a : host_->peers().addrs(peer, now())) p.addrs.push_back(a.to_bytes());
  if (host_->connection_to(peer)) p.connection = connection_type::connected;
  return p;
}

void driver::on_host_event(const p2pio::host_event& e) {
  if (stopped_) return;
  if (const auto* id = std::get_if<p2pio::identify_completed>(&e)) {
    core_->peer_connected(info_of(id->peer), speaks_kad(id->info.protocols), now());
    pump();
  }
}

void driver::add_peer(const crypto::peer_id& peer, const std::vector<mf::multiaddr>& addrs) {
  host_->peers().add_addrs(peer, addrs, config_.address_ttl, now());
  core_->peer_connected(info_of(peer), true, now());
  pump();
}

void driver::bootstrap() {
  core_->bootstrap(now());
  pump();
}

void driver::pump() {
  if (stopped_) return;
  while (auto req = core_->poll_request())
    p2pio::asio::co_spawn(host_->executor(), run_request(shared_from_this(), std::move(*req)), p2pio::asio::detached);
  bool any = false;
  while (auto e = core_->poll_event()) {
    auto d = std::get<query_done>(std::move(*e));
    finished_.insert_or_assign(d.id, std::move(d));
    any = true;
  }
  if (any) done_.notify();
  // The core's next wake-up may have moved earlier.
  if (auto t = core_->poll_timeout(); t && *t < timer_.expiry()) timer_.cancel();
}

task<void> driver::timer_loop(std::shared_ptr<driver> self) {
  while (!self->stopped_) {
    auto next = self->core_->poll_timeout();
    self->timer_.expires_at(next ? *next : instant::max());
    (void)co_await self->timer_.async_wait(p2pio::use_tuple);
    if (self->stopped_) break;
    if (auto t = now(); next && t >= *next) self->core_->handle_timeout(t);
    self->pump();
  }
}

task<void> driver::run_request(std::shared_ptr<driver> self, outbound_request req) {
  std::vector<mf::multiaddr> addrs;
  for (const auto& b : req.peer.addrs)
    if (auto a = mf::multiaddr::from_bytes(b)) addrs.push_back(std::move(*a));
  if (!addrs.empty()) self->host_->peers().add_addrs(req.peer.id, addrs, self->config_.address_ttl, now());
  auto failed = [&] {
    if (req.expects_response) self->core_->handle_request_failed(req.id, now());
    self->pump();
  };
  std::vector<std::string> protos{std::string(protocol_id)};  // g++ 12: no braced lists inside co_await calls
  auto s = co_await self->host_->new_stream(req.peer.id, std::move(protos));
  if (!s || self->stopped_) {
    failed();
    co_return;
  }
  auto w = co_await s->write_all(encode_frame(req.message));
  if (!w) {
    s->reset();
    failed();
    co_return;
  }
  if (!req.expects_response) {
    (void)s->close_write();
    co_return;
  }
  frame_decoder dec(self->config_.dht.limits.max_message);
  auto f = co_await read_frame(*s, dec);
  (void)s->close_write();
  if (self->stopped_) co_return;
  if (!f || !*f) {
    s->reset();
    failed();
    co_return;
  }
  self->core_->handle_response(req.id, **f, now());
  self->pump();
}

task<void> driver::serve(std::weak_ptr<driver> weak, p2pio::stream s) {
  auto self = weak.lock();
  if (!self || self->stopped_ || self->inbound_ >= self->config_.max_inbound_streams) {
    s.reset();
    co_return;
  }
  ++self->inbound_;
  auto remote = s.remote_peer();
  // Identify has usually finished by the first request: a server peer joins the table.
  self->core_->peer_connected(self->info_of(remote), speaks_kad(self->host_->peers().protocols(remote)), now());
  frame_decoder dec(self->config_.dht.limits.max_message);
  for (;;) {
    auto f = co_await read_frame(s, dec);
    if (self->stopped_) break;
    if (!f) {
      s.reset();
      break;
    }
    if (!*f) {
      (void)s.close_write();
      break;
    }
    auto resp = self->core_->handle_request(remote, **f, now());
    self->pump();
    if (!resp) {
      s.reset();
      break;
    }
    if (*resp) {
      auto w = co_await s.write_all(encode_frame(**resp));
      if (!w) break;
    }
  }
  --self->inbound_;
}

task<result<query_done>> driver::wait_for(result<query_id> q) {
  if (!q) co_return fail(q.error());
  pump();
  std::shared_ptr<driver> self = shared_from_this();
  for (;;) {
    if (auto it = self->finished_.find(*q); it != self->finished_.end()) {
      auto d = std::move(it->second);
      self->finished_.erase(it);
      co_return d;
    }
    if (self->stopped_) co_return fail(kad_errc::unknown_query, "the kad driver stopped");
    co_await self->done_.wait();
  }
}

task<result<query_done>> driver::find_node(bytes key) { co_return co_await wait_for(core_->find_node(std::move(key), now())); }
task<result<query_done>> driver::get_value(bytes key, std::size_t quorum) {
  co_return co_await wait_for(core_->get_value(std::move(key), quorum, now()));
}
task<result<query_done>> driver::put_value(bytes key, bytes value) {
  co_return co_await wait_for(core_->put_value(std::move(key), std::move(value), now()));
}
task<result<query_done>> driver::provide(bytes key) { co_return co_await wait_for(core_->provide(std::move(key), now())); }
task<result<query_done>> driver::get_providers(bytes key, std::size_t count) {
  co_return co_await wait_for(core_->get_providers(std::move(key), count, now()));
}

}  // namespace converge::kad::io
