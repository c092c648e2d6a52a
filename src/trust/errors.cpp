#include "trust/errors.hpp"

#include <string>

namespace converge::trust {
namespace {
struct trust_category_impl final : std::error_category {
  const char* name() const noexcept override { return "trust"; }
  std::string message(int ev) const override {
    switch (static_cast<trust_errc>(ev)) {
      case trust_errc::invalid_json: return "invalid JSON";
      case trust_errc::too_large: return "exceeds limit";
      case trust_errc::invalid_metadata: return "invalid metadata";
      case trust_errc::invalid_key: return "invalid key";
      case trust_errc::invalid_signature: return "invalid signature";
      case trust_errc::threshold_not_met: return "signature threshold not met";
      case trust_errc::invalid_encoding: return "invalid scalar or point encoding";
      case trust_errc::invalid_participants: return "invalid participant set";
      case trust_errc::invalid_share: return "invalid share";
      case trust_errc::invalid_proof: return "invalid proof of knowledge";
      case trust_errc::crypto_failure: return "crypto operation failed";
      case trust_errc::rollback: return "rollback attack";
      case trust_errc::expired: return "metadata expired";
      case trust_errc::mismatch: return "metadata does not match trusted metadata";
      case trust_errc::out_of_order: return "update steps out of order";
      case trust_errc::equivocation: return "equivocation: two releases with the same sequence";
      case trust_errc::revoked: return "release revoked";
      case trust_errc::not_for_device: return "release not for this device";
      case trust_errc::storage: return "trusted state storage failure";
    }
    return "unknown trust error";
  }
};
}  // namespace

const std::error_category& trust_category() noexcept {
  static const trust_category_impl cat;
  return cat;
}

}  // namespace converge::trust
