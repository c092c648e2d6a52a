// The "update" section of config.json: either a clear error or a config whose
// JSON (to_json) parses back to the same JSON. The installer section is parsed
// too, without opening the installer (no files are touched).
#include <cstdlib>
#include <string_view>

#include <nlohmann/json.hpp>

#include "agent/config.hpp"
#include "agent/installer_config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 1 << 16) return 0;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded()) return 0;
  const std::filesystem::path repo = "/nonexistent/fuzz-repo";
  auto c = converge::agent::parse_agent_config(j, repo);
  if (!c) return 0;
  (void)converge::agent::parse_installer_config(c->installer, repo);
  auto out = converge::agent::to_json(*c);
  auto again = converge::agent::parse_agent_config(out, repo);
  if (!again || converge::agent::to_json(*again) != out) std::abort();
  return 0;
}
