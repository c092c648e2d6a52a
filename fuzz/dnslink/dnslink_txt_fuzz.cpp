// Arbitrary bytes as a TXT record set (entries split at '\n'): parsing never
// crashes, and what it accepts prints back to the same link.
#include <cstdlib>
#include <string>
#include <vector>

#include "dnslink/dnslink.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace converge::dnslink;
  std::string in(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> txts;
  std::size_t start = 0;
  while (start <= in.size()) {
    auto nl = in.find('\n', start);
    txts.push_back(in.substr(start, nl == std::string::npos ? std::string::npos : nl - start));
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  auto l = parse_txt(txts);
  if (l) {
    auto again = parse_entry("dnslink=" + l->to_string());
    if (!again || again->to_string() != l->to_string()) std::abort();
  }
  (void)valid_domain(in);
  return 0;
}
