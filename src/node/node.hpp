#pragma once
// A running node: the repository's identity and configuration, a libp2p host,
// the RPC API and the services (pubsub, DHT, blocks, ...) that plug into both.
//
// Threading: everything runs on one io_context run by the thread that calls
// run(); services, handlers and the host share that executor and need no locks.
//
// Start order: the host listens, services start (they set stream handlers and
// register RPC commands), the RPC API binds, then <repo>/api is written so
// that clients find the daemon only once every command is ready. stop()
// undoes it in reverse and removes <repo>/api.
#include <functional>
#include <memory>
#include <vector>

#include "node/repo.hpp"
#include "node/rpc.hpp"
#include "p2p/io/host.hpp"

namespace converge::node {

class node;

// A capability that plugs into the node.
struct service {
  virtual ~service() = default;
  [[nodiscard]] virtual std::string_view name() const = 0;
  // Sets stream handlers on n.host(), registers RPC commands named
  // "<group>/<verb>", spawns its coroutines on n.executor(). An error stops
  // the daemon from starting (with the error's message).
  virtual result<void> start(node& n, rpc_registry& rpc) = 0;
  virtual void stop() {}
};

struct node_options {
  std::string version = "0.1.0";
  // Test and demo hook: allow /plaintext/2.0.0 beside Noise.
  bool allow_plaintext = false;
};

class node {
 public:
  static result<std::unique_ptr<node>> create(repo r, node_options options = {});
  node(const node&) = delete;
  node& operator=(const node&) = delete;
  ~node();

  [[nodiscard]] p2p::io::asio::io_context& context() { return ioc_; }
  [[nodiscard]] p2p::io::asio::any_io_executor executor() { return ioc_.get_executor(); }
  [[nodiscard]] const std::shared_ptr<p2p::io::host>& host() const { return host_; }
  [[nodiscard]] const repo& repository() const { return repo_; }
  [[nodiscard]] const node_config& config() const { return repo_.config(); }
  [[nodiscard]] const node_options& options() const { return options_; }
  [[nodiscard]] const mf::multiaddr& api_addr() const { return api_addr_; }
  rpc_registry& rpc() { return registry_; }

  // Before start(). Services start in the order added.
  void add_service(std::shared_ptr<service> s);
  // The service added under this name, or nullptr. Services that use another
  // service (the update agent uses pubsub, dht and blocks) find it here in
  // their start(); the other one must have been added, and so started, first.
  template <class T>
  [[nodiscard]] std::shared_ptr<T> find_service(std::string_view name) const {
    for (const auto& s : services_)
      if (s->name() == name) return std::dynamic_pointer_cast<T>(s);
    return nullptr;
  }
  // Host events, fanned out to every listener in the order added (the host
  // has one bounded queue; the node is its only reader).
  using event_listener = std::function<void(const p2p::io::host_event&)>;
  void on_host_event(event_listener l);

  result<void> start();
  // Runs the event loop until stop() (from a handler, a signal or shutdown).
  void run();
  void stop();

 private:
  node(repo r, node_options options);
  p2p::io::task<void> pump_events(std::shared_ptr<p2p::io::host> h);
  p2p::io::task<void> connect_bootstrap(mf::multiaddr addr);
  void register_builtin_commands();

  p2p::io::asio::io_context ioc_;
  repo repo_;
  node_options options_;
  std::shared_ptr<p2p::io::host> host_;
  rpc_registry registry_;
  std::shared_ptr<rpc_server> rpc_;
  std::vector<std::shared_ptr<service>> services_;
  std::vector<event_listener> listeners_;
  mf::multiaddr api_addr_;
  bool started_ = false;
  bool stopped_ = false;
};

}  // namespace converge::node
