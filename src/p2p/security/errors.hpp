#pragma once
// Errors of the security handshakes (Noise XX and /plaintext/2.0.0). Every
// failure ends the session: the caller closes the connection. The detail
// string names the message, the byte count or the field that was wrong.
#include <system_error>

#include "base/error.hpp"

namespace converge::p2p::security {

enum class security_errc {
  malformed_message = 1,  // a handshake message or Exchange has the wrong size or layout
  decrypt_failed,         // AEAD authentication failed: tampered, truncated or misframed ciphertext
  invalid_payload,        // NoiseHandshakePayload / Exchange not decodable or missing a field
  invalid_key,            // identity key not decodable, or a low-order X25519 key (all-zero DH)
  invalid_signature,      // identity_sig does not verify over the remote Noise static key
  peer_id_mismatch,       // remote peer ID differs from the one dialled, or from the key it sent
  no_common_muxer,        // both sides listed stream muxers and none is shared
  handshake_timeout,      // the peer stalled mid-handshake past the configured bound
  connection_closed,      // the remote closed mid-handshake or mid-frame
  frame_too_large,        // a frame or length prefix exceeds its bound
  nonce_exhausted,        // 2^64-1 messages sent or received in one direction: rekey is not defined
  buffer_full,            // the caller queued more than the bounded buffers hold; read or transmit first
  invalid_state,          // call not allowed now: send before the handshake, any call after failure
  signing_failed,         // the local identity refused to sign
};

const std::error_category& security_category() noexcept;
inline std::error_code make_error_code(security_errc e) noexcept { return {static_cast<int>(e), security_category()}; }

}  // namespace converge::p2p::security

template <>
struct std::is_error_code_enum<converge::p2p::security::security_errc> : std::true_type {};
