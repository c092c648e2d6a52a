#pragma once
// Signed TUF envelopes and threshold verification.
//
//   {"signed": {...role...}, "signatures": [{"keyid": "<hex>", "sig": "<hex>"}, ...]}
//
// Signatures cover encode_canonical(signed), never the bytes as received.
// A role's threshold counts DISTINCT signers: a key ID listed twice in
// "signatures", or two key IDs that carry the same key material, count once.
#include <map>
#include <set>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "trust/tuf_keys.hpp"

namespace converge::trust::tuf {

inline constexpr std::size_t max_signatures = 64;  // per envelope

struct signature_entry {
  std::string keyid;
  bytes sig;
};

struct envelope {
  nlohmann::json signed_part;
  std::vector<signature_entry> signatures;
};

// Splits {"signed", "signatures"}; strict about their types; path names the document.
result<envelope> parse_envelope(const nlohmann::json& doc, std::string_view path);
// The same, moving the signed part out of doc instead of copying it.
result<envelope> parse_envelope(nlohmann::json&& doc, std::string_view path);
// Canonical bytes a signature covers.
result<std::string> signing_bytes(const nlohmann::json& signed_part);
// {"signed": ..., "signatures": [...]} with signatures in the given order.
nlohmann::json to_json(const envelope& e);

// Signs e.signed_part and appends (or replaces) the signer's entry.
result<void> sign_envelope(envelope& e, const signer& signer);
// Appends a signature made elsewhere (a FROST aggregate, an HSM): keyid + raw signature.
void add_signature(envelope& e, std::string keyid, bytes sig);

struct role_keys {
  std::vector<std::string> keyids;
  std::uint64_t threshold = 1;
};

struct threshold_report {
  std::set<std::string> valid_keyids;  // distinct signers whose signature verified
  std::vector<std::string> problems;   // why other entries did not count
};

// Counts valid signatures from keys authorised for the role; fails with
// trust_errc::threshold_not_met (detail: role name, counts, problems) when
// fewer than role.threshold distinct signers verified.
result<threshold_report> verify_threshold(const envelope& e, const std::map<std::string, public_key>& keys,
                                          const role_keys& role, std::string_view role_name);

}  // namespace converge::trust::tuf
