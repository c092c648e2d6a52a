#include "ipns/errors.hpp"

#include <string>

namespace converge::ipns {
namespace {
struct ipns_category_impl final : std::error_category {
  [[nodiscard]] const char* name() const noexcept override { return "ipns"; }
  [[nodiscard]] std::string message(int ev) const override {
    switch (static_cast<ipns_errc>(ev)) {
      case ipns_errc::malformed_cbor: return "malformed DAG-CBOR";
      case ipns_errc::malformed_record: return "malformed IPNS record";
      case ipns_errc::record_too_large: return "IPNS record too large";
      case ipns_errc::bad_signature: return "bad IPNS signature";
      case ipns_errc::key_mismatch: return "public key does not match the name";
      case ipns_errc::field_mismatch: return "V1 field differs from the signed data";
      case ipns_errc::expired: return "IPNS record expired";
      case ipns_errc::invalid_validity: return "invalid validity";
      case ipns_errc::invalid_name: return "invalid IPNS name";
      case ipns_errc::sequence_rollback: return "sequence lower than one already seen";
      case ipns_errc::store_failed: return "sequence store failed";
      case ipns_errc::invalid_argument: return "invalid argument";
    }
    return "unknown ipns error";
  }
};
}  // namespace

const std::error_category& ipns_category() noexcept {
  static const ipns_category_impl c;
  return c;
}

}  // namespace converge::ipns
