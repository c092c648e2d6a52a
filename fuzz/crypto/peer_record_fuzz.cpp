// Peer record parsing, bare and inside a signed envelope: accepted records
// re-encode and re-parse to the same record, and always belong to their signer.
#include <cstdlib>

#include "crypto/peer_record.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace converge;
  if (auto rec = crypto::peer_record::from_protobuf({data, size})) {
    auto again = crypto::peer_record::from_protobuf(rec->to_protobuf());
    if (!again || !(again->id == rec->id) || again->seq != rec->seq || again->addresses != rec->addresses)
      std::abort();
    for (const auto& m : rec->multiaddrs())
      if (m.to_bytes().empty() && !m.empty()) std::abort();
  }
  if (auto signed_rec = crypto::open_peer_record({data, size})) {
    if (!signed_rec->record.id.matches(signed_rec->env.key())) std::abort();
  }
  return 0;
}
