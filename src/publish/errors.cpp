#include "publish/errors.hpp"

namespace converge::publish {
namespace {
struct publish_category_impl final : std::error_category {
  const char* name() const noexcept override { return "publish"; }
  std::string message(int ev) const override {
    switch (static_cast<publish_errc>(ev)) {
      case publish_errc::bad_request: return "bad request";
      case publish_errc::keys: return "signing keys";
      case publish_errc::workspace: return "workspace";
      case publish_errc::io: return "I/O error";
      case publish_errc::conflict: return "conflicting release";
      case publish_errc::network: return "network";
    }
    return "unknown publish error";
  }
};
}  // namespace

const std::error_category& publish_category() noexcept {
  static const publish_category_impl cat;
  return cat;
}

}  // namespace converge::publish
