#include "kad/message.hpp"

#include "base/varint.hpp"
#include "kad/dht.pb.h"

namespace converge::kad {

std::string_view to_string(message_type t) {
  switch (t) {
    case message_type::put_value: return "PUT_VALUE";
    case message_type::get_value: return "GET_VALUE";
    case message_type::add_provider: return "ADD_PROVIDER";
    case message_type::get_providers: return "GET_PROVIDERS";
    case message_type::find_node: return "FIND_NODE";
    case message_type::ping: return "PING";
  }
  return "UNKNOWN";
}

namespace {

template <class List>
result<std::vector<peer_info>> decode_peers(const List& list, const message_limits& lim, std::string_view what,
                                            std::size_t& dropped) {
  if (static_cast<std::size_t>(list.size()) > lim.max_peers)
    return fail(kad_errc::malformed_message, std::string(what) + ": " + std::to_string(list.size()) +
                                                 " peers exceed the bound of " + std::to_string(lim.max_peers));
  std::vector<peer_info> out;
  out.reserve(static_cast<std::size_t>(list.size()));
  for (const auto& p : list) {
    if (static_cast<std::size_t>(p.addrs_size()) > lim.max_addrs)
      return fail(kad_errc::malformed_message, std::string(what) + ": a peer with " + std::to_string(p.addrs_size()) +
                                                   " addresses exceeds the bound of " + std::to_string(lim.max_addrs));
    auto id = crypto::peer_id::from_bytes(as_bytes(p.id()));
    if (!id) {
      ++dropped;
      continue;
    }
    peer_info info{*id, {}, connection_type::not_connected};
    for (const auto& a : p.addrs()) {
      if (a.size() > lim.max_addr_size)
        return fail(kad_errc::malformed_message, std::string(what) + ": an address of " + std::to_string(a.size()) +
                                                     " bytes exceeds " + std::to_string(lim.max_addr_size));
      info.addrs.push_back(to_bytes(a));
    }
    int c = static_cast<int>(p.connection());
    info.connection = c >= 0 && c <= 3 ? static_cast<connection_type>(c) : connection_type::not_connected;
    out.push_back(std::move(info));
  }
  return out;
}

template <class List>
void encode_peers(const std::vector<peer_info>& peers, List* list) {
  for (const auto& p : peers) {
    auto* e = list->Add();
    const auto& id = p.id.to_bytes();
    e->set_id(id.data(), id.size());
    for (const auto& a : p.addrs) e->add_addrs(a.data(), a.size());
    e->set_connection(static_cast<pb::Message::ConnectionType>(p.connection));
  }
}

}  // namespace

result<message> decode_message(bytes_view data, const message_limits& lim) {
  if (data.size() > lim.max_message)
    return fail(kad_errc::message_too_large, "message of " + std::to_string(data.size()) + " bytes exceeds " +
                                                 std::to_string(lim.max_message));
  pb::Message pm;
  if (!pm.ParseFromArray(data.data(), static_cast<int>(data.size())))
    return fail(kad_errc::malformed_message, "Message protobuf of " + std::to_string(data.size()) + " bytes does not parse");
  int t = static_cast<int>(pm.type());
  if (t < 0 || t > 5) return fail(kad_errc::malformed_message, "unknown message type " + std::to_string(t));
  if (pm.key().size() > lim.max_key_size)
    return fail(kad_errc::malformed_message, "key of " + std::to_string(pm.key().size()) + " bytes exceeds " +
                                                 std::to_string(lim.max_key_size));
  message m;
  m.type = static_cast<message_type>(t);
  m.key = to_bytes(pm.key());
  if (pm.has_record()) {
    const auto& r = pm.record();
    if (r.key().size() > lim.max_key_size)
      return fail(kad_errc::malformed_message, "record key of " + std::to_string(r.key().size()) + " bytes exceeds " +
                                                   std::to_string(lim.max_key_size));
    m.rec = record{to_bytes(r.key()), to_bytes(r.value()), r.timereceived()};
  }
  auto closer = decode_peers(pm.closerpeers(), lim, "closerPeers", m.dropped_peers);
  if (!closer) return fail(closer.error());
  m.closer_peers = std::move(*closer);
  auto providers = decode_peers(pm.providerpeers(), lim, "providerPeers", m.dropped_peers);
  if (!providers) return fail(providers.error());
  m.provider_peers = std::move(*providers);
  return m;
}

bytes encode_message(const message& m) {
  pb::Message pm;
  pm.set_type(static_cast<pb::Message::MessageType>(m.type));
  pm.set_key(m.key.data(), m.key.size());
  if (m.rec) {
    auto* r = pm.mutable_record();
    r->set_key(m.rec->key.data(), m.rec->key.size());
    r->set_value(m.rec->value.data(), m.rec->value.size());
    r->set_timereceived(m.rec->time_received);
  }
  encode_peers(m.closer_peers, pm.mutable_closerpeers());
  encode_peers(m.provider_peers, pm.mutable_providerpeers());
  bytes out(pm.ByteSizeLong());
  pm.SerializeWithCachedSizesToArray(out.data());
  return out;
}

result<void> frame_decoder::check_prefix() {
  auto v = decode_uvarint(bytes_view(buf_).subspan(pos_));
  if (!v) {
    if (v.error().code == base_errc::truncated) return ok();
    failed_ = true;
    return fail(kad_errc::malformed_frame, "length prefix: " + v.error().message());
  }
  if (v->value > max_) {
    failed_ = true;
    return fail(kad_errc::message_too_large,
                "frame of " + std::to_string(v->value) + " bytes exceeds " + std::to_string(max_));
  }
  return ok();
}

result<void> frame_decoder::handle_input(bytes_view data) {
  if (failed_) return fail(kad_errc::malformed_frame, "frame decoder already failed");
  if (pos_ > 0 && pos_ == buf_.size()) {
    buf_.clear();
    pos_ = 0;
  } else if (pos_ > 0 && pos_ > buf_.size() / 2) {
    buf_.erase(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(pos_));
    pos_ = 0;
  }
  append(buf_, data);
  return check_prefix();
}

std::optional<bytes> frame_decoder::next_frame() {
  if (failed_) return std::nullopt;
  auto v = decode_uvarint(bytes_view(buf_).subspan(pos_));
  if (!v) {
    if (v.error().code != base_errc::truncated) failed_ = true;
    return std::nullopt;
  }
  if (v->value > max_) {
    failed_ = true;
    return std::nullopt;
  }
  std::size_t need = v->size + static_cast<std::size_t>(v->value);
  if (buf_.size() - pos_ < need) return std::nullopt;
  auto start = buf_.begin() + static_cast<std::ptrdiff_t>(pos_ + v->size);
  bytes out(start, start + static_cast<std::ptrdiff_t>(v->value));
  pos_ += need;
  return out;
}

bytes encode_frame(bytes_view payload) {
  bytes out;
  out.reserve(payload.size() + max_varint_bytes);
  append_uvarint(out, payload.size());
  append(out, payload);
  return out;
}

}  // namespace converge::kad
