// Decodes the input as a UnixFS Data message; what is accepted must encode
// to bytes that decode and encode again to the same bytes.
#include <cstdlib>

#include "unixfs/unixfs_data.hpp"

using namespace converge;
using namespace converge::unixfs;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto d = decode_unixfs({data, size});
  if (!d) return 0;
  auto enc = encode_unixfs(*d);
  auto again = decode_unixfs(enc);
  if (!again || encode_unixfs(*again) != enc) std::abort();
  return 0;
}
