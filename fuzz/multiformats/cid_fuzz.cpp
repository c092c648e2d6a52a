// Reads the input as CID text and as a binary CID. Whatever is accepted must
// survive text and binary round trips in every base unchanged.
#include <cstdlib>

#include "multiformats/cid.hpp"

using namespace converge;
using namespace converge::mf;

namespace {
void check(const cid& c) {
  auto b = cid::from_bytes(c.to_bytes());
  if (!b || *b != c) std::abort();
  auto t = cid::parse(c.to_string());
  if (!t || *t != c) std::abort();
  for (auto base : {multibase::base16, multibase::base32, multibase::base36, multibase::base58btc, multibase::base64,
                    multibase::base64url}) {
    auto s = cid::parse(c.to_string(base));
    // A v0 CID printed in a base other than base58btc is its v1 form.
    auto expect = (c.version() == 0 && base != multibase::base58btc) ? c.to_v1() : c;
    if (!s || *s != expect) std::abort();
  }
  if (c.to_v1().version() != 1 || c.to_v1().hash() != c.hash()) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto c = cid::parse(text)) check(*c);
  if (auto c = cid::from_bytes({data, size})) {
    if (!equal(c->to_bytes(), {data, size})) std::abort();
    check(*c);
  }
  return 0;
}
