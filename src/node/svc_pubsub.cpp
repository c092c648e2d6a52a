#include "node/svc_pubsub.hpp"

#include <set>

#include <boost/asio/ip/address.hpp>

#include "base/bytes.hpp"
#include "base/log.hpp"
#include "multiformats/multibase.hpp"
#include "node/services.hpp"

namespace converge::node {
namespace {

namespace io = p2p::io;
using io::task;

// Whether `s` is well-formed UTF-8 (JSON text must be; other data goes out as base64 only).
bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if ((c >> 5) == 0x6) {
      n = 1, cp = c & 0x1fu;
    } else if ((c >> 4) == 0xe) {
      n = 2, cp = c & 0x0fu;
    } else if ((c >> 3) == 0x1e) {
      n = 3, cp = c & 0x07u;
    } else {
      return false;
    }
    if (s.size() - i <= n) return false;
    for (std::size_t k = 1; k <= n; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3fu);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff))
      return false;
    i += n + 1;
  }
  return true;
}

json message_json(const pubsub::io::received_message& m) {
  const auto& msg = m.message;
  json out{{"topic", msg.topic()}, {"received_from", m.received_from.to_string()}};
  if (msg.has_from()) {
    auto from = crypto::peer_id::from_bytes(as_bytes(msg.from()));
    out["from"] = from ? from->to_string() : std::string("invalid:") + to_hex(as_bytes(msg.from()));
  }
  if (msg.has_seqno()) out["seqno"] = to_hex(as_bytes(msg.seqno()));
  if (valid_utf8(msg.data())) out["data"] = msg.data();
  out["data_base64"] = mf::base_encode(mf::multibase::base64, as_bytes(msg.data()));
  return out;
}

result<bytes> data_arg(const rpc_call& c) {
  if (c.args.contains("data_base64")) {
    auto text = arg_string(c, "data_base64");
    if (!text) return std::unexpected(text.error());
    auto s = *text;
    while (!s.empty() && s.back() == '=') s.pop_back();
    auto b = mf::base_decode(mf::multibase::base64, s);
    if (!b) return fail(node_errc::bad_request, "argument 'data_base64': " + b.error().message());
    return b;
  }
  if (!c.args.contains("data")) return bytes{};  // an empty message is allowed
  auto text = arg_string(c, "data");
  if (!text) return std::unexpected(text.error());
  return to_bytes(*text);
}

// Cancels `sub` once the streaming client is gone (checked twice a second, as rpc.hpp asks).
task<void> watch_client(std::shared_ptr<bool> gone, std::shared_ptr<pubsub::io::subscription> sub) {
  io::asio::steady_timer t(co_await io::asio::this_coro::executor);
  while (sub->active()) {
    if (*gone) {
      sub->cancel();
      break;
    }
    t.expires_after(std::chrono::milliseconds(500));
    (void)co_await t.async_wait(io::use_tuple);
  }
}

json peers_json(const std::vector<crypto::peer_id>& v) {
  json out = json::array();
  for (const auto& p : v) out.push_back(p.to_string());
  return out;
}

}  // namespace

