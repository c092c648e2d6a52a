#pragma once
// A trustless HTTP gateway (ipfs/specs http-gateways/trustless-gateway.md),
// path form, loopback by default, on Boost.Beast:
//
//   GET /ipfs/{cid}?format=raw    (or Accept: application/vnd.ipld.raw)  the block, verified
//   GET /ipfs/{cid}?format=car    (or Accept: application/vnd.ipld.car)  the DAG as a CARv1,
//                                 root first then depth-first, chunked, each block verified
//
// Only these verifiable formats are served: anything else is 406 (a
// trustless gateway never answers with bytes a client cannot check), a bad
// CID or a path below the CID 400, a missing root 404, other methods 405. A
// block that goes missing or fails its hash in the middle of a CAR ends the
// connection without the final chunk, so the client sees a truncated
// response, never a silently short DAG.
//
// plan() is the pure part (request line and Accept header -> what to send);
// server does the I/O on one single-threaded executor.
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "base/bytes.hpp"
#include "multiformats/cid.hpp"
#include "p2p/io/asio.hpp"

namespace converge::gateway {

enum class format { raw, car };

struct plan_result {
  unsigned status = 200;       // 200 or the error status
  std::string error;           // for non-200
  std::optional<mf::cid> cid;
  format fmt = format::raw;
};

// Decides the answer to `method target` with the given Accept header.
plan_result plan(std::string_view method, std::string_view target, std::string_view accept);

using block_getter = std::function<result<bytes>(const mf::cid&)>;
using links_fn = std::function<result<std::vector<mf::cid>>(const mf::cid&, bytes_view)>;

struct server_options {
  std::size_t max_connections = 64;
  std::chrono::seconds request_timeout{30};
};

class server : public std::enable_shared_from_this<server> {
 public:
  // Binds `endpoint` (port 0 picks one) and starts accepting.
  static result<std::shared_ptr<server>> start(const p2p::io::asio::any_io_executor& ex, p2p::io::tcp::endpoint endpoint,
                                               block_getter get, links_fn links, server_options options = {});
  [[nodiscard]] p2p::io::tcp::endpoint local_endpoint() const;
  void stop();

 private:
  server(const p2p::io::asio::any_io_executor& ex, block_getter get, links_fn links, server_options options);
  static p2p::io::task<void> accept_loop(std::shared_ptr<server> self);
  static p2p::io::task<void> serve(std::shared_ptr<server> self, p2p::io::tcp::socket socket);

  p2p::io::asio::any_io_executor ex_;
  p2p::io::tcp::acceptor acceptor_;
  block_getter get_;
  links_fn links_;
  server_options options_;
  std::size_t active_ = 0;
};

}  // namespace converge::gateway
