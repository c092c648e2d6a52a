// workspace.json and record.json of a publisher workspace, and release key
// files: either a clear error or a result whose fields keep their promises (a
// valid channel, file paths that stay inside the release directory, a key
// that signs for its own key ID).
#include <cstdlib>
#include <string_view>

#include "publish/signing.hpp"
#include "publish/workspace.hpp"
#include "trust/tuf_keys.hpp"

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
  if (auto k = converge::publish::parse_key_file(text, "fuzz")) {
    const auto msg = converge::as_bytes(std::string_view("fuzz"));
    auto sig = (*k)->sign_message(msg);
    if (!sig || !converge::trust::tuf::verify_signature((*k)->key(), msg, *sig)) std::abort();
  }
  return 0;
}
