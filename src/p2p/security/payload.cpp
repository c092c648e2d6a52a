#include "p2p/security/payload.hpp"

#include "p2p/security/errors.hpp"
#include "p2p_security/security.pb.h"

namespace converge::p2p::security {

namespace {

bytes serialize(const google::protobuf::MessageLite& m) {
  std::string s = m.SerializeAsString();
  return to_bytes(s);
}

}  // namespace

result<void> check_extensions(const noise_extensions& ext) {
  if (ext.stream_muxers.size() > max_stream_muxers)
    return fail(security_errc::invalid_payload, std::to_string(ext.stream_muxers.size()) +
                                                    " stream muxers listed, at most " +
                                                    std::to_string(max_stream_muxers) + " allowed");
  for (const auto& m : ext.stream_muxers)
    if (m.empty() || m.size() > max_muxer_name_len)
      return fail(security_errc::invalid_payload, "stream muxer name of " + std::to_string(m.size()) +
                                                      " bytes (1.." + std::to_string(max_muxer_name_len) + " allowed)");
  if (ext.webtransport_certhashes.size() > max_certhashes)
    return fail(security_errc::invalid_payload, std::to_string(ext.webtransport_certhashes.size()) +
                                                    " webtransport certhashes, at most " +
                                                    std::to_string(max_certhashes) + " allowed");
  for (const auto& h : ext.webtransport_certhashes)
    if (h.size() > max_certhash_len)
      return fail(security_errc::invalid_payload,
                  "webtransport certhash of " + std::to_string(h.size()) + " bytes, at most " +
                      std::to_string(max_certhash_len) + " allowed");
  return ok();
}

result<std::optional<std::string>> negotiate_muxer(const std::vector<std::string>& initiator_muxers,
                                                   const std::vector<std::string>& responder_muxers) {
  if (initiator_muxers.empty() || responder_muxers.empty()) return std::optional<std::string>{};
  for (const auto& m : initiator_muxers)
    for (const auto& r : responder_muxers)
      if (m == r) return std::optional<std::string>{m};
  std::string detail = "initiator offers";
  for (const auto& m : initiator_muxers) detail += " " + m;
  detail += ", responder supports";
  for (const auto& r : responder_muxers) detail += " " + r;
  return fail(security_errc::no_common_muxer, detail);
}

bytes encode_handshake_payload(const handshake_payload& p) {
  pb::NoiseHandshakePayload m;
  if (!p.identity_key.empty()) m.set_identity_key(p.identity_key.data(), p.identity_key.size());
  if (!p.identity_sig.empty()) m.set_identity_sig(p.identity_sig.data(), p.identity_sig.size());
  if (p.extensions) {
    auto* ext = m.mutable_extensions();
    for (const auto& h : p.extensions->webtransport_certhashes) ext->add_webtransport_certhashes(h.data(), h.size());
    for (const auto& s : p.extensions->stream_muxers) ext->add_stream_muxers(s);
  }
  return serialize(m);
}

result<handshake_payload> decode_handshake_payload(bytes_view in) {
  pb::NoiseHandshakePayload m;
  if (!m.ParseFromArray(in.data(), static_cast<int>(in.size())))
    return fail(security_errc::invalid_payload,
                "NoiseHandshakePayload of " + std::to_string(in.size()) + " bytes is not a valid protobuf");
  handshake_payload p;
  p.identity_key = to_bytes(as_bytes(m.identity_key()));
  p.identity_sig = to_bytes(as_bytes(m.identity_sig()));
  if (m.has_extensions()) {
    noise_extensions ext;
    const auto& e = m.extensions();
    // Bound before copying: a hostile list is rejected, not materialised.
    if (e.stream_muxers_size() > static_cast<int>(max_stream_muxers) ||
        e.webtransport_certhashes_size() > static_cast<int>(max_certhashes)) {
      return fail(security_errc::invalid_payload,
                  "NoiseExtensions lists " + std::to_string(e.stream_muxers_size()) + " muxers and " +
                      std::to_string(e.webtransport_certhashes_size()) + " certhashes (at most " +
                      std::to_string(max_stream_muxers) + " and " + std::to_string(max_certhashes) + ")");
    }
    for (const auto& h : e.webtransport_certhashes()) ext.webtransport_certhashes.push_back(to_bytes(as_bytes(h)));
    for (const auto& s : e.stream_muxers()) ext.stream_muxers.push_back(s);
    if (auto r = check_extensions(ext); !r) return fail(with_context(r.error(), "remote NoiseExtensions"));
    p.extensions = std::move(ext);
  }
  return p;
}

bytes encode_exchange(const plaintext_exchange& e) {
  pb::Exchange m;
  m.set_id(e.id.data(), e.id.size());
  m.set_pubkey(e.pubkey.data(), e.pubkey.size());
  return serialize(m);
}

result<plaintext_exchange> decode_exchange(bytes_view in) {
  pb::Exchange m;
  if (!m.ParseFromArray(in.data(), static_cast<int>(in.size())))
    return fail(security_errc::invalid_payload,
                "plaintext Exchange of " + std::to_string(in.size()) + " bytes is not a valid protobuf");
  if (!m.has_id() || m.id().empty()) return fail(security_errc::invalid_payload, "plaintext Exchange has no id");
  if (!m.has_pubkey() || m.pubkey().empty())
    return fail(security_errc::invalid_payload, "plaintext Exchange has no pubkey");
  return plaintext_exchange{to_bytes(as_bytes(m.id())), to_bytes(as_bytes(m.pubkey()))};
}

}  // namespace converge::p2p::security
