#include "p2p/io/protocols/identify.hpp"

#include "base/log.hpp"
#include "crypto/peer_record.hpp"
#include "p2p/io/errors.hpp"

namespace converge::p2p::io {
namespace {

constexpr std::size_t max_identify_stream = 128 * 1024;

std::optional<bytes> signed_record(host& h) {
  crypto::peer_record rec{h.id(), 0, {}};
  rec.seq = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
  for (const auto& a : h.listen_addrs()) rec.addresses.push_back(a.to_bytes());
  auto env = crypto::seal_peer_record(h.identity(), rec);
  if (!env) return std::nullopt;
  return env->to_protobuf();
}

}  // namespace

identify_info local_identify(host& h, const connection& conn) {
  identify_info info;
  info.protocol_version = h.config().protocol_version;
  info.agent_version = h.config().agent_version;
  info.public_key = h.identity().public_key();
  info.listen_addrs = h.listen_addrs();
  if (!conn.remote_addr().empty()) info.observed_addr = conn.remote_addr();
  info.protocols = h.protocols();
  info.signed_peer_record = signed_record(h);
  return info;
}

bool record_identify(host& h, const connection& conn, const identify_info& info) {
  const auto& peer = conn.remote_peer();
  auto now = std::chrono::steady_clock::now();
  bool verified = false;
  std::vector<mf::multiaddr> addrs = info.listen_addrs;
  if (info.signed_peer_record) {
    auto opened = crypto::open_peer_record(*info.signed_peer_record);
    if (opened && opened->record.id == peer) {
      verified = true;
      h.peers().set_record(peer, opened->record, *info.signed_peer_record);
      addrs.clear();
      for (const auto& raw : opened->record.addresses)
        if (auto a = mf::multiaddr::from_bytes(raw)) addrs.push_back(std::move(*a));
    } else if (log_enabled(log_level::info)) {
      log(log_level::info, "p2p_io",
          "identify: signed peer record of " + peer.to_string() + " rejected: " +
              (opened ? std::string("it names another peer") : opened.error().message()));
    }
  }
  h.peers().add_addrs(peer, addrs, recent_addr_ttl, now);
  if (!info.protocols.empty()) h.peers().set_protocols(peer, info.protocols);
  h.peers().set_key(peer, conn.remote_key());
  if (!info.agent_version.empty() || !info.protocol_version.empty())
    h.peers().set_agent(peer, info.agent_version, info.protocol_version);
  return verified;
}

task<void> serve_identify(std::shared_ptr<host> h, stream s) {
  auto msg = frame_identify(local_identify(*h, *s.conn()));
  auto awaited = co_await s.write_all(msg);
  if (awaited) (void)s.close_write();
}

task<void> receive_identify_push(std::shared_ptr<host> h, stream s) {
  auto data = co_await s.read_to_end(max_identify_stream);
  (void)s.close_write();
  if (!data) co_return;
  auto info = decode_identify_stream(*data);
  if (!info) {
    h->emit(identify_failed{s.remote_peer(), info.error()});
    co_return;
  }
  bool verified = record_identify(*h, *s.conn(), *info);
  h->emit(identify_completed{s.remote_peer(), std::move(*info), verified});
}

task<result<identify_info>> request_identify(std::shared_ptr<host> h, std::shared_ptr<connection> conn) {
  auto peer = conn->remote_peer();
  auto finish = [&](result<identify_info> r) -> result<identify_info> {
    if (!r) {
      h->emit(identify_failed{peer, r.error()});
      return r;
    }
    bool verified = record_identify(*h, *conn, *r);
    h->emit(identify_completed{peer, *r, verified});
    return r;
  };
  std::vector<std::string> protocols(1, std::string(identify_protocol_id));
  auto s = co_await h->new_stream(conn, std::move(protocols));
  if (!s) co_return finish(fail(s.error()));
  (void)s->close_write();
  auto data = co_await s->read_to_end(max_identify_stream);
  if (!data) co_return finish(fail(data.error()));
  co_return finish(decode_identify_stream(*data));
}

task<result<void>> send_identify_push(std::shared_ptr<host> h, std::shared_ptr<connection> conn) {
  std::vector<std::string> protocols(1, std::string(identify_push_protocol_id));
  auto s = co_await h->new_stream(conn, std::move(protocols));
  if (!s) co_return fail(s.error());
  auto w = co_await s->write_all(frame_identify(local_identify(*h, *conn)));
  if (!w) co_return fail(w.error());
  (void)s->close_write();
  std::array<std::uint8_t, 64> rest{};
  (void)co_await s->read_some(rest);
  co_return ok();
}

}  // namespace converge::p2p::io
