// Parses the input as an IP address and as a CIDR. Accepted values must print
// to text that parses back to the same value; a prefix contains its network
// address and a host address is inside its own /32 or /128.
#include <cstdlib>

#include "p2p/limits/cidr.hpp"

using namespace converge::p2p::limits;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto c = cidr::parse(text)) {
    auto again = cidr::parse(c->to_string());
    if (!again || *again != *c) std::abort();
    if (!c->contains(c->network())) std::abort();
    if (c->prefix_length() > (c->network().v6 ? 128u : 32u)) std::abort();
  }
  if (auto a = parse_ip(text)) {
    auto again = parse_ip(a->to_string());
    if (!again || *again != *a) std::abort();
    if (!cidr::host(*a).contains(*a)) std::abort();
  }
  return 0;
}
