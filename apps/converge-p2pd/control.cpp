#include "control.hpp"

#include <array>
#include <chrono>
#include <set>
#include <string>

#include <boost/asio/read.hpp>

#include "base/error.hpp"
#include "base/varint.hpp"
#include "p2pd.pb.h"
#include "p2p/io/tcp_transport.hpp"
#include "pubsub.hpp"

namespace converge::p2pd {

namespace {

using io::asio::ip::tcp;
using io::task;
using io::use_tuple;
using sock_ptr = std::shared_ptr<tcp::socket>;

constexpr auto addr_ttl = std::chrono::hours{1};

task<result<bytes>> read_frame(tcp::socket& sock) {
  bytes head;
  std::uint64_t len = 0;
  while (true) {
    std::array<std::uint8_t, 1> b{};
    auto [ec, n] = co_await io::asio::async_read(sock, io::asio::buffer(b), use_tuple);
    if (ec || n != 1) co_return fail(converge::base_errc::io, "control connection closed before a full frame");
    head.push_back(b[0]);
    if ((b[0] & 0x80) == 0) break;
    if (head.size() >= 10) co_return fail(converge::base_errc::invalid_argument, "control frame length varint too long");
  }
  auto v = decode_uvarint(head);
  if (!v) co_return fail(v.error());
  len = v->value;
  if (len > max_control_frame) co_return fail(converge::base_errc::invalid_argument, "control frame larger than 1 MiB");
  bytes body(static_cast<std::size_t>(len));
  if (len > 0) {
    auto [ec, n] = co_await io::asio::async_read(sock, io::asio::buffer(body), use_tuple);
    if (ec || n != body.size()) co_return fail(converge::base_errc::io, "control connection closed inside a frame");
  }
  co_return body;
}

task<bool> write_frame(tcp::socket& sock, const google::protobuf::MessageLite& msg) {
  auto payload = msg.SerializeAsString();
  auto out = encode_uvarint(payload.size());
  out.insert(out.end(), payload.begin(), payload.end());
  auto [ec, n] = co_await io::asio::async_write(sock, io::asio::buffer(out), use_tuple);
  co_return !ec && n == out.size();
}

pb::Response error_response(const std::string& msg) {
  pb::Response r;
  r.set_type(pb::Response::ERROR);
  r.mutable_error()->set_msg(msg);
  return r;
}

pb::Response ok_response() {
  pb::Response r;
  r.set_type(pb::Response::OK);
  return r;
}

void fill_stream_info(pb::StreamInfo& info, const io::stream& s) {
  info.set_peer(std::string(s.remote_peer().to_bytes().begin(), s.remote_peer().to_bytes().end()));
  const auto& a = s.conn()->remote_addr().to_bytes();
  info.set_addr(std::string(a.begin(), a.end()));
  info.set_proto(s.protocol());
}

task<void> socket_to_stream(sock_ptr sock, io::stream s) {
  std::array<std::uint8_t, 16 * 1024> buf{};
  while (true) {
    auto [ec, n] = co_await sock->async_read_some(io::asio::buffer(buf), use_tuple);
    if (ec || n == 0) {
      if (ec == io::asio::error::eof) {
        (void)s.close_write();
      } else {
        s.reset();
      }
      co_return;
    }
    auto w = co_await s.write_all(bytes_view(buf.data(), n));
    if (!w) {
      boost::system::error_code ignored;
      sock->close(ignored);
      co_return;
    }
  }
}

task<void> stream_to_socket(io::stream s, sock_ptr sock) {
  std::array<std::uint8_t, 16 * 1024> buf{};
  while (true) {
    auto n = co_await s.read_some(buf);
    boost::system::error_code ignored;
    if (!n) {
      sock->close(ignored);
      co_return;
    }
    if (*n == 0) {
      sock->shutdown(tcp::socket::shutdown_send, ignored);
      co_return;
    }
    auto [ec, written] = co_await io::asio::async_write(*sock,
                                                        io::asio::buffer(buf.data(), *n), use_tuple);
    if (ec || written != *n) {
      s.reset();
      co_return;
    }
  }
}

void pipe(const io::asio::any_io_executor& ex, sock_ptr sock, io::stream s) {
  io::asio::co_spawn(ex, socket_to_stream(sock, s), io::asio::detached);
  io::asio::co_spawn(ex, stream_to_socket(s, sock), io::asio::detached);
}

// One inbound stream for a STREAM_HANDLER client: dial it, announce, pipe.
task<void> forward_inbound(mf::multiaddr client, io::stream s) {
  auto ex = co_await io::asio::this_coro::executor;
  auto ep = io::to_endpoint(client);
  if (!ep) {
    s.reset();
    co_return;
  }
  auto sock = std::make_shared<tcp::socket>(ex);
  auto [ec] = co_await sock->async_connect(*ep, use_tuple);
  if (ec) {
    s.reset();
    co_return;
  }
  pb::StreamInfo info;
  fill_stream_info(info, s);
  auto sent = co_await write_frame(*sock, info);
  if (!sent) {
    s.reset();
    co_return;
  }
  pipe(ex, sock, s);
}

result<crypto::peer_id> peer_field(const std::string& raw) {
  return crypto::peer_id::from_bytes(bytes_view(reinterpret_cast<const std::uint8_t*>(raw.data()), raw.size()));
}

result<mf::multiaddr> addr_field(const std::string& raw) {
  return mf::multiaddr::from_bytes(bytes_view(reinterpret_cast<const std::uint8_t*>(raw.data()), raw.size()));
}

task<pb::Response> do_connect(std::shared_ptr<io::host> h, pb::ConnectRequest req) {
  auto peer = peer_field(req.peer());
  if (!peer) co_return error_response("CONNECT: bad peer id: " + peer.error().message());
  std::vector<mf::multiaddr> addrs;
  for (const auto& raw : req.addrs()) {
    auto a = addr_field(raw);
    if (!a) co_return error_response("CONNECT: bad address: " + a.error().message());
    addrs.push_back(std::move(*a));
  }
  h->peers().add_addrs(*peer, addrs, addr_ttl, std::chrono::steady_clock::now());
  auto conn = co_await h->connect(*peer);
  if (!conn) co_return error_response("CONNECT: " + conn.error().message());
  co_return ok_response();
}

}  // namespace

void peer_tracker::note(const io::host_event& e) {
  if (const auto* c = std::get_if<io::peer_connected>(&e)) {
    if (seen_.size() < max_tracked_peers) seen_.insert(c->peer);
  }
}

std::vector<crypto::peer_id> peer_tracker::connected(const io::host& h) {
  std::vector<crypto::peer_id> out;
  for (auto it = seen_.begin(); it != seen_.end();) {
    if (h.connection_to(*it)) {
      out.push_back(*it);
      ++it;
    } else {
      it = seen_.erase(it);
    }
  }
  return out;
}

peer_tracker& tracker() {
  static peer_tracker t;
  return t;
}

task<void> serve_control(std::shared_ptr<io::host> h, tcp::socket raw_sock) {
  auto sock = std::make_shared<tcp::socket>(std::move(raw_sock));
  auto frame = co_await read_frame(*sock);
  if (!frame) co_return;
  pb::Request req;
  if (!req.ParseFromArray(frame->data(), static_cast<int>(frame->size()))) {
    auto r = error_response("malformed Request protobuf");
    (void)co_await write_frame(*sock, r);
    co_return;
  }
  pb::Response resp;
  switch (req.type()) {
    case pb::Request::IDENTIFY: {
      resp = ok_response();
      const auto& id = h->id().to_bytes();
      resp.mutable_identify()->set_id(std::string(id.begin(), id.end()));
      for (const auto& a : h->listen_addrs()) {
        const auto& b = a.to_bytes();
        resp.mutable_identify()->add_addrs(std::string(b.begin(), b.end()));
      }
      break;
    }
    case pb::Request::CONNECT: {
      if (!req.has_connect()) {
        resp = error_response("CONNECT without a connect field");
        break;
      }
      resp = co_await do_connect(h, req.connect());
      break;
    }
    case pb::Request::LIST_PEERS: {
      resp = ok_response();
      for (const auto& p : tracker().connected(*h)) {
        auto conn = h->connection_to(p);
        auto* info = resp.add_peers();
        info->set_id(std::string(p.to_bytes().begin(), p.to_bytes().end()));
        const auto& b = conn->remote_addr().to_bytes();
        info->add_addrs(std::string(b.begin(), b.end()));
      }
      break;
    }
    case pb::Request::DISCONNECT: {
      auto peer = peer_field(req.disconnect().peer());
      if (!peer) {
        resp = error_response("DISCONNECT: bad peer id: " + peer.error().message());
        break;
      }
      h->disconnect(*peer);
      resp = ok_response();
      break;
    }
    case pb::Request::STREAM_OPEN: {
      auto peer = peer_field(req.streamopen().peer());
      if (!peer) {
        resp = error_response("STREAM_OPEN: bad peer id: " + peer.error().message());
        break;
      }
      if (req.streamopen().proto_size() == 0) {
        resp = error_response("STREAM_OPEN: no protocol given");
        break;
      }
      std::vector<std::string> protos(req.streamopen().proto().begin(), req.streamopen().proto().end());
      auto s = co_await h->new_stream(*peer, std::move(protos));
      if (!s) {
        resp = error_response("STREAM_OPEN: " + s.error().message());
        break;
      }
      resp = ok_response();
      fill_stream_info(*resp.mutable_streaminfo(), *s);
      // With lazy negotiation the protocol is settled by the first read; the
      // single proposal is the one it will be (or the read fails).
      if (resp.streaminfo().proto().empty()) resp.mutable_streaminfo()->set_proto(req.streamopen().proto(0));
      auto sent = co_await write_frame(*sock, resp);
      if (!sent) {
        s->reset();
        co_return;
      }
      pipe(h->executor(), sock, *s);
      co_return;
    }
    case pb::Request::STREAM_HANDLER: {
      auto client = addr_field(req.streamhandler().addr());
      if (!client) {
        resp = error_response("STREAM_HANDLER: bad address: " + client.error().message());
        break;
      }
      if (!io::to_endpoint(*client)) {
        resp = error_response("STREAM_HANDLER: only /ip4|ip6/.../tcp/N client addresses are supported");
        break;
      }
      for (const auto& proto : req.streamhandler().proto()) {
        mf::multiaddr target = *client;
        h->set_stream_handler(proto, [target](io::stream s) { return forward_inbound(target, std::move(s)); });
      }
      h->push_identify();
      resp = ok_response();
      break;
    }
    case pb::Request::PUBSUB: {
      if (!req.has_pubsub()) {
        resp = error_response("PUBSUB without a pubsub field");
        break;
      }
      co_await serve_pubsub(sock, req.pubsub());
      co_return;
    }
    default:
      resp = error_response("request type " + std::to_string(static_cast<int>(req.type())) +
                            " not supported by converge-p2pd (DHT, connmanager, peerstore)");
      break;
  }
  (void)co_await write_frame(*sock, resp);
}

}  // namespace converge::p2pd
