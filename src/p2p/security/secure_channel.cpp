#include "p2p/security/secure_channel.hpp"

#include "p2p/security/errors.hpp"

namespace converge::p2p::security {

std::vector<std::string> supported_security_protocols(const security_options& options) {
  std::vector<std::string> out{std::string(noise_protocol_id)};
  if (options.allow_plaintext) out.emplace_back(plaintext_protocol_id);
  return out;
}

result<std::unique_ptr<secure_channel>> make_secure_channel(std::string_view protocol_id, role self,
                                                            const crypto::private_key& identity,
                                                            const security_options& options, rng& r, instant now) {
  if (protocol_id == noise_protocol_id) {
    noise_config cfg(identity);
    cfg.stream_muxers = options.stream_muxers;
    cfg.expected_peer = options.expected_peer;
    cfg.handshake_timeout = options.handshake_timeout;
    cfg.max_pending_output = options.max_pending_output;
    auto s = noise_session::create(self, std::move(cfg), r, now);
    if (!s) return fail(s.error());
    return std::make_unique<noise_session>(std::move(*s));
  }
  if (protocol_id == plaintext_protocol_id && options.allow_plaintext) {
    plaintext_config cfg(identity.public_key());
    cfg.expected_peer = options.expected_peer;
    cfg.handshake_timeout = options.handshake_timeout;
    cfg.max_pending_output = options.max_pending_output;
    return std::make_unique<plaintext_session>(self, std::move(cfg), now);
  }
  return fail(security_errc::invalid_state,
              "security protocol " + std::string(protocol_id) +
                  (protocol_id == plaintext_protocol_id ? " is disabled (allow_plaintext is off)" : " is not supported"));
}

}  // namespace converge::p2p::security
