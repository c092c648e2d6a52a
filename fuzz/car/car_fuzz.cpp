// Feeds the input to the CAR parser in pieces whose size comes from the first
// byte. Parsing must never crash, every block returned must verify, and the
// same input fed whole must give the same blocks and the same verdict.
#include <cstdlib>
#include <vector>

#include "car/car.hpp"

using namespace converge;
using namespace converge::car;

namespace {
struct outcome {
  bool ok;
  std::vector<mf::cid> ids;
};

outcome run(bytes_view in, std::size_t step) {
  car_limits lim;
  lim.max_section_bytes = 1 << 16;
  car_parser p(lim);
  outcome o{false, {}};
  for (std::size_t off = 0; off < in.size(); off += step) {
    if (!p.feed(in.subspan(off, std::min(step, in.size() - off)))) return o;
    for (;;) {
      auto b = p.next();
      if (!b) return o;
      if (!*b) break;
      if (!blocks::verify_block((*b)->id, (*b)->data)) std::abort();
      o.ids.push_back((*b)->id);
    }
  }
  o.ok = p.finish().has_value();
  return o;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::size_t step = 1 + data[0] % 17;
  bytes_view in(data + 1, size - 1);
  auto a = run(in, step);
  auto b = run(in, in.size() ? in.size() : 1);
  if (a.ok != b.ok || (a.ok && a.ids != b.ids)) std::abort();
  return 0;
}
