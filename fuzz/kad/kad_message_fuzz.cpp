// Arbitrary bytes as a kad Message: decoding never crashes, whatever decodes
// re-encodes to something that decodes to the same fields; the same bytes
// as a request to a server core and as a response to a pending query must
// leave the core usable, and its answers must re-parse.
#include <cstdlib>

#include "crypto/keys.hpp"
#include "kad/dht.hpp"

namespace {
using namespace converge;

class any_validator final : public kad::validator {
 public:
  result<void> validate(bytes_view, bytes_view v, wall_time) const override {
    if (v.empty()) return fail(kad::kad_errc::invalid_record, "empty");
    return ok();
  }
  std::size_t select(bytes_view, std::span<const bytes>) const override { return 0; }
  std::size_t max_value_size() const override { return 1024; }
};

crypto::peer_id peer(std::uint64_t seed) {
  deterministic_rng r(seed);
  return crypto::peer_id::from_public_key(crypto::private_key::generate(crypto::key_type::ed25519, r)->public_key());
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto self = peer(1), other = peer(2);
  bytes_view in(data, size);
  auto m = kad::decode_message(in);
  if (m) {
    auto again = kad::decode_message(kad::encode_message(*m));
    if (!again || again->type != m->type || again->key != m->key || again->rec != m->rec ||
        again->closer_peers.size() != m->closer_peers.size() || again->provider_peers.size() != m->provider_peers.size())
      std::abort();
  }
  kad::frame_decoder fd(64);
  (void)fd.handle_input(in);
  while (fd.next_frame()) {
  }

  manual_clock clock;
  deterministic_rng rng(3);
  auto reg = std::make_shared<kad::validator_registry>();
  reg->add("v", std::make_shared<any_validator>());
  auto store = std::make_shared<kad::memory_record_store>(reg, 8);
  kad::dht d(self, reg, store, clock, rng, kad::dht_options{}, clock.now());
  d.peer_connected(kad::peer_info{other, {}, {}}, true, clock.now());
  if (auto resp = d.handle_request(other, in, clock.now()); resp && *resp)
    if (!kad::decode_message(**resp)) std::abort();
  if (!d.get_value(to_bytes("/v/k"), 1, clock.now())) std::abort();
  while (auto req = d.poll_request()) d.handle_response(req->id, in, clock.now());
  d.handle_timeout(clock.now() + std::chrono::minutes(2));
  while (d.poll_event()) {
  }
  return 0;
}
