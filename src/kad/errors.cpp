#include "kad/errors.hpp"

#include <string>

namespace converge::kad {
namespace {
struct kad_category_impl final : std::error_category {
  [[nodiscard]] const char* name() const noexcept override { return "kad"; }
  [[nodiscard]] std::string message(int ev) const override {
    switch (static_cast<kad_errc>(ev)) {
      case kad_errc::message_too_large: return "message too large";
      case kad_errc::malformed_frame: return "malformed frame";
      case kad_errc::malformed_message: return "malformed message";
      case kad_errc::invalid_record: return "invalid record";
      case kad_errc::record_too_large: return "record too large";
      case kad_errc::unknown_namespace: return "unknown record namespace";
      case kad_errc::stale_record: return "record older than the stored one";
      case kad_errc::not_found: return "not found";
      case kad_errc::unknown_query: return "unknown query";
      case kad_errc::unknown_request: return "unknown request";
      case kad_errc::too_many_queries: return "too many queries";
      case kad_errc::client_mode: return "node is in client mode";
      case kad_errc::store_failed: return "record store failed";
      case kad_errc::invalid_argument: return "invalid argument";
    }
    return "unknown kad error";
  }
};
}  // namespace

const std::error_category& kad_category() noexcept {
  static const kad_category_impl c;
  return c;
}

}  // namespace converge::kad
