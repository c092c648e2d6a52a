#include "agent/errors.hpp"

#include <string>

namespace converge::agent {
namespace {
struct agent_category_impl final : std::error_category {
  const char* name() const noexcept override { return "agent"; }
  std::string message(int ev) const override {
    switch (static_cast<agent_errc>(ev)) {
      case agent_errc::bad_config: return "invalid update configuration";
      case agent_errc::store_failed: return "agent state store failed";
      case agent_errc::store_corrupt: return "agent state store is corrupt";
      case agent_errc::store_version: return "agent state store has an unknown schema version";
      case agent_errc::bad_state: return "agent state holds an unreadable value";
    }
    return "unknown agent error";
  }
};
}  // namespace

const std::error_category& agent_category() noexcept {
  static const agent_category_impl cat;
  return cat;
}

}  // namespace converge::agent
