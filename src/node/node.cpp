#include "node/node.hpp"

#include <filesystem>

#include "base/bytes.hpp"
#include "base/log.hpp"

#include <boost/asio/post.hpp>

namespace converge::node {

namespace io = p2p::io;

node::node(repo r, node_options options) : repo_(std::move(r)), options_(std::move(options)) {}

node::~node() { stop(); }

result<std::unique_ptr<node>> node::create(repo r, node_options options) {
  auto key = r.identity();
  if (!key) return std::unexpected(key.error());
  std::unique_ptr<node> n(new node(std::move(r), std::move(options)));
  io::host_config hc(std::move(*key));
  hc.listen_addrs = n->config().swarm;
  hc.agent_version = "converge/" + n->options_.version;
  if (n->options_.allow_plaintext) {
    hc.allow_plaintext = true;
    hc.security_protocols = {"/noise", "/plaintext/2.0.0"};
  }
  auto h = io::host::create(n->ioc_.get_executor(), std::move(hc));
  if (!h) return std::unexpected(h.error());
  n->host_ = *h;
  n->register_builtin_commands();
  return n;
}

void node::add_service(std::shared_ptr<service> s) { services_.push_back(std::move(s)); }
void node::on_host_event(event_listener l) { listeners_.push_back(std::move(l)); }

io::task<void> node::pump_events(std::shared_ptr<io::host> h) {
  while (!stopped_) {
    auto e = co_await h->next_event();
    if (stopped_) break;
    for (const auto& l : listeners_) l(e);
  }
}

io::task<void> node::connect_bootstrap(mf::multiaddr addr) {
  auto h = host_;
  auto c = co_await h->connect(addr);
  if (!c) log(log_level::warn, "node", "bootstrap peer " + addr.to_string() + ": " + c.error().message());
}

result<void> node::start() {
  if (started_) return ok();
  started_ = true;
  if (!config().swarm.empty()) {
    auto bound = host_->listen();
    if (!bound) return std::unexpected(with_context(bound.error(), "listening on the swarm addresses"));
  }
  for (const auto& s : services_)
    if (auto r = s->start(*this, registry_); !r)
      return std::unexpected(with_context(r.error(), "starting " + std::string(s->name())));
  auto token = repo_.api_token();
  if (!token) return std::unexpected(token.error());
  rpc_ = std::make_shared<rpc_server>(ioc_.get_executor(), registry_, *token);
  auto api = rpc_->listen(config().api);
  if (!api) return std::unexpected(api.error());
  api_addr_ = *api;
  if (auto w = write_file_atomic(repo_.api_file().string(), as_bytes(api_addr_.to_string() + "\n"), 0600); !w)
    return std::unexpected(w.error());
  io::asio::co_spawn(ioc_, pump_events(host_), io::asio::detached);
  for (const auto& b : config().bootstrap) io::asio::co_spawn(ioc_, connect_bootstrap(b), io::asio::detached);
  return ok();
}

void node::run() { ioc_.run(); }

void node::stop() {
  if (stopped_) return;
  stopped_ = true;
  std::error_code ec;
  if (started_) std::filesystem::remove(repo_.api_file(), ec);
  if (rpc_) rpc_->close();
  for (auto it = services_.rbegin(); it != services_.rend(); ++it) (*it)->stop();
  if (host_) {
    host_->close();
    host_->emit(io::events_dropped{0});  // wakes pump_events so it sees stopped_
  }
  // Let pending handlers finish their cleanup, then leave run().
  io::asio::post(ioc_, [this] { ioc_.stop(); });
}

}  // namespace converge::node
