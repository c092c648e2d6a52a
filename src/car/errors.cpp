#include "car/errors.hpp"

#include <string>

namespace converge::car {
namespace {
struct car_category_impl final : std::error_category {
  const char* name() const noexcept override { return "car"; }
  std::string message(int ev) const override {
    switch (static_cast<car_errc>(ev)) {
      case car_errc::malformed_header: return "malformed CAR header";
      case car_errc::unsupported_version: return "unsupported CAR version";
      case car_errc::malformed_section: return "malformed CAR section";
      case car_errc::bad_block: return "CAR block does not match its CID";
      case car_errc::too_large: return "over a CAR bound";
      case car_errc::truncated: return "CAR truncated";
      case car_errc::io: return "I/O error";
      case car_errc::invalid_argument: return "invalid argument";
    }
    return "unknown car error";
  }
};
}  // namespace

const std::error_category& car_category() noexcept {
  static const car_category_impl cat;
  return cat;
}

}  // namespace converge::car
