// Applies arbitrary patches against fixed old files with small limits: every
// input must end in a clean error or a verified output, within the declared
// size, never a crash or an out-of-bounds access.
#include <cstdlib>

#include "delta/delta.hpp"
#include "fuzz_inputs.hpp"

using namespace converge;
using namespace converge::delta;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static const bytes text = fuzzing::old_text();
  static const bytes zip = fuzzing::old_zip();
  const bytes& old_data = (data[0] & 1) != 0 ? zip : text;
  auto patch = input_source::from_memory({data + 1, size - 1});
  (void)inspect_patch(patch);
  auto h = parse_header(patch);
  if (!h) return 0;
  apply_limits limits;
  limits.max_new_size = 1 << 20;
  limits.max_scratch_size = 1 << 20;
  limits.max_stream_window_log = 20;
  limits.max_prefix_window_log = 22;
  if (h->new_size > limits.max_new_size) return 0;
  auto out = output_sink::to_memory(h->new_size);
  auto r = apply_body(*h, input_source::from_memory(old_data), patch, *out, limits);
  if (r && out->written() != h->new_size) std::abort();  // success means exactly the declared size
  if (out->written() > h->new_size) std::abort();
  (void)apply_patch_memory(old_data, {data + 1, size - 1}, limits);
  return 0;
}
