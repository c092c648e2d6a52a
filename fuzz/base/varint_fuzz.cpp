// Decodes varints and length-prefixed frames; every decoded value re-encodes to the same bytes.
#include <cstdlib>

#include "base/varint.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  converge::byte_reader r({data, size});
  while (!r.empty()) {
    auto before = r.rest();
    auto v = r.uvarint();
    if (!v) break;
    auto again = converge::encode_uvarint(*v);
    if (!converge::equal(again, before.first(again.size()))) std::abort();
  }
  converge::byte_reader r2({data, size});
  while (r2.length_prefixed(1024)) {
  }
  return 0;
}
