#include "p2p/io/host.hpp"

#include "base/log.hpp"
#include "p2p/io/errors.hpp"
#include "p2p/io/negotiate.hpp"
#include "p2p/io/protocols/identify.hpp"
#include "p2p/io/protocols/ping.hpp"
#include "p2p/io/watchdog.hpp"

namespace converge::p2p::io {
namespace {

instant now() { return std::chrono::steady_clock::now(); }

// Coroutine lambdas must not capture (the lambda dies before the coroutine
// runs), so spawned work goes through these functions' parameters.
task<void> identify_task(std::shared_ptr<host> h, std::shared_ptr<connection> c) {
  (void)co_await request_identify(std::move(h), std::move(c));
}
task<void> push_task(std::shared_ptr<host> h, std::shared_ptr<connection> c) {
  (void)co_await send_identify_push(std::move(h), std::move(c));
}

void log_info(const std::string& message) {
  if (log_enabled(log_level::info)) log(log_level::info, "p2p_io", message);
}

}  // namespace

result<std::shared_ptr<host>> host::create(const asio::any_io_executor& ex, host_config config) {
  for (const auto& p : config.security_protocols)
    if (p == "/plaintext/2.0.0" && !config.allow_plaintext)
      return fail(io_errc::handshake_failed, "/plaintext/2.0.0 listed but allow_plaintext is off");
  auto h = std::shared_ptr<host>(new host(ex, std::move(config)));
  std::weak_ptr<host> weak = h;
  h->set_stream_handler(std::string(identify_protocol_id), [weak](stream s) -> task<void> {
    if (auto self = weak.lock()) co_await serve_identify(self, std::move(s));
  });
  h->set_stream_handler(std::string(identify_push_protocol_id), [weak](stream s) -> task<void> {
    if (auto self = weak.lock()) co_await receive_identify_push(self, std::move(s));
  });
  h->set_stream_handler(std::string(ping_protocol_id), [](stream s) -> task<void> { co_await serve_ping(std::move(s)); });
  return h;
}

host::host(const asio::any_io_executor& ex, host_config config)
    : ex_(ex),
      config_(std::move(config)),
      id_(crypto::peer_id::from_public_key(config_.identity.public_key())),
      peers_(config_.peers),
      event_wake_(ex) {}

host::~host() = default;

result<std::vector<mf::multiaddr>> host::listen() {
  for (const auto& addr : config_.listen_addrs) {
    auto acceptor = listen_tcp(ex_, addr);
    if (!acceptor) return fail(acceptor.error());
    auto shared = std::make_shared<tcp::acceptor>(std::move(*acceptor));
    bound_.push_back(to_multiaddr(shared->local_endpoint()));
    acceptors_.push_back(shared);
    asio::co_spawn(ex_, accept_loop(shared_from_this(), shared), asio::detached);
  }
  return bound_;
}

void host::set_stream_handler(std::string protocol, stream_handler handler) {
  handlers_[std::move(protocol)] = std::move(handler);
}
void host::remove_stream_handler(const std::string& protocol) { handlers_.erase(protocol); }

std::vector<std::string> host::protocols() const {
  std::vector<std::string> out;
  for (const auto& [p, h] : handlers_) out.push_back(p);
  return out;
}

yamux_config host::muxer_config() const {
  auto c = config_.yamux;
  c.max_transmit_buffer = config_.transmit_buffer;
  return c;
}

upgrade_options host::upgrade_settings(std::optional<crypto::peer_id> expected) const {
  upgrade_options o;
  o.security.allow_plaintext = config_.allow_plaintext;
  o.security.expected_peer = std::move(expected);
  o.security_protocols = config_.security_protocols;
  o.handshake_timeout = config_.handshake_timeout;
  o.security.max_pending_output = config_.transmit_buffer;
  return o;
}

task<void> host::accept_loop(std::shared_ptr<host> self, std::shared_ptr<tcp::acceptor> acceptor) {
  while (!closed_) {
    auto [ec, socket] = co_await acceptor->async_accept(use_tuple);
    if (closed_ || ec == asio::error::operation_aborted) break;
    if (ec) continue;
    if (connection_count() >= config_.max_connections) {
      log_info("refusing inbound connection: " + std::to_string(config_.max_connections) + " connections open");
      continue;  // the socket closes as it goes out of scope
    }
    asio::co_spawn(ex_, upgrade_inbound(self, std::move(socket)), asio::detached);
  }
}

task<void> host::upgrade_inbound(std::shared_ptr<host> /*keep_alive*/, tcp::socket socket) {
  boost::system::error_code ec;
  auto remote = socket.remote_endpoint(ec);
  auto remote_addr = ec ? mf::multiaddr{} : to_multiaddr(remote);
  auto up = co_await upgrade(std::move(socket), security::role::responder, config_.identity, upgrade_settings({}), rng_);
  if (!up) {
    log_info("inbound connection from " + remote_addr.to_string() + " dropped: " + up.error().message());
    co_return;
  }
  if (closed_) co_return;
  auto conn = std::make_shared<connection>(std::move(*up), direction::inbound, remote_addr, muxer_config());
  add_connection(conn);
}

void host::add_connection(const std::shared_ptr<connection>& conn) {
  std::weak_ptr<host> weak = shared_from_this();
  conns_[conn->remote_peer()].push_back(conn);
  conn->start(
      [weak](stream s) {
        if (auto self = weak.lock()) asio::co_spawn(self->ex_, self->handle_inbound_stream(self, std::move(s)), asio::detached);
      },
      [weak](connection& c) {
        if (auto self = weak.lock()) self->on_connection_closed(c);
      });
  peers_.set_key(conn->remote_peer(), conn->remote_key());
  if (conn->dir() == direction::outbound)
    peers_.add_addrs(conn->remote_peer(), {conn->remote_addr()}, connected_addr_ttl, now());
  emit(peer_connected{conn->remote_peer(), conn->remote_addr(), conn->dir()});
  if (config_.identify_on_connect) asio::co_spawn(ex_, identify_task(shared_from_this(), conn), asio::detached);
}

void host::on_connection_closed(connection& conn) {
  auto it = conns_.find(conn.remote_peer());
  if (it == conns_.end()) return;
  auto& list = it->second;
  std::erase_if(list, [&](const auto& c) { return c.get() == &conn; });
  if (list.empty()) {
    auto peer = it->first;
    conns_.erase(it);
    emit(peer_disconnected{peer, conn.closed() ? *conn.closed() : error{}});
  }
}

std::shared_ptr<connection> host::connection_to(const crypto::peer_id& peer) const {
  auto it = conns_.find(peer);
  if (it == conns_.end()) return nullptr;
  for (const auto& c : it->second)
    if (!c->closed()) return c;
  return nullptr;
}

std::size_t host::connection_count() const {
  std::size_t n = 0;
  for (const auto& [peer, list] : conns_) n += list.size();
  return n;
}

std::vector<std::shared_ptr<connection>> host::connections() const {
  std::vector<std::shared_ptr<connection>> out;
  for (const auto& [peer, list] : conns_)
    for (const auto& c : list)
      if (!c->closed()) out.push_back(c);
  return out;
}

result<void> host::check_backoff(const crypto::peer_id& peer) const {
  auto it = backoff_.find(peer);
  if (it == backoff_.end() || it->second.until <= now()) return ok();
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(it->second.until - now()).count();
  return fail(io_errc::backoff, peer.to_string() + " failed " + std::to_string(it->second.failures) +
                                    " time(s); next dial allowed in " + std::to_string(left) + " ms");
}

void host::note_dial_failure(const crypto::peer_id& peer) {
  auto& b = backoff_[peer];
  b.failures = std::min(b.failures + 1, 30u);
  auto wait = config_.dial_backoff * (1LL << std::min(b.failures - 1, 20u));
  b.until = now() + std::min<duration>(wait, config_.max_dial_backoff);
}

task<result<std::shared_ptr<connection>>> host::connect(mf::multiaddr addr) {
  auto peer = peer_of(addr);
  if (!peer) co_return fail(peer.error());
  if (*peer) {
    if (auto c = connection_to(**peer)) co_return c;
    std::vector<mf::multiaddr> addrs{without_peer(addr)};
    co_return co_await dial(**peer, std::move(addrs));
  }
  // No /p2p: dial without identity check, whoever answers.
  auto ep = to_endpoint(addr);
  if (!ep) co_return fail(ep.error());
  std::vector<tcp::endpoint> eps{*ep};
  auto sock = co_await dial_tcp(std::move(eps), config_.dial);
  if (!sock) co_return fail(sock.error());
  auto up = co_await upgrade(std::move(*sock), security::role::initiator, config_.identity, upgrade_settings({}), rng_);
  if (!up) co_return fail(up.error());
  if (closed_) co_return fail(io_errc::connection_closed, "host closed");
  auto conn = std::make_shared<connection>(std::move(*up), direction::outbound, addr, muxer_config());
  add_connection(conn);
  co_return conn;
}

task<result<std::shared_ptr<connection>>> host::connect(crypto::peer_id peer) {
  if (auto c = connection_to(peer)) co_return c;
  co_return co_await dial(peer, peers_.addrs(peer, now()));
}

task<result<std::shared_ptr<connection>>> host::dial(crypto::peer_id peer, std::vector<mf::multiaddr> addrs) {
  if (closed_) co_return fail(io_errc::connection_closed, "host closed");
  if (peer == id_) co_return fail(io_errc::dial_failed, "refusing to dial ourselves");
  // One dial per peer at a time: later callers wait for the first one's outcome.
  for (auto it = dialing_.find(peer); it != dialing_.end(); it = dialing_.find(peer)) {
    auto wake = it->second;
    co_await wake->wait();
    if (auto c = connection_to(peer)) co_return c;
  }
  if (auto c = connection_to(peer)) co_return c;
  if (auto b = check_backoff(peer); !b) co_return fail(b.error());
  std::vector<tcp::endpoint> eps;
  std::string skipped;
  for (const auto& a : addrs) {
    auto ep = to_endpoint(a);
    if (ep)
      eps.push_back(*ep);
    else
      skipped += " " + a.to_string();
  }
  if (eps.empty())
    co_return fail(io_errc::no_addresses, "no TCP address known for " + peer.to_string() +
                                              (skipped.empty() ? "" : "; unusable:" + skipped));
  auto wake = std::make_shared<signal>(ex_);
  dialing_[peer] = wake;
  auto attempt = [&]() -> task<result<std::shared_ptr<connection>>> {
    auto sock = co_await dial_tcp(eps, config_.dial);
    if (!sock) co_return fail(sock.error());
    boost::system::error_code ec;
    auto remote = sock->remote_endpoint(ec);
    auto up = co_await upgrade(std::move(*sock), security::role::initiator, config_.identity, upgrade_settings(peer), rng_);
    if (!up) co_return fail(up.error());
    if (closed_) co_return fail(io_errc::connection_closed, "host closed");
    auto conn = std::make_shared<connection>(std::move(*up), direction::outbound,
                                             ec ? mf::multiaddr{} : to_multiaddr(remote), muxer_config());
    add_connection(conn);
    co_return conn;
  };
  auto r = co_await attempt();
  dialing_.erase(peer);
  wake->notify();
  if (!r) {
    note_dial_failure(peer);
    log_info("dial " + peer.to_string() + " failed: " + r.error().message());
    co_return fail(r.error());
  }
  backoff_.erase(peer);
  co_return r;
}

task<result<stream>> host::new_stream(crypto::peer_id peer, std::vector<std::string> protocols) {
  auto conn = co_await connect(peer);
  if (!conn) co_return fail(conn.error());
  co_return co_await new_stream(*conn, std::move(protocols));
}

task<result<stream>> host::new_stream(const std::shared_ptr<connection>& conn, std::vector<std::string> protocols) {
  auto s = conn->open_stream();
  if (!s) co_return fail(s.error());
  multistream_options options;
  options.lazy = config_.lazy_negotiation && protocols.size() == 1;
  auto core = multistream_initiator::create(std::move(protocols), now(), options);
  if (!core) co_return fail(core.error());
  if (options.lazy) {
    bytes out;
    while (core->poll_transmit(out)) {
      auto w = co_await s->write_all(out);
      if (!w) co_return fail(w.error());
    }
    while (auto ev = core->poll_event()) {
      if (auto* sel = std::get_if<protocol_selected>(&*ev)) s->set_protocol(sel->protocol);
    }
    if (core->state() == multistream_state::optimistic) {
      s->set_lazy_negotiation(std::make_shared<multistream_initiator>(std::move(*core)));
      co_return std::move(*s);
    }
  }
  watchdog dog(ex_, config_.stream_negotiation_timeout, [s = *s]() mutable { s.reset(); });
  auto sel = co_await negotiate(*s, *core);
  dog.disarm();
  if (!sel) {
    s->reset();
    co_return fail(sel.error());
  }
  s->set_protocol(*sel);
  co_return std::move(*s);
}

task<void> host::handle_inbound_stream(std::shared_ptr<host> /*keep_alive*/, stream s) {
  multistream_responder core(protocols(), now());
  watchdog dog(ex_, config_.stream_negotiation_timeout, [s]() mutable { s.reset(); });
  auto sel = co_await negotiate(s, core);
  dog.disarm();
  if (!sel) {
    s.reset();
    co_return;
  }
  auto it = handlers_.find(*sel);
  if (it == handlers_.end()) {
    s.reset();
    co_return;
  }
  s.set_protocol(*sel);
  auto handler = it->second;  // the table may change while the handler runs
  co_await handler(std::move(s));
}

void host::disconnect(const crypto::peer_id& peer) {
  auto it = conns_.find(peer);
  if (it == conns_.end()) return;
  auto list = it->second;
  for (auto& c : list) c->close();
}

void host::close() {
  if (closed_) return;
  closed_ = true;
  for (auto& a : acceptors_) {
    boost::system::error_code ignored;
    a->close(ignored);
  }
  auto all = conns_;
  for (auto& [peer, list] : all)
    for (auto& c : list) c->close();
  event_wake_.notify();
}

void host::push_identify() {
  auto self = shared_from_this();
  for (const auto& [peer, list] : conns_)
    for (const auto& c : list)
      if (!c->closed())
        asio::co_spawn(ex_, push_task(self, c), asio::detached);
}

void host::emit(host_event e) {
  if (events_.size() >= config_.max_events) {
    ++dropped_;
    return;
  }
  if (dropped_ > 0 && events_.size() + 1 < config_.max_events) {
    events_.emplace_back(events_dropped{dropped_});
    dropped_ = 0;
  }
  events_.push_back(std::move(e));
  event_wake_.notify();
}

std::optional<host_event> host::poll_event() {
  if (events_.empty()) {
    if (dropped_ == 0) return std::nullopt;
    return host_event{events_dropped{std::exchange(dropped_, 0)}};
  }
  auto e = std::move(events_.front());
  events_.pop_front();
  return e;
}

task<host_event> host::next_event() {
  while (true) {
    auto seen = event_wake_.generation();
    if (auto e = poll_event()) co_return std::move(*e);
    co_await event_wake_.wait(seen);
  }
}

}  // namespace converge::p2p::io
