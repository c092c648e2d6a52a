// workspace.json and record.json of a publisher workspace: either a clear
// error or a result whose fields keep their promises (a valid channel, file
// paths that stay inside the release directory).
#include <cstdlib>
#include <string_view>

#include "publish/workspace.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 1 << 16) return 0;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto ch = converge::publish::parse_workspace_meta(text); ch && (ch->empty() || ch->size() > 64)) std::abort();
  if (auto r = converge::publish::parse_release_record(text)) {
    for (const auto& [cid, rel] : r->files) {
      std::filesystem::path p(rel);
      if (rel.empty() || p.is_absolute()) std::abort();
      for (const auto& part : p)
        if (part == "..") std::abort();
    }
  }
  return 0;
}
