#include "pubsub.hpp"

#include <array>
#include <string>

#include "base/varint.hpp"

namespace converge::p2pd {
namespace {

namespace io = converge::p2p::io;
using io::task;
using io::use_tuple;
using sock_ptr = std::shared_ptr<io::tcp::socket>;

task<bool> write_frame(io::tcp::socket& sock, const google::protobuf::MessageLite& msg) {
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

std::string raw(const bytes& b) { return {b.begin(), b.end()}; }

pb::PSMessage to_ps_message(const pubsub::pb::Message& m) {
  pb::PSMessage out;
  if (m.has_from()) out.set_from(m.from());
  out.set_data(m.data());
  if (m.has_seqno()) out.set_seqno(m.seqno());
  out.add_topicids(m.topic());
  if (m.has_signature()) out.set_signature(m.signature());
  if (m.has_key()) {
    out.set_key(m.key());
  } else if (m.has_from()) {
    // The key is inlined in the peer ID (Ed25519, secp256k1): hand it out as p2pd does.
    auto from = crypto::peer_id::from_bytes(as_bytes(m.from()));
    if (from) {
      auto key = from->extract_public_key();
      if (key) out.set_key(raw(key->to_protobuf()));
    }
  }
  return out;
}

// Cancels the subscription once the client closes its end (it sends nothing more).
task<void> watch_client(sock_ptr sock, std::shared_ptr<pubsub::io::subscription> sub) {
  std::array<std::uint8_t, 256> buf{};
  while (true) {
    auto [ec, n] = co_await sock->async_read_some(io::asio::buffer(buf), use_tuple);
    if (ec) break;
  }
  sub->cancel();
}

}  // namespace

std::shared_ptr<pubsub::io::driver>& pubsub_driver() {
  static std::shared_ptr<pubsub::io::driver> d;
  return d;
}

task<void> serve_pubsub(sock_ptr sock, pb::PSRequest req) {
  auto d = pubsub_driver();
  if (!d) {
    (void)co_await write_frame(*sock, error_response("PUBSUB: not supported without -pubsub (pubsub is off in this daemon)"));
    co_return;
  }
  pb::Response resp = ok_response();
  switch (req.type()) {
    case pb::PSRequest::GET_TOPICS: {
      auto* ps = resp.mutable_pubsub();
      for (const auto& t : d->topics()) ps->add_topics(t);
      break;
    }
    case pb::PSRequest::LIST_PEERS: {
      auto* ps = resp.mutable_pubsub();
      ps->add_topics(req.topic());
      for (const auto& p : d->peers(req.topic())) ps->add_peerids(raw(p.to_bytes()));
      break;
    }
    case pb::PSRequest::PUBLISH: {
      if (!req.has_topic()) {
        resp = error_response("PUBSUB PUBLISH: no topic");
        break;
      }
      auto id = d->publish(req.topic(), as_bytes(req.data()));
      if (!id) resp = error_response("PUBSUB PUBLISH: " + id.error().message());
      break;
    }
    case pb::PSRequest::SUBSCRIBE: {
      if (!req.has_topic()) {
        resp = error_response("PUBSUB SUBSCRIBE: no topic");
        break;
      }
      auto sub = d->subscribe(req.topic());
      if (!sub) {
        resp = error_response("PUBSUB SUBSCRIBE: " + sub.error().message());
        break;
      }
      auto s = *sub;
      auto sent = co_await write_frame(*sock, resp);
      if (!sent) {
        s->cancel();
        co_return;
      }
      io::asio::co_spawn(sock->get_executor(), watch_client(sock, s), io::asio::detached);
      while (true) {
        auto m = co_await s->next();
        if (!m) break;
        auto ok = co_await write_frame(*sock, to_ps_message(m->message));
        if (!ok) break;
      }
      s->cancel();
      boost::system::error_code ignored;
      sock->close(ignored);
      co_return;
    }
    default:
      resp = error_response("PUBSUB: unknown request type " + std::to_string(static_cast<int>(req.type())));
      break;
  }
  (void)co_await write_frame(*sock, resp);
}

}  // namespace converge::p2pd
