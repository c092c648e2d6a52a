// The TUF metadata parser on arbitrary bytes: errors, never crashes; accepted
// roots have consistent role/key tables and threshold checks run cleanly.
#include <cstdlib>

#include "trust/tuf_metadata.hpp"

using namespace converge::trust::tuf;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto m = parse_metadata(text);
  if (!m) return 0;
  if (auto* root = std::get_if<signed_metadata<root_metadata>>(&*m)) {
    for (const auto& [name, role] : root->role.roles) {
      if (role.threshold < 1 || role.threshold > role.keyids.size()) std::abort();
      for (const auto& id : role.keyids)
        if (!root->role.keys.contains(id)) std::abort();
      (void)verify_role(root->role, name, root->env);
    }
  }
  return 0;
}
