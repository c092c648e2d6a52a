#include "node/errors.hpp"

#include <string>

namespace converge::node {
namespace {

class category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "node"; }
  std::string message(int c) const override {
    switch (static_cast<node_errc>(c)) {
      case node_errc::invalid_config: return "invalid configuration";
      case node_errc::no_repo: return "no repository";
      case node_errc::repo_exists: return "repository exists";
      case node_errc::repo_locked: return "repository locked";
      case node_errc::no_daemon: return "no daemon running";
      case node_errc::unauthorized: return "unauthorized";
      case node_errc::unknown_command: return "unknown command";
      case node_errc::bad_request: return "bad request";
      case node_errc::rpc_failed: return "command failed";
      case node_errc::io: return "i/o error";
    }
    return "unknown node error";
  }
};

}  // namespace

const std::error_category& node_category() noexcept {
  static const category c;
  return c;
}

}  // namespace converge::node
