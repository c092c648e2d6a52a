#pragma once
// Builders for TUF test documents: Ed25519 signers from fixed seeds and
// role documents with sensible defaults, so each test states only what it varies.
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "trust/tuf_signing.hpp"

namespace converge::trust::tuf::test_util {

inline std::unique_ptr<ed25519_signer> signer(std::uint8_t n) {
  std::array<std::uint8_t, 32> seed{};
  seed.fill(n);
  return std::make_unique<ed25519_signer>(seed);
}

inline nlohmann::json keyids_of(const std::vector<const ed25519_signer*>& s) {
  auto a = nlohmann::json::array();
  for (auto* x : s) a.push_back(x->key().keyid);
  return a;
}

// A root where every role uses `role_signers` with `threshold`.
inline nlohmann::json root_signed(const std::vector<const ed25519_signer*>& role_signers, int threshold,
                                  int version = 1) {
  nlohmann::json keys = nlohmann::json::object();
  for (auto* s : role_signers) keys[s->key().keyid] = s->key().object;
  nlohmann::json role = {{"keyids", keyids_of(role_signers)}, {"threshold", threshold}};
  return {{"_type", "root"},
          {"spec_version", "1.0.31"},
          {"version", version},
          {"expires", "2030-01-01T00:00:00Z"},
          {"consistent_snapshot", true},
          {"keys", keys},
          {"roles", {{"root", role}, {"targets", role}, {"snapshot", role}, {"timestamp", role}}}};
}

inline std::string signed_text(const nlohmann::json& signed_part, const std::vector<const ed25519_signer*>& by) {
  envelope e{signed_part, {}};
  for (auto* s : by) (void)sign_envelope(e, *s);
  return to_json(e).dump(2);
}

}  // namespace converge::trust::tuf::test_util
