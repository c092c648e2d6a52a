// The node's own RPC commands: id, version, commands, swarm/*, ping, shutdown.
#include "base/bytes.hpp"
#include "multiformats/multibase.hpp"
#include "multiformats/multicodec.hpp"
#include "node/node.hpp"
#include "p2p/io/protocols/ping.hpp"


namespace converge::node {
namespace {

namespace io = p2p::io;
using io::task;

json addrs_json(const std::vector<mf::multiaddr>& v) {
  json a = json::array();
  for (const auto& m : v) a.push_back(m.to_string());
  return a;
}

result<mf::multiaddr> arg_addr(const rpc_call& c, std::string_view name) {
  auto s = arg_string(c, name);
  if (!s) return std::unexpected(s.error());
  auto m = mf::multiaddr::parse(*s);
  if (!m) return fail(node_errc::bad_request, "argument '" + std::string(name) + "': " + m.error().message());
  return m;
}

// A peer from "addr" (a multiaddr with /p2p/, dialled if need be) or "peer".
task<result<crypto::peer_id>> target_peer(std::shared_ptr<io::host> h, const rpc_call& c) {
  if (c.args.contains("addr")) {
    auto m = arg_addr(c, "addr");
    if (!m) co_return std::unexpected(m.error());
    auto conn = co_await h->connect(*m);
    if (!conn) co_return std::unexpected(conn.error());
    co_return (*conn)->remote_peer();
  }
  auto s = arg_string(c, "peer");
  if (!s) co_return fail(node_errc::bad_request, "give 'addr' (a multiaddr) or 'peer' (a peer ID)");
  auto id = crypto::peer_id::parse(*s);
  if (!id) co_return fail(node_errc::bad_request, "argument 'peer': " + id.error().message());
  co_return *id;
}

}  // namespace

void node::register_builtin_commands() {
  registry_.add("id", [this](rpc_call) -> task<rpc_result> {
    json out;
    out["id"] = host_->id().to_string();
    auto pk = host_->identity().public_key().to_protobuf();
    out["public_key"] = mf::multibase_encode(mf::multibase::base64, pk);
    json addrs = json::array();
    for (const auto& a : host_->listen_addrs()) {
      auto full = a.encapsulate(*mf::multiaddr::parse("/p2p/" + host_->id().to_string()));
      addrs.push_back(full ? full->to_string() : a.to_string());
    }
    out["addresses"] = addrs;
    out["agent_version"] = host_->config().agent_version;
    out["protocols"] = host_->protocols();
    co_return out;
  });
  registry_.add("version", [this](rpc_call) -> task<rpc_result> {
    co_return json{{"version", options_.version}};
  });
  registry_.add("commands", [this](rpc_call) -> task<rpc_result> { co_return json(registry_.names()); });
  registry_.add("swarm/peers", [this](rpc_call) -> task<rpc_result> {
    json out = json::array();
    for (const auto& c : host_->connections()) {
      out.push_back({{"peer", c->remote_peer().to_string()},
                     {"addr", c->remote_addr().to_string()},
                     {"direction", c->dir() == io::direction::inbound ? "inbound" : "outbound"}});
    }
    co_return out;
  });
  registry_.add("swarm/addrs", [this](rpc_call) -> task<rpc_result> {
    co_return json{{"listen", addrs_json(host_->listen_addrs())}, {"announce", addrs_json(config().announce)}};
  });
  registry_.add("swarm/connect", [this](rpc_call c) -> task<rpc_result> {
    auto m = arg_addr(c, "addr");
    if (!m) co_return std::unexpected(m.error());
    auto h = host_;
    auto conn = co_await h->connect(*m);
    if (!conn) co_return std::unexpected(conn.error());
    co_return json{{"peer", (*conn)->remote_peer().to_string()}, {"addr", (*conn)->remote_addr().to_string()}};
  });
  registry_.add("swarm/disconnect", [this](rpc_call c) -> task<rpc_result> {
    auto s = arg_string(c, "peer");
    if (!s) co_return std::unexpected(s.error());
    auto id = crypto::peer_id::parse(*s);
    if (!id) co_return fail(node_errc::bad_request, "argument 'peer': " + id.error().message());
    bool was = host_->connection_to(*id) != nullptr;
    host_->disconnect(*id);
    co_return json{{"peer", id->to_string()}, {"was_connected", was}};
  });
  registry_.add_stream("ping", [this](rpc_call c, rpc_emit emit) -> task<result<void>> {
    auto count = arg_uint(c, "count", 3, 1000);
    if (!count) co_return std::unexpected(count.error());
    auto h = host_;
    auto peer = co_await target_peer(h, c);
    if (!peer) co_return std::unexpected(peer.error());
    for (std::uint64_t i = 0; i < *count && !c.client_gone(); ++i) {
      auto rtt = co_await io::ping(h, *peer);
      if (!rtt) co_return std::unexpected(rtt.error());
      double ms = std::chrono::duration<double, std::milli>(*rtt).count();
      if (!emit(json{{"seq", i + 1}, {"peer", peer->to_string()}, {"time_ms", ms}})) break;
    }
    co_return ok();
  });
  registry_.add("shutdown", [this](rpc_call) -> task<rpc_result> {
    // Stop shortly after, so that this answer is written first (a local
    // loopback write of a few bytes; the client tolerates a cut either way).
    auto t = std::make_shared<io::asio::steady_timer>(ioc_, std::chrono::milliseconds(100));
    t->async_wait([this, t](const boost::system::error_code&) { stop(); });
    co_return json{{"stopping", true}};
  });
}

}  // namespace converge::node
