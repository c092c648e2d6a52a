// Decodes arbitrary text as multibase; whatever decodes must re-encode in
// every base and decode back to the same bytes.
#include <cstdlib>

#include "multiformats/multibase.hpp"

using namespace converge;
using namespace converge::mf;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  constexpr multibase all[] = {multibase::base16, multibase::base32, multibase::base36,
                               multibase::base58btc, multibase::base64, multibase::base64url};
  if (auto d = multibase_decode(text)) {
    for (auto b : all) {
      auto again = multibase_decode(multibase_encode(b, *d));
      if (!again || *again != *d) std::abort();
    }
  }
  for (auto b : all) {
    auto d = base_decode(b, text);
    if (!d) continue;
    // Canonical bases re-encode to the input exactly (modulo case for the
    // case-insensitive ones, so compare bytes after a second decode).
    auto again = base_decode(b, base_encode(b, *d));
    if (!again || *again != *d) std::abort();
  }
  return 0;
}
