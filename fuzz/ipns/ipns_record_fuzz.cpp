// Arbitrary bytes as a marshalled IPNS record: parse and validate never
// crash; a record that parses re-parses identically from its data; the
// selector accepts any mix of inputs.
#include <cstdlib>

#include "ipns/record.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace converge;
  static const auto name = [] {
    deterministic_rng r(1);
    return crypto::peer_id::from_public_key(crypto::private_key::generate(crypto::key_type::ed25519, r)->public_key());
  }();
  bytes_view in(data, size);
  auto p = ipns::parse(in);
  auto v = ipns::validate(name, in, wall_time{});
  if (v && !p) std::abort();  // validation is parse plus checks
  if (p && (p->value.size() > size || p->data.empty())) std::abort();
  std::vector<bytes> recs{to_bytes(in), bytes{}};
  if (ipns::select(recs) >= recs.size()) std::abort();
  return 0;
}
