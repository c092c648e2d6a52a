#include "trust/tuf_signing.hpp"

#include <algorithm>
#include <set>
#include <string_view>

#include "trust/canonical_json.hpp"
#include "trust/json_fields.hpp"

namespace converge::trust::tuf {

namespace {

// Checks the envelope and reads its signatures; the signed part is left to the caller.
result<envelope> parse_signatures(const nlohmann::json& doc, std::string_view path) {
  if (!doc.is_object()) return field_error(path, "must be an object");
  for (auto it = doc.begin(); it != doc.end(); ++it)
    if (it.key() != "signed" && it.key() != "signatures")
      return field_error(field_path(path, it.key()), "unexpected field in a signed envelope");
  auto sigs = require_array(doc, "signatures", path);
  if (!sigs) return fail(sigs.error());
  auto signed_part = require_object(doc, "signed", path);
  if (!signed_part) return fail(signed_part.error());
  if ((*sigs)->size() > max_signatures)
    return fail(trust_errc::too_large, field_path(path, "signatures") + ": more than " +
                                           std::to_string(max_signatures) + " signatures");
  envelope e;
  std::size_t i = 0;
  for (const auto& s : **sigs) {
    std::string p = field_path(path, "signatures[" + std::to_string(i++) + "]");
    auto keyid = require_string(s, "keyid", p);
    if (!keyid) return fail(keyid.error());
    auto sig = require_string(s, "sig", p);
    if (!sig) return fail(sig.error());
    auto raw = from_hex(*sig);
    if (!raw) return field_error(field_path(p, "sig"), "must be hex");
    e.signatures.push_back({*keyid, std::move(*raw)});
  }
  return e;
}

}  // namespace

result<envelope> parse_envelope(const nlohmann::json& doc, std::string_view path) {
  auto e = parse_signatures(doc, path);
  if (e) e->signed_part = doc.at("signed");
  return e;
}

result<envelope> parse_envelope(nlohmann::json&& doc, std::string_view path) {
  auto e = parse_signatures(doc, path);
  if (e) e->signed_part = std::move(doc.at("signed"));
  return e;
}

result<std::string> signing_bytes(const nlohmann::json& signed_part) { return encode_canonical(signed_part); }

nlohmann::json to_json(const envelope& e) {
  nlohmann::json sigs = nlohmann::json::array();
  for (const auto& s : e.signatures) sigs.push_back({{"keyid", s.keyid}, {"sig", to_hex(s.sig)}});
  return {{"signed", e.signed_part}, {"signatures", std::move(sigs)}};
}

void add_signature(envelope& e, std::string keyid, bytes sig) {
  std::erase_if(e.signatures, [&](const signature_entry& s) { return s.keyid == keyid; });
  e.signatures.push_back({std::move(keyid), std::move(sig)});
}

result<void> sign_envelope(envelope& e, const signer& signer) {
  auto msg = signing_bytes(e.signed_part);
  if (!msg) return fail(msg.error());
  auto sig = signer.sign_message(as_bytes(*msg));
  if (!sig) return fail(sig.error());
  add_signature(e, signer.key().keyid, std::move(*sig));
  return ok();
}

result<threshold_report> verify_threshold(const envelope& e, const std::map<std::string, public_key>& keys,
                                          const role_keys& role, std::string_view role_name) {
  std::string name(role_name);
  if (role.threshold < 1) return fail(trust_errc::invalid_metadata, name + ": threshold must be positive");
  auto msg = signing_bytes(e.signed_part);
  if (!msg) return fail(msg.error());
  // TUF 1.0 (4.2): "the keyid MUST be unique in the signatures array". An
  // envelope that repeats one is refused whole, not counted once.
  {
    std::set<std::string_view> ids;
    for (const auto& s : e.signatures)
      if (!ids.insert(s.keyid).second)
        return fail(trust_errc::threshold_not_met,
                    name + ": key " + s.keyid + " signed more than once (key IDs in signatures must be unique)");
  }
  threshold_report report;
  std::set<bytes> signers;  // key material already counted
  for (const auto& s : e.signatures) {
    if (std::find(role.keyids.begin(), role.keyids.end(), s.keyid) == role.keyids.end()) {
      report.problems.push_back("key " + s.keyid + " is not a " + name + " key");
      continue;
    }
    auto k = keys.find(s.keyid);
    if (k == keys.end()) {
      report.problems.push_back("key " + s.keyid + " is listed for " + name + " but not defined");
      continue;
    }
    if (auto v = verify_signature(k->second, as_bytes(*msg), s.sig); !v) {
      report.problems.push_back(v.error().detail);
      continue;
    }
    if (!signers.insert(k->second.material).second) {
      report.problems.push_back("key " + s.keyid + " repeats the material of another counted key");
      continue;
    }
    report.valid_keyids.insert(s.keyid);
  }
  if (report.valid_keyids.size() < role.threshold) {
    std::string d = name + ": " + std::to_string(report.valid_keyids.size()) + " of " +
                    std::to_string(role.threshold) + " required signatures valid";
    for (const auto& p : report.problems) d += "; " + p;
    return fail(trust_errc::threshold_not_met, std::move(d));
  }
  return report;
}

}  // namespace converge::trust::tuf
