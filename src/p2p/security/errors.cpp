#include "p2p/security/errors.hpp"

namespace converge::p2p::security {

namespace {
struct security_category_impl final : std::error_category {
  const char* name() const noexcept override { return "p2p.security"; }
  std::string message(int ev) const override {
    switch (static_cast<security_errc>(ev)) {
      case security_errc::malformed_message: return "malformed handshake message";
      case security_errc::decrypt_failed: return "decryption failed";
      case security_errc::invalid_payload: return "invalid handshake payload";
      case security_errc::invalid_key: return "invalid key";
      case security_errc::invalid_signature: return "invalid identity signature";
      case security_errc::peer_id_mismatch: return "peer ID mismatch";
      case security_errc::no_common_muxer: return "no common stream muxer";
      case security_errc::handshake_timeout: return "handshake timed out";
      case security_errc::connection_closed: return "connection closed";
      case security_errc::frame_too_large: return "frame too large";
      case security_errc::nonce_exhausted: return "nonce exhausted";
      case security_errc::buffer_full: return "buffer full";
      case security_errc::invalid_state: return "invalid state";
      case security_errc::signing_failed: return "signing failed";
    }
    return "unknown security error";
  }
};
}  // namespace

const std::error_category& security_category() noexcept {
  static const security_category_impl cat;
  return cat;
}

}  // namespace converge::p2p::security
