#include "trust/revocation.hpp"

#include "multiformats/cid.hpp"
#include "trust/json_fields.hpp"
#include "trust/tuf_builder.hpp"

namespace converge::trust {
namespace {

using nlohmann::json;

result<std::set<std::string>> string_set(const json& obj, std::string_view key, std::string_view path,
                                         std::size_t max) {
  auto a = require_array(obj, key, path);
  if (!a) return fail(a.error());
  std::string p = field_path(path, key);
  if ((*a)->size() > max) return fail(trust_errc::too_large, p + ": more than " + std::to_string(max) + " entries");
  std::set<std::string> out;
  for (std::size_t i = 0; i < (*a)->size(); ++i) {
    const auto& v = (**a)[i];
    std::string ip = p + "[" + std::to_string(i) + "]";
    if (!v.is_string() || v.get_ref<const std::string&>().empty() || v.get_ref<const std::string&>().size() > 128)
      return field_error(ip, "must be a non-empty string of at most 128 bytes");
    if (!out.insert(v.get<std::string>()).second) return field_error(ip, "listed twice");
  }
  return out;
}

}  // namespace

result<tuf::signed_metadata<revocation_list>> parse_revocation(std::string_view text, const revocation_limits& lim) {
  auto doc = parse_json(text);
  if (!doc) return fail(doc.error());
  auto env = tuf::parse_envelope(std::move(*doc), "revocation");
  if (!env) return fail(env.error());
  const json& s = env->signed_part;
  static constexpr std::string_view known[] = {"_type", "spec_version", "version", "expires", "channels"};
  for (auto it = s.begin(); it != s.end(); ++it)
    if (std::find(std::begin(known), std::end(known), it.key()) == std::end(known))
      return field_error(field_path("revocation", it.key()), "unknown field");
  auto c = tuf::parse_common_fields(s, "revocation");
  if (!c) return fail(c.error());
  revocation_list list;
  list.common = *c;
  auto chans = require_object(s, "channels", "revocation");
  if (!chans) return fail(chans.error());
  if ((*chans)->size() > lim.max_channels)
    return fail(trust_errc::too_large, "revocation.channels: more than " + std::to_string(lim.max_channels));
  for (auto it = (*chans)->begin(); it != (*chans)->end(); ++it) {
    std::string p = field_path("revocation.channels", it.key());
    if (!it->is_object()) return field_error(p, "must be an object");
    for (auto f = it->begin(); f != it->end(); ++f)
      if (f.key() != "min_sequence" && f.key() != "versions" && f.key() != "cids")
        return field_error(field_path(p, f.key()), "unknown field");
    channel_revocations cr;
    auto ms = require_uint(*it, "min_sequence", p, 0);
    if (!ms) return fail(ms.error());
    cr.min_sequence = *ms;
    auto vs = string_set(*it, "versions", p, lim.max_entries);
    if (!vs) return fail(vs.error());
    for (const auto& v : *vs)
      if (!valid_semver(v)) return field_error(field_path(p, "versions"), "\"" + v + "\" is not a semantic version");
    auto cs = string_set(*it, "cids", p, lim.max_entries);
    if (!cs) return fail(cs.error());
    for (const auto& listed : *cs)
      if (auto parsed = mf::cid::parse(listed); !parsed)
        return field_error(field_path(p, "cids"), "\"" + listed + "\" is not a CID (" + parsed.error().detail + ")");
    cr.versions = std::move(*vs);
    cr.cids = std::move(*cs);
    list.channels.emplace(it.key(), std::move(cr));
  }
  return tuf::signed_metadata<revocation_list>{std::move(list), std::move(*env)};
}

json to_json(const revocation_list& r) {
  json chans = json::object();
  for (const auto& [name, c] : r.channels)
    chans[name] = {{"min_sequence", c.min_sequence}, {"versions", c.versions}, {"cids", c.cids}};
  return {{"_type", "revocation"},
          {"spec_version", r.common.spec_version.empty() ? std::string(tuf::default_spec_version) : r.common.spec_version},
          {"version", r.common.version},
          {"expires", tuf::format_expires(r.common.expires)},
          {"channels", chans}};
}

result<void> verify_revocation(const tuf::root_metadata& root, const tuf::signed_metadata<revocation_list>& doc) {
  if (!root.roles.contains("revocation"))
    return fail(trust_errc::invalid_metadata, "root.roles.revocation: root defines no revocation role");
  auto v = tuf::verify_role(root, "revocation", doc.env);
  if (!v) return fail(v.error());
  return ok();
}

std::string revocation_reason(const revocation_list& list, std::string_view channel, std::uint64_t sequence,
                              std::string_view semver, std::string_view cid) {
  auto it = list.channels.find(std::string(channel));
  if (it == list.channels.end()) return {};
  const auto& c = it->second;
  if (sequence < c.min_sequence)
    return "sequence " + std::to_string(sequence) + " is below the channel's minimum " + std::to_string(c.min_sequence);
  if (c.versions.contains(std::string(semver))) return "version " + std::string(semver) + " is revoked";
  if (cid.empty() || c.cids.empty()) return {};
  if (c.cids.contains(std::string(cid))) return "CID " + std::string(cid) + " is revoked";
  // The same content named in another form (v0 and v1, another multibase).
  auto mine = mf::cid::parse(cid);
  if (!mine) return {};
  const auto want = mine->to_v1();
  for (const auto& listed : c.cids)
    if (auto l = mf::cid::parse(listed); l && l->to_v1() == want)
      return "CID " + std::string(cid) + " is revoked (listed as " + listed + ")";
  return {};
}

std::string revocation_reason(const revocation_list& list, const release& r) {
  if (auto why = revocation_reason(list, r.channel, r.sequence, r.semver, ""); !why.empty()) return why;
  for (const auto& a : r.artifacts) {
    if (auto why = revocation_reason(list, r.channel, r.sequence, r.semver, a.cid); !why.empty()) return why;
    for (const auto& d : a.deltas)
      if (auto why = revocation_reason(list, r.channel, r.sequence, r.semver, d.cid); !why.empty()) return why;
  }
  return {};
}

}  // namespace converge::trust
