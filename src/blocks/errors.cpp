#include "blocks/errors.hpp"

#include <string>

namespace converge::blocks {
namespace {
struct blocks_category_impl final : std::error_category {
  const char* name() const noexcept override { return "blocks"; }
  std::string message(int ev) const override {
    switch (static_cast<blocks_errc>(ev)) {
      case blocks_errc::not_found: return "block not found";
      case blocks_errc::hash_mismatch: return "block does not match its CID";
      case blocks_errc::too_large: return "block too large";
      case blocks_errc::store_full: return "block store full";
      case blocks_errc::unsupported_hash: return "unsupported hash function";
      case blocks_errc::corrupt: return "stored block corrupt";
      case blocks_errc::io: return "block store I/O error";
      case blocks_errc::invalid_argument: return "invalid argument";
    }
    return "unknown blocks error";
  }
};
}  // namespace

const std::error_category& blocks_category() noexcept {
  static const blocks_category_impl cat;
  return cat;
}

}  // namespace converge::blocks
