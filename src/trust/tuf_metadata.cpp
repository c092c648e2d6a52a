#include "trust/tuf_metadata.hpp"

#include <cstdio>
#include <set>

#include "trust/json_fields.hpp"

namespace converge::trust::tuf {
namespace {

std::string idx(std::string_view path, std::size_t i) { return std::string(path) + "[" + std::to_string(i) + "]"; }

result<common_fields> parse_common(const nlohmann::json& s, std::string_view type) {
  common_fields c;
  auto t = require_string(s, "_type", type);
  if (!t) return fail(t.error());
  if (*t != type) return field_error(field_path(type, "_type"), "must be \"" + std::string(type) + "\", got \"" + *t + "\"");
  auto sv = require_string(s, "spec_version", type);
  if (!sv) return fail(sv.error());
  // "1.<minor>" or "1.<minor>.<patch>", decimal parts only: we implement major version 1.
  {
    std::size_t parts = 1;
    bool ok_digits = !sv->empty() && sv->front() != '.' && sv->back() != '.';
    for (std::size_t i = 0; i < sv->size() && ok_digits; ++i) {
      char ch = (*sv)[i];
      if (ch == '.') {
        ++parts;
        if ((*sv)[i - 1] == '.') ok_digits = false;
      } else if (ch < '0' || ch > '9') {
        ok_digits = false;
      }
    }
    if (!ok_digits || parts < 2 || parts > 3)
      return field_error(field_path(type, "spec_version"), "must look like \"1.0.31\"");
    if (sv->substr(0, 2) != "1.")
      return field_error(field_path(type, "spec_version"), "unsupported major version in \"" + *sv + "\"");
  }
  c.spec_version = *sv;
  auto v = require_uint(s, "version", type, 1);
  if (!v) return fail(v.error());
  c.version = *v;
  auto e = require_string(s, "expires", type);
  if (!e) return fail(e.error());
  auto when = parse_expires(*e);
  if (!when) return field_error(field_path(type, "expires"), when.error().detail);
  c.expires = *when;
  return c;
}

result<std::map<std::string, public_key>> parse_keys(const nlohmann::json& obj, std::string_view path,
                                                     const metadata_limits& lim) {
  if (!obj.is_object()) return field_error(path, "must be an object");
  if (obj.size() > lim.max_keys)
    return fail(trust_errc::too_large, std::string(path) + ": more than " + std::to_string(lim.max_keys) + " keys");
  std::map<std::string, public_key> keys;
  std::set<bytes> material;
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    std::string p = field_path(path, it.key());
    auto k = parse_public_key(*it, p);
    if (!k) return fail(k.error());
    // Binding the ID to the key stops one key posing as several signers.
    if (k->keyid != it.key()) return field_error(p, "key ID is not the SHA-256 of the key (expected " + k->keyid + ")");
    if (!material.insert(k->material).second) return field_error(p, "same key material as another key");
    keys.emplace(it.key(), std::move(*k));
  }
  return keys;
}

result<role_keys> parse_role_keys(const nlohmann::json& obj, std::string_view path,
                                  const std::map<std::string, public_key>& keys, std::string_view keys_path,
                                  const metadata_limits& lim) {
  role_keys r;
  auto ids = require_array(obj, "keyids", path);
  if (!ids) return fail(ids.error());
  std::string ids_path = field_path(path, "keyids");
  if ((*ids)->size() > lim.max_keyids)
    return fail(trust_errc::too_large, ids_path + ": more than " + std::to_string(lim.max_keyids) + " key IDs");
  std::set<std::string> seen;
  for (std::size_t i = 0; i < (*ids)->size(); ++i) {
    const auto& id = (**ids)[i];
    if (!id.is_string()) return field_error(idx(ids_path, i), "must be a string");
    const auto& s = id.get_ref<const std::string&>();
    if (!seen.insert(s).second) return field_error(idx(ids_path, i), "duplicate key ID " + s);
    if (!keys.contains(s)) return field_error(idx(ids_path, i), "key " + s + " is not in " + std::string(keys_path));
    r.keyids.push_back(s);
  }
  auto t = require_uint(obj, "threshold", path, 1);
  if (!t) return fail(t.error());
  // A threshold above the number of keyids is legal metadata (python-tuf and
  // the tuf-conformance suite accept such a root); the role simply cannot be
  // satisfied, and verify_threshold refuses everything it signs.
  r.threshold = *t;
  return r;
}

result<hash_map> parse_hashes(const nlohmann::json& obj, std::string_view path) {
  if (!obj.is_object()) return field_error(path, "must be an object");
  if (obj.empty()) return field_error(path, "must name at least one hash");
  if (obj.size() > 8) return field_error(path, "too many hashes");
  hash_map out;
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    std::string p = field_path(path, it.key());
    if (!it->is_string()) return field_error(p, "must be a hex string");
    auto raw = from_hex(it->get_ref<const std::string&>());
    if (!raw || raw->empty()) return field_error(p, "must be a hex string");
    if ((it.key() == "sha256" && raw->size() != 32) || (it.key() == "sha512" && raw->size() != 64))
      return field_error(p, "has the wrong length for " + it.key());
    out.emplace(it.key(), std::move(*raw));
  }
  return out;
}

