// Reads the input as multiaddr text and as binary. Whatever is accepted must
// round-trip: binary -> text -> binary is the identity, and the canonical
// text is a fixed point.
#include <cstdlib>

#include "multiformats/multiaddr.hpp"

using namespace converge;
using namespace converge::mf;

namespace {
void check(const multiaddr& m) {
  auto b = multiaddr::from_bytes(m.to_bytes());
  if (!b || *b != m) std::abort();
  auto text = m.to_string();
  auto t = multiaddr::parse(text);
  if (!t || *t != m || t->to_string() != text) std::abort();
  if (b->components().size() != m.components().size()) std::abort();
  for (const auto& c : m.components()) {
    auto v = m.value_for(c.code);
    if (!v) std::abort();
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto m = multiaddr::parse(text)) check(*m);
  if (auto m = multiaddr::from_bytes({data, size})) {
    if (!equal(m->to_bytes(), {data, size})) std::abort();
    check(*m);
  }
  return 0;
}
