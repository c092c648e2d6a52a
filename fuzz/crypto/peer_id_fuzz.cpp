// Peer ID text and binary parsing: every accepted ID re-parses from each of
// its text forms to itself.
#include <cstdlib>

#include "crypto/peer_id.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace converge;
  using crypto::peer_id;
  auto check = [](const peer_id& id) {
    for (auto text : {id.to_base58(), id.to_cid_string(), id.to_cid_string(mf::multibase::base36)}) {
      auto back = peer_id::parse(text);
      if (!back || !(*back == id)) std::abort();
    }
    auto bin = peer_id::from_bytes(id.to_bytes());
    if (!bin || !(*bin == id)) std::abort();
    if (id.has_embedded_key()) {
      auto key = id.extract_public_key();
      if (!key || !id.matches(*key)) std::abort();
    }
  };
  if (auto id = peer_id::parse(as_chars({data, size}))) check(*id);
  if (auto id = peer_id::from_bytes({data, size})) check(*id);
  return 0;
}