result<std::vector<std::string>> parse_string_array(const nlohmann::json& arr, std::string_view path, std::size_t max) {
  if (!arr.is_array()) return field_error(path, "must be an array");
  if (arr.size() > max) return fail(trust_errc::too_large, std::string(path) + ": too many entries");
  std::vector<std::string> out;
  for (std::size_t i = 0; i < arr.size(); ++i) {
    if (!arr[i].is_string()) return field_error(idx(path, i), "must be a string");
    out.push_back(arr[i].get<std::string>());
  }
  return out;
}

result<meta_file> parse_meta_file(const nlohmann::json& obj, std::string_view path) {
  meta_file m;
  auto v = require_uint(obj, "version", path, 1);
  if (!v) return fail(v.error());
  m.version = *v;
  if (obj.contains("length")) {
    auto l = require_uint(obj, "length", path, 0);
    if (!l) return fail(l.error());
    m.length = *l;
  }
  if (obj.contains("hashes")) {
    auto h = parse_hashes(obj["hashes"], field_path(path, "hashes"));
    if (!h) return fail(h.error());
    m.hashes = std::move(*h);
  }
  return m;
}

result<delegation_set> parse_delegations(const nlohmann::json& obj, std::string_view path, const metadata_limits& lim) {
  if (!obj.is_object()) return field_error(path, "must be an object");
  if (obj.contains("succinct_roles")) return field_error(field_path(path, "succinct_roles"), "is not supported");
  delegation_set d;
  auto keys_obj = require_object(obj, "keys", path);
  if (!keys_obj) return fail(keys_obj.error());
  std::string keys_path = field_path(path, "keys");
  auto keys = parse_keys(**keys_obj, keys_path, lim);
  if (!keys) return fail(keys.error());
  d.keys = std::move(*keys);
  auto roles = require_array(obj, "roles", path);
  if (!roles) return fail(roles.error());
  std::string roles_path = field_path(path, "roles");
  if ((*roles)->size() > lim.max_delegations)
    return fail(trust_errc::too_large, roles_path + ": more than " + std::to_string(lim.max_delegations) + " roles");
  std::set<std::string> names;
  for (std::size_t i = 0; i < (*roles)->size(); ++i) {
    const auto& r = (**roles)[i];
    std::string p = idx(roles_path, i);
    delegated_role dr;
    auto name = require_string(r, "name", p);
    if (!name) return fail(name.error());
    if (name->empty()) return field_error(field_path(p, "name"), "must not be empty");
    if (!names.insert(*name).second) return field_error(field_path(p, "name"), "duplicate role name " + *name);
    dr.name = *name;
    auto rk = parse_role_keys(r, p, d.keys, keys_path, lim);
    if (!rk) return fail(rk.error());
    dr.keys = std::move(*rk);
    auto term = require_bool(r, "terminating", p);
    if (!term) return fail(term.error());
    dr.terminating = *term;
    bool has_paths = r.contains("paths"), has_prefixes = r.contains("path_hash_prefixes");
    if (has_paths == has_prefixes) return field_error(p, "needs exactly one of paths and path_hash_prefixes");
    if (has_paths) {
      auto ps = parse_string_array(r["paths"], field_path(p, "paths"), lim.max_targets);
      if (!ps) return fail(ps.error());
      dr.paths = std::move(*ps);
    } else {
      auto ps = parse_string_array(r["path_hash_prefixes"], field_path(p, "path_hash_prefixes"), lim.max_targets);
      if (!ps) return fail(ps.error());
      for (std::size_t j = 0; j < ps->size(); ++j)
        if ((*ps)[j].empty() || (*ps)[j].find_first_not_of("0123456789abcdef") != std::string::npos)
          return field_error(idx(field_path(p, "path_hash_prefixes"), j), "must be a hex prefix");
      dr.path_hash_prefixes = std::move(*ps);
      dr.uses_hash_prefixes = true;
    }
    d.roles.push_back(std::move(dr));
  }
  return d;
}

// Parses the text into an envelope and checks the role's common fields.
result<envelope> open_envelope(std::string_view text, std::string_view type, const metadata_limits& lim) {
  auto doc = parse_json(text, lim.json);
  if (!doc) return fail(doc.error());
  return parse_envelope(std::move(*doc), type);
}

