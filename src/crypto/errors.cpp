#include "crypto/errors.hpp"

namespace converge::crypto {
namespace {
struct crypto_category_impl final : std::error_category {
  const char* name() const noexcept override { return "crypto"; }
  std::string message(int ev) const override {
    switch (static_cast<crypto_errc>(ev)) {
      case crypto_errc::unknown_key_type: return "unknown key type";
      case crypto_errc::invalid_key: return "invalid key";
      case crypto_errc::key_too_small: return "key too small";
      case crypto_errc::key_too_large: return "key too large";
      case crypto_errc::malformed_protobuf: return "malformed protobuf";
      case crypto_errc::signing_failed: return "signing failed";
      case crypto_errc::invalid_peer_id: return "invalid peer ID";
      case crypto_errc::no_embedded_key: return "peer ID does not embed its public key";
      case crypto_errc::wrong_passphrase: return "wrong passphrase or corrupted key file";
      case crypto_errc::passphrase_required: return "key file is encrypted: a passphrase is required";
      case crypto_errc::invalid_key_file: return "invalid key file";
      case crypto_errc::malformed_envelope: return "malformed signed envelope";
      case crypto_errc::wrong_payload_type: return "unexpected envelope payload type";
      case crypto_errc::invalid_signature: return "invalid signature";
      case crypto_errc::invalid_record: return "invalid peer record";
      case crypto_errc::peer_id_mismatch: return "peer ID does not match the signing key";
      case crypto_errc::invalid_argument: return "invalid argument";
    }
    return "unknown crypto error";
  }
};
}  // namespace

const std::error_category& crypto_category() noexcept {
  static const crypto_category_impl cat;
  return cat;
}

}  // namespace converge::crypto
