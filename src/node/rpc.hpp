#pragma once
// The node's RPC API: HTTP/1.1 on a loopback address, one command per request.
//
//   POST /api/v0/<command>          e.g. /api/v0/swarm/peers
//   Authorization: Bearer <token>   the repository's api_token
//   Content-Type: application/json  body: the arguments, a JSON object (may be empty)
//
// Answers (every body is JSON):
//   200  the command's result
//   200  application/x-ndjson, for streaming commands: one JSON value a line
//        until the command ends or the client goes; a failure mid-stream is a
//        last line {"error": "..."}
//   400  bad request or arguments    401  missing or wrong token
//   403  a browser request (Origin header): refused, the API is not for web pages
//   404  unknown command             405  not POST
//   413  body over max_rpc_body      500  the command failed
// Error bodies are {"error": "<one line>", "code": "<category>:<number>"}.
//
// Bounds: request bodies of max_rpc_body bytes, headers of 16 KiB,
// max_rpc_connections at once, a request must arrive within 30 s, and a
// streaming client that lags max_rpc_stream_lines behind is dropped.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "multiformats/multiaddr.hpp"
#include "node/errors.hpp"
#include "p2p/io/asio.hpp"

namespace converge::node {

using json = nlohmann::json;
using rpc_result = result<json>;

inline constexpr std::size_t max_rpc_body = 1 << 20;
inline constexpr std::size_t max_rpc_connections = 64;
inline constexpr std::size_t max_rpc_stream_lines = 4096;
inline constexpr std::size_t max_rpc_command_name = 64;

// One request. For streaming commands, client_gone() turns true when the
// client disconnects: a handler that waits for events must look at it at
// least once a second (or notice emit() returning false) and then return.
struct rpc_call {
  json args = json::object();
  std::shared_ptr<bool> gone = std::make_shared<bool>(false);
  [[nodiscard]] bool client_gone() const { return *gone; }
};

// Argument helpers: a bad_request error naming the argument.
[[nodiscard]] result<std::string> arg_string(const rpc_call& c, std::string_view name);
[[nodiscard]] result<std::uint64_t> arg_uint(const rpc_call& c, std::string_view name, std::uint64_t def,
                                             std::uint64_t max);

using rpc_handler = std::function<p2p::io::task<rpc_result>(rpc_call)>;
// emit() queues one line; false means the client is gone or too far behind.
using rpc_emit = std::function<bool(const json&)>;
using rpc_stream_handler = std::function<p2p::io::task<result<void>>(rpc_call, rpc_emit emit)>;

class rpc_registry {
 public:
  // Names are lowercase words joined by '/', e.g. "swarm/connect".
  void add(std::string name, rpc_handler h);
  void add_stream(std::string name, rpc_stream_handler h);
  [[nodiscard]] const rpc_handler* find(std::string_view name) const;
  [[nodiscard]] const rpc_stream_handler* find_stream(std::string_view name) const;
  [[nodiscard]] std::vector<std::string> names() const;

 private:
  std::map<std::string, rpc_handler, std::less<>> plain_;
  std::map<std::string, rpc_stream_handler, std::less<>> stream_;
};

// Serves a registry on one executor (the node's, single-threaded).
class rpc_server : public std::enable_shared_from_this<rpc_server> {
 public:
  rpc_server(const p2p::io::asio::any_io_executor& ex, const rpc_registry& registry, std::string token);
  // Binds `addr`, which must be loopback TCP; returns the bound address (port 0 resolved).
  result<mf::multiaddr> listen(const mf::multiaddr& addr);
  void close();
  [[nodiscard]] std::size_t active_connections() const { return active_; }

 private:
  p2p::io::task<void> accept_loop(std::shared_ptr<rpc_server> self);
  p2p::io::task<void> serve(std::shared_ptr<rpc_server> self, p2p::io::tcp::socket socket);

  p2p::io::asio::any_io_executor ex_;
  const rpc_registry& registry_;
  std::string token_;
  std::shared_ptr<p2p::io::tcp::acceptor> acceptor_;
  std::size_t active_ = 0;
};

// Client side, for CLI commands: finds the repository's running daemon
// (<repo>/api and <repo>/api_token). no_daemon when none answers.
struct rpc_client_options {
  std::chrono::milliseconds timeout{120'000};  // per request (not for streams)
};
[[nodiscard]] result<json> rpc_request(const std::filesystem::path& repo, std::string_view name, const json& args,
                                       const rpc_client_options& options = {});
// Calls on_line for each line until the stream ends or on_line returns false.
[[nodiscard]] result<void> rpc_stream(const std::filesystem::path& repo, std::string_view name, const json& args,
                                      const std::function<bool(const json&)>& on_line,
                                      const rpc_client_options& options = {});

}  // namespace converge::node
