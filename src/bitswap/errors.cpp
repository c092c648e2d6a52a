#include "bitswap/errors.hpp"

#include <string>

namespace converge::bitswap {
namespace {
struct bitswap_category_impl final : std::error_category {
  const char* name() const noexcept override { return "bitswap"; }
  std::string message(int ev) const override {
    switch (static_cast<bitswap_errc>(ev)) {
      case bitswap_errc::malformed_message: return "malformed Bitswap message";
      case bitswap_errc::too_large: return "over a Bitswap bound";
      case bitswap_errc::unsupported_hash: return "unsupported hash in block prefix";
      case bitswap_errc::unknown_peer: return "unknown peer";
      case bitswap_errc::unknown_session: return "unknown session";
      case bitswap_errc::session_limit: return "too many sessions";
      case bitswap_errc::not_found: return "no peer has the block";
      case bitswap_errc::invalid_argument: return "invalid argument";
    }
    return "unknown bitswap error";
  }
};
}  // namespace

const std::error_category& bitswap_category() noexcept {
  static const bitswap_category_impl cat;
  return cat;
}

}  // namespace converge::bitswap
