// Arbitrary key/value pairs into the validated stores (the /pk validator,
// the release-bundle namespace with a stand-in verifier, and an unknown
// namespace): nothing crashes, a refused put leaves the stored value as it
// was, and get() only ever returns a value the registry accepts.
// Input: [key length byte][key][value].
#include <cstdlib>

#include "kad/release_validator.hpp"
#include "kad/sqlite_store.hpp"

namespace {
using namespace converge;
result<kad::verified_release> verify(bytes_view b, wall_time) {
  auto s = as_chars(b);
  if (s.size() < 3 || s.substr(0, 2) != "B:") return fail(kad::kad_errc::invalid_record, "unsigned");
  return kad::verified_release{"stable", static_cast<std::uint64_t>(s[2])};
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  std::size_t klen = std::min<std::size_t>(data[0], size - 1);
  bytes_view key(data + 1, klen), value(data + 1 + klen, size - 1 - klen);
  static auto reg = [] {
    auto r = std::make_shared<kad::validator_registry>();
    r->add("pk", std::make_shared<kad::public_key_validator>());
    r->add("unimaker", std::make_shared<kad::release_bundle_validator>(verify, 4096));
    return r;
  }();
  static auto db = *kad::sqlite_record_store::open(":memory:", reg);
  kad::memory_record_store mem(reg, 4);
  wall_time now{};
  for (kad::record_store* s : {static_cast<kad::record_store*>(&mem), static_cast<kad::record_store*>(db.get())}) {
    auto before = s->get(key, now);
    auto put = s->put(key, value, now);
    auto after = s->get(key, now);
    if (!before || !after) std::abort();
    if (!put && *before != *after) std::abort();  // a refusal changed the store
    if (*after && !reg->validate(key, **after, now)) std::abort();
  }
  return 0;
}
