// Decodes the input as a dag-pb node. What is accepted must re-encode to a
// node that decodes to the same thing (links, names, sizes, data), and its
// UnixFS Data, if any, must not crash the UnixFS decoder.
#include <cstdlib>

#include "unixfs/dag_pb.hpp"
#include "unixfs/unixfs_data.hpp"

using namespace converge;
using namespace converge::unixfs;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto n = decode_pb({data, size});
  if (!n) return 0;
  auto enc = encode_pb(*n);
  auto again = decode_pb(enc);
  if (!again || encode_pb(*again) != enc) std::abort();
  if (again->links.size() != n->links.size()) std::abort();
  for (std::size_t i = 0; i < n->links.size(); ++i) {
    const auto& a = n->links[i];
    const auto& b = again->links[i];
    if (a.hash != b.hash || a.name != b.name || a.tsize != b.tsize) std::abort();
  }
  if (n->data) (void)decode_unixfs(*n->data);
  return 0;
}