result<root_metadata> parse_root_signed(const nlohmann::json& s, const metadata_limits& lim) {
  root_metadata r;
  auto c = parse_common(s, "root");
  if (!c) return fail(c.error());
  r.common = *c;
  auto cs = require_bool(s, "consistent_snapshot", "root");
  if (!cs) return fail(cs.error());
  r.consistent_snapshot = *cs;
  auto keys_obj = require_object(s, "keys", "root");
  if (!keys_obj) return fail(keys_obj.error());
  auto keys = parse_keys(**keys_obj, "root.keys", lim);
  if (!keys) return fail(keys.error());
  r.keys = std::move(*keys);
  auto roles = require_object(s, "roles", "root");
  if (!roles) return fail(roles.error());
  for (const char* name : {"root", "targets", "snapshot", "timestamp"}) {
    auto role = require_object(**roles, name, "root.roles");
    if (!role) return fail(role.error());
    auto rk = parse_role_keys(**role, field_path("root.roles", name), r.keys, "root.keys", lim);
    if (!rk) return fail(rk.error());
    r.roles.emplace(name, std::move(*rk));
  }
  // converge's optional top-level role for the signed revocation list
  // (revocation.hpp). It sits outside "roles", whose names TUF tooling
  // (python-tuf) requires to be exactly the four top-level roles; an
  // unrecognised field of root's signed part is kept and signed like any other.
  if ((*roles)->contains("revocation"))
    return field_error("root.roles.revocation",
                       "not allowed in roles (TUF tooling refuses it); the revocation role is root." +
                           std::string(revocation_role_field));
  if (s.contains(revocation_role_field)) {
    auto role = require_object(s, revocation_role_field, "root");
    if (!role) return fail(role.error());
    auto rk = parse_role_keys(**role, field_path("root", revocation_role_field), r.keys, "root.keys", lim);
    if (!rk) return fail(rk.error());
    r.roles.emplace("revocation", std::move(*rk));
  }
  return r;
}

result<targets_metadata> parse_targets_signed(const nlohmann::json& s, const metadata_limits& lim) {
  targets_metadata t;
  auto c = parse_common(s, "targets");
  if (!c) return fail(c.error());
  t.common = *c;
  auto targets = require_object(s, "targets", "targets");
  if (!targets) return fail(targets.error());
  if ((*targets)->size() > lim.max_targets)
    return fail(trust_errc::too_large, "targets.targets: more than " + std::to_string(lim.max_targets) + " entries");
  for (auto it = (*targets)->begin(); it != (*targets)->end(); ++it) {
    std::string p = field_path("targets.targets", it.key());
    if (it.key().empty()) return field_error("targets.targets", "target path must not be empty");
    target_file f;
    auto len = require_uint(*it, "length", p, 0);
    if (!len) return fail(len.error());
    f.length = *len;
    auto h = require_field(*it, "hashes", p);
    if (!h) return fail(h.error());
    auto hashes = parse_hashes(**h, field_path(p, "hashes"));
    if (!hashes) return fail(hashes.error());
    f.hashes = std::move(*hashes);
    if (it->contains("custom")) {
      const auto& custom = (*it)["custom"];
      if (!custom.is_object()) return field_error(field_path(p, "custom"), "must be an object");
      f.custom = custom;
    }
    t.targets.emplace(it.key(), std::move(f));
  }
  if (s.contains("delegations")) {
    auto d = parse_delegations(s["delegations"], "targets.delegations", lim);
    if (!d) return fail(d.error());
    t.delegations = std::move(*d);
  }
  return t;
}

result<snapshot_metadata> parse_snapshot_signed(const nlohmann::json& s, const metadata_limits& lim) {
  snapshot_metadata m;
  auto c = parse_common(s, "snapshot");
  if (!c) return fail(c.error());
  m.common = *c;
  auto meta = require_object(s, "meta", "snapshot");
  if (!meta) return fail(meta.error());
  if ((*meta)->size() > lim.max_meta)
    return fail(trust_errc::too_large, "snapshot.meta: more than " + std::to_string(lim.max_meta) + " entries");
  for (auto it = (*meta)->begin(); it != (*meta)->end(); ++it) {
    auto f = parse_meta_file(*it, field_path("snapshot.meta", it.key()));
    if (!f) return fail(f.error());
    m.meta.emplace(it.key(), std::move(*f));
  }
  return m;
}

