#pragma once
// Helpers shared by the security tests: hex literals and an rng that hands
// out scripted bytes first (fixed ephemeral keys), then a deterministic stream.
#include <deque>
#include <stdexcept>

#include "base/bytes.hpp"
#include "base/rng.hpp"

namespace converge::p2p::security::testing {

inline bytes hex(std::string_view h) {
  auto r = from_hex(h);
  if (!r) throw std::invalid_argument("bad hex in test");
  return *r;
}

class scripted_rng final : public rng {
 public:
  explicit scripted_rng(std::deque<bytes> script, std::uint64_t seed = 99) : script_(std::move(script)), rest_(seed) {}
  void fill(std::span<std::uint8_t> out) override {
    if (!script_.empty() && script_.front().size() == out.size()) {
      std::copy(script_.front().begin(), script_.front().end(), out.begin());
      script_.pop_front();
      return;
    }
    rest_.fill(out);
  }

 private:
  std::deque<bytes> script_;
  deterministic_rng rest_;
};

}  // namespace converge::p2p::security::testing
