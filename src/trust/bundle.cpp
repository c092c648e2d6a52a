#include "trust/bundle.hpp"

#include "trust/canonical_json.hpp"

#include <nlohmann/json.hpp>
#include "trust/json_fields.hpp"

namespace converge::trust {

result<release_bundle> parse_bundle(bytes_view data, const bundle_limits& lim) {
  if (data.size() > lim.max_bytes)
    return fail(trust_errc::too_large, "bundle is " + std::to_string(data.size()) + " bytes, limit " +
                                           std::to_string(lim.max_bytes));
  json_limits jl;
  jl.max_bytes = lim.max_bytes;
  jl.max_depth = 4;
  auto doc = parse_json(as_chars(data), jl);
  if (!doc) return fail(with_context(doc.error(), "bundle"));
  if (!doc->is_object()) return field_error("bundle", "must be an object");
  for (auto it = doc->begin(); it != doc->end(); ++it) {
    const auto& k = it.key();
    if (k != "format" && k != "channel" && k != "roots" && k != "timestamp" && k != "snapshot" && k != "targets" &&
        k != "revocation")
      return field_error(field_path("bundle", k), "unknown field");
  }
  auto format = require_string(*doc, "format", "bundle");
  if (!format) return fail(format.error());
  if (*format != bundle_format) return field_error("bundle.format", "must be \"" + std::string(bundle_format) + "\"");
  release_bundle b;
  auto ch = require_string(*doc, "channel", "bundle");
  if (!ch) return fail(ch.error());
  if (ch->empty() || ch->size() > 64) return field_error("bundle.channel", "must be 1-64 characters");
  b.channel = *ch;
  auto roots = require_array(*doc, "roots", "bundle");
  if (!roots) return fail(roots.error());
  if ((*roots)->size() > lim.max_roots)
    return fail(trust_errc::too_large, "bundle.roots: more than " + std::to_string(lim.max_roots) + " roots");
  for (std::size_t i = 0; i < (*roots)->size(); ++i) {
    const auto& r = (**roots)[i];
    if (!r.is_string()) return field_error("bundle.roots[" + std::to_string(i) + "]", "must be a string");
    b.roots.push_back(r.get<std::string>());
  }
  for (auto [key, dst] : {std::pair{"timestamp", &b.timestamp}, std::pair{"snapshot", &b.snapshot},
                          std::pair{"targets", &b.targets}}) {
    auto s = require_string(*doc, key, "bundle");
    if (!s) return fail(s.error());
    *dst = std::move(*s);
  }
  if (doc->contains("revocation")) {
    auto s = require_string(*doc, "revocation", "bundle");
    if (!s) return fail(s.error());
    b.revocation = std::move(*s);
  }
  return b;
}

result<bytes> encode_bundle(const release_bundle& b, const bundle_limits& lim) {
  nlohmann::json j = {{"format", bundle_format}, {"channel", b.channel}, {"roots", b.roots},
                      {"timestamp", b.timestamp}, {"snapshot", b.snapshot}, {"targets", b.targets}};
  if (b.revocation) j["revocation"] = *b.revocation;
  // Compact JSON with sorted keys (not OLPC canonical form, which writes control
  // characters raw: the documents inside usually contain line breaks).
  std::string enc;
  try {
    enc = j.dump();
  } catch (const nlohmann::json::exception&) {
    return fail(trust_errc::invalid_json, "bundle: a document is not valid UTF-8");
  }
  if (enc.size() > lim.max_bytes)
    return fail(trust_errc::too_large, "bundle would be " + std::to_string(enc.size()) + " bytes, limit " +
                                           std::to_string(lim.max_bytes));
  return to_bytes(enc);
}

}  // namespace converge::trust