result<std::optional<pubsub::io::driver_config>> pubsub_config(const json& section) {
  auto bad = [](const std::string& what) { return fail(node_errc::invalid_config, "config.pubsub" + what); };
  if (!section.is_object()) return bad(": must be an object");
  pubsub::io::driver_config cfg;
  // Scoring is on by default (the spec's weights for every topic); loopback
  // peers do not count toward IP colocation unless the whitelist says otherwise.
  cfg.router.score = pubsub::daemon_score_params();
  std::optional<std::set<std::string>> whitelist;
  for (const auto& [key, value] : section.items()) {
    if (key == "enabled") {
      if (!value.is_boolean()) return bad(".enabled: must be true or false");
      if (!value.get<bool>()) return std::optional<pubsub::io::driver_config>{};
    } else if (key == "router") {
      if (!value.is_string() || (value != "gossipsub" && value != "floodsub"))
        return bad(".router: must be \"gossipsub\" or \"floodsub\"");
      cfg.kind = value == "floodsub" ? pubsub::io::router_kind::floodsub : pubsub::io::router_kind::gossipsub;
    } else if (key == "subscription_queue") {
      if (!value.is_number_integer() || value.get<std::int64_t>() < 1 || value.get<std::int64_t>() > 1'000'000)
        return bad(".subscription_queue: must be an integer in 1..1000000");
      cfg.subscription_queue = value.get<std::size_t>();
    } else if (key == "peer_exchange") {
      if (!value.is_boolean()) return bad(".peer_exchange: must be true or false");
      cfg.router.gossip.do_px = value.get<bool>();
    } else if (key == "score") {
      if (!value.is_boolean()) return bad(".score: must be true or false");
      if (!value.get<bool>()) cfg.router.score.reset();
    } else if (key == "ip_colocation_whitelist") {
      if (!value.is_array() || value.size() > 1024) return bad(".ip_colocation_whitelist: must be an array of IP addresses");
      std::set<std::string> ips;
      for (const auto& v : value) {
        boost::system::error_code ec;
        auto a = v.is_string() ? boost::asio::ip::make_address(v.get<std::string>(), ec) : boost::asio::ip::address{};
        if (!v.is_string() || ec)
          return bad(".ip_colocation_whitelist: " + v.dump() + " is not an IP address");
        ips.insert(a.to_string());
      }
      whitelist = std::move(ips);
    } else {
      return bad("." + key + ": unknown field (known: enabled, router, subscription_queue, peer_exchange, score, ip_colocation_whitelist)");
    }
  }
  if (whitelist && cfg.router.score) cfg.router.score->ip_colocation_factor_whitelist = std::move(*whitelist);
  return std::optional<pubsub::io::driver_config>{std::move(cfg)};
}

result<void> add_pubsub_service(node& n) {
  auto cfg = pubsub_config(n.config().service("pubsub"));
  if (!cfg) return std::unexpected(cfg.error());
  if (*cfg) n.add_service(std::make_shared<pubsub_service>(std::move(**cfg)));
  return ok();
}

result<void> pubsub_service::start(node& n, rpc_registry& rpc) {
  auto d = pubsub::io::driver::create(n.host(), cfg_);
  if (!d) return std::unexpected(d.error());
  driver_ = *d;
  driver_->start();
  std::weak_ptr<pubsub::io::driver> weak = driver_;
  n.on_host_event([weak](const io::host_event& e) {
    if (auto live = weak.lock()) live->on_host_event(e);
  });
  for (const auto& c : n.host()->connections()) driver_->add_peer(c->remote_peer());

  auto d_ = driver_;
  rpc.add("pubsub/pub", [d_](rpc_call c) -> task<rpc_result> {
    auto topic = arg_string(c, "topic");
    if (!topic) co_return std::unexpected(topic.error());
    auto data = data_arg(c);
    if (!data) co_return std::unexpected(data.error());
    auto id = d_->publish(*topic, *data);
    if (!id) co_return fail(node_errc::bad_request, "pubsub/pub: " + id.error().message());
    co_return json{{"topic", *topic}, {"id", to_hex(as_bytes(*id))}, {"peers", d_->peers(*topic).size()}};
  });
  rpc.add_stream("pubsub/sub", [d_](rpc_call c, rpc_emit emit) -> task<result<void>> {
    auto topic = arg_string(c, "topic");
    if (!topic) co_return std::unexpected(topic.error());
    auto sub = d_->subscribe(*topic);
    if (!sub) co_return fail(node_errc::bad_request, "pubsub/sub: " + sub.error().message());
    auto s = *sub;
    io::asio::co_spawn(co_await io::asio::this_coro::executor, watch_client(c.gone, s), io::asio::detached);
    while (true) {
      auto m = co_await s->next();
      if (!m) break;
      if (!emit(message_json(*m))) break;
    }
    s->cancel();
    co_return ok();
  });
  rpc.add("pubsub/peers", [d_](rpc_call c) -> task<rpc_result> {
    std::string topic;
    if (c.args.contains("topic")) {
      auto t = arg_string(c, "topic");
      if (!t) co_return std::unexpected(t.error());
      topic = *t;
    }
    co_return peers_json(d_->peers(topic));
  });
  rpc.add("pubsub/ls", [d_](rpc_call) -> task<rpc_result> { co_return json(d_->topics()); });
  return ok();
}

void pubsub_service::stop() {
  if (driver_) driver_->stop();
}

}  // namespace converge::node
