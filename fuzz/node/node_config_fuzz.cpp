// config.json text: either a clear error or a config whose JSON text parses
// back to the same text; the pubsub and dht sections then go through their
// services' validators (an error or a config, never a crash).
#include <cstdlib>
#include <string_view>

#include "node/config.hpp"
#include "node/svc_dht.hpp"
#include "node/svc_pubsub.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto c = converge::node::parse_config(text);
  if (!c) return 0;
  auto out = converge::node::to_json_text(*c);
  auto again = converge::node::parse_config(out);
  if (!again || converge::node::to_json_text(*again) != out) std::abort();
  (void)converge::node::pubsub_config(c->service("pubsub"));
  (void)converge::node::dht_config(c->service("dht"));
  return 0;
}
