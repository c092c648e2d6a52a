#include "p2p/io/protocols/identify_message.hpp"

#include "base/varint.hpp"
#include "p2p/io/errors.hpp"

namespace converge::p2p::io {
namespace {

enum field : std::uint64_t {
  f_public_key = 1,
  f_listen_addrs = 2,
  f_protocols = 3,
  f_observed_addr = 4,
  f_protocol_version = 5,
  f_agent_version = 6,
  f_signed_peer_record = 8,
};

void put(bytes& out, std::uint64_t number, bytes_view value) {
  append_uvarint(out, (number << 3) | 2);
  append_uvarint(out, value.size());
  append(out, value);
}

std::unexpected<error> bad(std::string detail) { return fail(io_errc::invalid_message, "identify: " + std::move(detail)); }

result<std::string> text(bytes_view v, const identify_limits& limits, const char* what) {
  if (v.size() > limits.max_string)
    return bad(std::string(what) + " of " + std::to_string(v.size()) + " bytes exceeds " +
               std::to_string(limits.max_string));
  return std::string(as_chars(v));
}

}  // namespace

bytes encode_identify(const identify_info& info) {
  bytes out;
  put(out, f_protocol_version, as_bytes(info.protocol_version));
  put(out, f_agent_version, as_bytes(info.agent_version));
  if (info.public_key) put(out, f_public_key, info.public_key->to_protobuf());
  for (const auto& a : info.listen_addrs) put(out, f_listen_addrs, a.to_bytes());
  if (info.observed_addr) put(out, f_observed_addr, info.observed_addr->to_bytes());
  for (const auto& p : info.protocols) put(out, f_protocols, as_bytes(p));
  if (info.signed_peer_record) put(out, f_signed_peer_record, *info.signed_peer_record);
  return out;
}

bytes frame_identify(const identify_info& info) {
  auto body = encode_identify(info);
  bytes out = encode_uvarint(body.size());
  append(out, body);
  return out;
}

result<identify_info> decode_identify(bytes_view body, const identify_limits& limits) {
  if (body.size() > limits.max_message)
    return bad("message of " + std::to_string(body.size()) + " bytes exceeds " + std::to_string(limits.max_message));
  identify_info info;
  byte_reader r(body);
  while (!r.empty()) {
    auto key = r.uvarint();
    if (!key) return bad("field key: " + key.error().detail);
    std::uint64_t number = *key >> 3;
    std::uint64_t wire = *key & 7;
    if (number == 0) return bad("field number 0");
    if (wire == 0) {
      if (auto v = r.uvarint(); !v) return bad("varint field: " + v.error().detail);
      continue;
    }
    if (wire == 1 || wire == 5) {
      if (auto v = r.take(wire == 1 ? 8 : 4); !v) return bad("fixed field truncated");
      continue;
    }
    if (wire != 2) return bad("unsupported wire type " + std::to_string(wire));
    auto v = r.length_prefixed(r.remaining());
    if (!v) return bad("field " + std::to_string(number) + ": " + v.error().detail);
    switch (number) {
      case f_public_key: {
        auto k = crypto::public_key::from_protobuf(*v);
        if (!k) return bad("publicKey: " + k.error().detail);
        info.public_key = std::move(*k);
        break;
      }
      case f_listen_addrs: {
        if (info.listen_addrs.size() >= limits.max_addrs)
          return bad("more than " + std::to_string(limits.max_addrs) + " listen addresses");
        if (auto a = mf::multiaddr::from_bytes(*v)) info.listen_addrs.push_back(std::move(*a));
        break;
      }
      case f_protocols: {
        if (info.protocols.size() >= limits.max_protocols)
          return bad("more than " + std::to_string(limits.max_protocols) + " protocols");
        auto p = text(*v, limits, "protocol id");
        if (!p) return fail(p.error());
        info.protocols.push_back(std::move(*p));
        break;
      }
      case f_observed_addr: {
        if (auto a = mf::multiaddr::from_bytes(*v)) info.observed_addr = std::move(*a);
        break;
      }
      case f_protocol_version: {
        auto p = text(*v, limits, "protocolVersion");
        if (!p) return fail(p.error());
        info.protocol_version = std::move(*p);
        break;
      }
      case f_agent_version: {
        auto p = text(*v, limits, "agentVersion");
        if (!p) return fail(p.error());
        info.agent_version = std::move(*p);
        break;
      }
      case f_signed_peer_record:
        info.signed_peer_record = to_bytes(*v);
        break;
      default:
        break;  // unknown fields are allowed
    }
  }
  return info;
}

result<identify_info> decode_identify_stream(bytes_view data, const identify_limits& limits) {
  identify_info merged;
  byte_reader r(data);
  bool any = false;
  while (!r.empty()) {
    auto body = r.length_prefixed(limits.max_message);
    if (!body) return bad("message framing: " + body.error().detail);
    auto m = decode_identify(*body, limits);
    if (!m) return fail(m.error());
    if (!any) {
      merged = std::move(*m);
      any = true;
      continue;
    }
    // Later messages extend: scalars replace when present, lists append within bounds.
    if (!m->protocol_version.empty()) merged.protocol_version = std::move(m->protocol_version);
    if (!m->agent_version.empty()) merged.agent_version = std::move(m->agent_version);
    if (m->public_key) merged.public_key = std::move(m->public_key);
    if (m->observed_addr) merged.observed_addr = std::move(m->observed_addr);
    if (m->signed_peer_record) merged.signed_peer_record = std::move(m->signed_peer_record);
    for (auto& a : m->listen_addrs)
      if (merged.listen_addrs.size() < limits.max_addrs) merged.listen_addrs.push_back(std::move(a));
    for (auto& p : m->protocols)
      if (merged.protocols.size() < limits.max_protocols) merged.protocols.push_back(std::move(p));
  }
  if (!any) return bad("no message before the end of the stream");
  return merged;
}

}  // namespace converge::p2p::io
