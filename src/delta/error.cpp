#include "delta/error.hpp"

namespace converge::delta {
namespace {
struct delta_category_impl final : std::error_category {
  const char* name() const noexcept override { return "delta"; }
  std::string message(int ev) const override {
    switch (static_cast<delta_errc>(ev)) {
      case delta_errc::bad_magic: return "not a converge patch";
      case delta_errc::unsupported: return "unsupported patch feature";
      case delta_errc::corrupt: return "corrupt patch";
      case delta_errc::truncated: return "truncated patch";
      case delta_errc::too_large: return "size exceeds limit";
      case delta_errc::old_mismatch: return "old file does not match the patch";
      case delta_errc::hash_mismatch: return "output hash mismatch";
      case delta_errc::io: return "I/O error";
      case delta_errc::not_zip: return "not a supported ZIP archive";
      case delta_errc::no_benefit: return "delta not worth publishing";
      case delta_errc::invalid_argument: return "invalid argument";
      case delta_errc::compression: return "compression error";
    }
    return "unknown delta error";
  }
};
}  // namespace

const std::error_category& delta_category() noexcept {
  static const delta_category_impl cat;
  return cat;
}

}  // namespace converge::delta
