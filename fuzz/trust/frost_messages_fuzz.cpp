// FROST message decoding: never crashes; every accepted message re-encodes
// to canonical JSON that decodes again to the same encoding.
#include <cstdlib>

#include "trust/frost_messages.hpp"

using namespace converge::trust::frost;

namespace {
struct encoder {
  std::string operator()(const secret_share& v) const { return encode_secret_share(v); }
  std::string operator()(const key_package& v) const { return encode_key_package(v); }
  std::string operator()(const public_key_package& v) const { return encode_public_key_package(v); }
  std::string operator()(const identified_nonces& v) const { return encode_signing_nonces(v.id, v.nonces); }
  std::string operator()(const signing_commitment& v) const { return encode_commitment(v); }
  std::string operator()(const signing_package& v) const { return encode_signing_package(v); }
  std::string operator()(const signature_share& v) const { return encode_signature_share(v); }
  std::string operator()(const dkg_round1_package& v) const { return encode_dkg_round1(v); }
  std::string operator()(const dkg_round2_package& v) const { return encode_dkg_round2(v); }
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto m = decode_frost_message(text);
  if (!m) return 0;
  std::string once = std::visit(encoder{}, *m);
  auto again = decode_frost_message(once);
  if (!again) std::abort();
  if (std::visit(encoder{}, *again) != once) std::abort();
  return 0;
}
