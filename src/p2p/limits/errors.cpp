#include "p2p/limits/errors.hpp"

namespace converge::p2p::limits {
namespace {
struct limits_category_impl final : std::error_category {
  const char* name() const noexcept override { return "limits"; }
  std::string message(int ev) const override {
    switch (static_cast<limits_errc>(ev)) {
      case limits_errc::conn_limit: return "connection limit reached";
      case limits_errc::stream_limit: return "stream limit reached";
      case limits_errc::memory_limit: return "memory limit reached";
      case limits_errc::gated: return "refused by the connection gater";
      case limits_errc::rate_limited: return "rate limited";
      case limits_errc::invalid_cidr: return "invalid CIDR";
      case limits_errc::invalid_config: return "invalid limits configuration";
      case limits_errc::invalid_argument: return "invalid argument";
    }
    return "unknown limits error";
  }
};
}  // namespace

const std::error_category& limits_category() noexcept {
  static const limits_category_impl cat;
  return cat;
}

}  // namespace converge::p2p::limits