result<timestamp_metadata> parse_timestamp_signed(const nlohmann::json& s, const metadata_limits&) {
  timestamp_metadata m;
  auto c = parse_common(s, "timestamp");
  if (!c) return fail(c.error());
  m.common = *c;
  auto meta = require_object(s, "meta", "timestamp");
  if (!meta) return fail(meta.error());
  if ((*meta)->size() != 1 || !(*meta)->contains("snapshot.json"))
    return field_error("timestamp.meta", "must have exactly one entry, \"snapshot.json\"");
  auto f = parse_meta_file((**meta)["snapshot.json"], "timestamp.meta.snapshot.json");
  if (!f) return fail(f.error());
  m.snapshot = std::move(*f);
  return m;
}

template <class Role, class Fn>
result<signed_metadata<Role>> parse_as(std::string_view text, std::string_view type, const metadata_limits& lim, Fn fn) {
  auto env = open_envelope(text, type, lim);
  if (!env) return fail(env.error());
  auto role = fn(env->signed_part, lim);
  if (!role) return fail(role.error());
  return signed_metadata<Role>{std::move(*role), std::move(*env)};
}

constexpr int days_in_month(int y, int m) {
  constexpr int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : d[m - 1];
}

// Howard Hinnant's days_from_civil / civil_from_days.
constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

}  // namespace

result<common_fields> parse_common_fields(const nlohmann::json& s, std::string_view type) { return parse_common(s, type); }

result<std::int64_t> parse_expires(std::string_view s) {
  auto bad = [&] { return fail(trust_errc::invalid_metadata, "must be \"YYYY-MM-DDTHH:MM:SSZ\", got \"" + std::string(s.substr(0, 40)) + "\""); };
  if (s.size() != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z')
    return bad();
  auto num = [&](std::size_t at, std::size_t n) -> int {
    int v = 0;
    for (std::size_t i = at; i < at + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return -1;
      v = v * 10 + (s[i] - '0');
    }
    return v;
  };
  int y = num(0, 4), mo = num(5, 2), d = num(8, 2), h = num(11, 2), mi = num(14, 2), se = num(17, 2);
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h < 0 || h > 23 || mi < 0 || mi > 59 ||
      se < 0 || se > 59)
    return bad();
  return days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 + h * 3600 + mi * 60 + se;
}

std::string format_expires(std::int64_t t) {
  std::int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
  std::int64_t secs = t - days * 86400;
  std::int64_t z = days + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lldZ", static_cast<long long>(y), m, d,
                static_cast<long long>(secs / 3600), static_cast<long long>(secs / 60 % 60),
                static_cast<long long>(secs % 60));
  return buf;
}

result<signed_metadata<root_metadata>> parse_root(std::string_view text, const metadata_limits& lim) {
  return parse_as<root_metadata>(text, "root", lim, parse_root_signed);
}
result<signed_metadata<targets_metadata>> parse_targets(std::string_view text, const metadata_limits& lim) {
  return parse_as<targets_metadata>(text, "targets", lim, parse_targets_signed);
}
result<signed_metadata<snapshot_metadata>> parse_snapshot(std::string_view text, const metadata_limits& lim) {
  return parse_as<snapshot_metadata>(text, "snapshot", lim, parse_snapshot_signed);
}
result<signed_metadata<timestamp_metadata>> parse_timestamp(std::string_view text, const metadata_limits& lim) {
  return parse_as<timestamp_metadata>(text, "timestamp", lim, parse_timestamp_signed);
}

result<any_metadata> parse_metadata(std::string_view text, const metadata_limits& lim) {
  auto doc = parse_json(text, lim.json);
  if (!doc) return fail(doc.error());
  if (!doc->is_object() || !doc->contains("signed") || !(*doc)["signed"].is_object())
    return field_error("metadata", "must be an object with a \"signed\" object");
  const auto& type = (*doc)["signed"].value("_type", nlohmann::json());
  if (!type.is_string()) return field_error("metadata.signed._type", "must be a string");
  const auto& t = type.get_ref<const std::string&>();
  auto wrap = [](auto r) -> result<any_metadata> {
    if (!r) return fail(r.error());
    return any_metadata(std::move(*r));
  };
  if (t == "root") return wrap(parse_root(text, lim));
  if (t == "targets") return wrap(parse_targets(text, lim));
  if (t == "snapshot") return wrap(parse_snapshot(text, lim));
  if (t == "timestamp") return wrap(parse_timestamp(text, lim));
  return field_error("metadata.signed._type", "unknown role type \"" + t + "\"");
}

result<threshold_report> verify_role(const root_metadata& root, std::string_view role, const envelope& env) {
  auto it = root.roles.find(std::string(role));
  if (it == root.roles.end()) return fail(trust_errc::invalid_metadata, "root has no role " + std::string(role));
  return verify_threshold(env, root.keys, it->second, role);
}

}  // namespace converge::trust::tuf
