// Key file decoding, plain and encrypted (converge-key-v1). KDF limits are
// kept tiny so each input costs microseconds; a decoded key re-encodes and
// decodes to itself.
#include <cstdlib>

#include "crypto/key_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace converge;
  const crypto::kdf_limits limits{1, 64 * 1024};
  for (const auto& pass : {std::optional<std::string>(), std::optional<std::string>("fuzz")}) {
    auto key = crypto::decode_private_key_file({data, size}, pass, limits);
    if (!key) continue;
    deterministic_rng r(1);
    auto file = crypto::encode_private_key_file(*key, pass, r, crypto::kdf_params::minimum());
    if (!file) std::abort();
    auto back = crypto::decode_private_key_file(*file, pass, limits);
    if (!back || !(*back == *key)) std::abort();
  }
  return 0;
}
