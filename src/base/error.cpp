#include "base/error.hpp"

namespace converge {

std::string error::message() const {
  std::string out = code.category().name();
  out += ": ";
  out += code.message();
  if (!detail.empty()) {
    out += ": ";
    out += detail;
  }
  return out;
}

error with_context(error e, std::string_view context) {
  std::string d(context);
  if (!e.detail.empty()) {
    d += ": ";
    d += e.detail;
  }
  e.detail = std::move(d);
  return e;
}

namespace {
struct base_category_impl final : std::error_category {
  const char* name() const noexcept override { return "base"; }
  std::string message(int ev) const override {
    switch (static_cast<base_errc>(ev)) {
      case base_errc::truncated: return "input truncated";
      case base_errc::overflow: return "value overflows";
      case base_errc::not_minimal: return "varint is not minimally encoded";
      case base_errc::invalid_hex: return "invalid hex";
      case base_errc::too_large: return "length exceeds limit";
      case base_errc::invalid_argument: return "invalid argument";
      case base_errc::io: return "I/O error";
    }
    return "unknown base error";
  }
};
}  // namespace

const std::error_category& base_category() noexcept {
  static const base_category_impl cat;
  return cat;
}

}  // namespace converge
