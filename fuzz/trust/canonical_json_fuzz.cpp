// parse_json never crashes and agrees with the reference parser (the same
// value, or the same error); whatever it accepts either fails to encode
// (floats) or encodes canonically, and canonical output re-parses to the same
// bytes.
#include <cstdlib>

#include "trust/canonical_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto j = converge::trust::parse_json(text);
  auto ref = converge::trust::parse_json_reference(text);
  if (j.has_value() != ref.has_value()) std::abort();
  if (!j) {
    if (j.error().code != ref.error().code || j.error().detail != ref.error().detail) std::abort();
    return 0;
  }
  if (*j != *ref || j->type() != ref->type()) std::abort();
  auto c = converge::trust::encode_canonical(*j);
  if (!c) return 0;
  // Raw control characters are legal in canonical JSON but not in JSON, so
  // only outputs without them can be re-parsed.
  for (char ch : *c)
    if (static_cast<unsigned char>(ch) < 0x20) return 0;
  auto again = converge::trust::parse_json(*c);
  if (!again) std::abort();
  auto c2 = converge::trust::encode_canonical(*again);
  if (!c2 || *c2 != *c) std::abort();
  return 0;
}
