#include "trust/tuf_builder.hpp"

#include <sodium.h>

namespace converge::trust::tuf {
namespace {

using nlohmann::json;

json common(std::string_view type, const common_fields& c) {
  return {{"_type", type},
          {"spec_version", c.spec_version.empty() ? std::string(default_spec_version) : c.spec_version},
          {"version", c.version},
          {"expires", format_expires(c.expires)}};
}

json hashes_json(const hash_map& h) {
  json out = json::object();
  for (const auto& [alg, digest] : h) out[alg] = to_hex(digest);
  return out;
}

json keys_json(const std::map<std::string, public_key>& keys) {
  json out = json::object();
  for (const auto& [id, k] : keys) out[id] = k.object;
  return out;
}

json role_json(const role_keys& r) { return {{"keyids", r.keyids}, {"threshold", r.threshold}}; }

json meta_json(const meta_file& m) {
  json out = {{"version", m.version}};
  if (m.length) out["length"] = *m.length;
  if (!m.hashes.empty()) out["hashes"] = hashes_json(m.hashes);
  return out;
}

hash_map hash_all(bytes_view content) {
  bytes h256(crypto_hash_sha256_BYTES), h512(crypto_hash_sha512_BYTES);
  crypto_hash_sha256(h256.data(), content.data(), content.size());
  crypto_hash_sha512(h512.data(), content.data(), content.size());
  return {{"sha256", std::move(h256)}, {"sha512", std::move(h512)}};
}

}  // namespace

json to_json(const root_metadata& r) {
  json j = common("root", r.common);
  j["consistent_snapshot"] = r.consistent_snapshot;
  j["keys"] = keys_json(r.keys);
  json roles = json::object();
  for (const auto& [name, role] : r.roles) {
    if (name == "revocation") j[revocation_role_field] = role_json(role);
    else roles[name] = role_json(role);
  }
  j["roles"] = roles;
  return j;
}

json to_json(const targets_metadata& t) {
  json j = common("targets", t.common);
  json targets = json::object();
  for (const auto& [path, f] : t.targets) {
    json e = {{"length", f.length}, {"hashes", hashes_json(f.hashes)}};
    if (!f.custom.is_null()) e["custom"] = f.custom;
    targets[path] = e;
  }
  j["targets"] = targets;
  if (t.delegations) {
    json roles = json::array();
    for (const auto& d : t.delegations->roles) {
      json e = role_json(d.keys);
      e["name"] = d.name;
      e["terminating"] = d.terminating;
      if (d.uses_hash_prefixes) e["path_hash_prefixes"] = d.path_hash_prefixes;
      else e["paths"] = d.paths;
      roles.push_back(e);
    }
    j["delegations"] = {{"keys", keys_json(t.delegations->keys)}, {"roles", roles}};
  }
  return j;
}

json to_json(const snapshot_metadata& s) {
  json j = common("snapshot", s.common);
  json meta = json::object();
  for (const auto& [name, m] : s.meta) meta[name] = meta_json(m);
  j["meta"] = meta;
  return j;
}

json to_json(const timestamp_metadata& t) {
  json j = common("timestamp", t.common);
  j["meta"] = {{"snapshot.json", meta_json(t.snapshot)}};
  return j;
}

target_file describe_target(bytes_view content, json custom) {
  return {content.size(), hash_all(content), std::move(custom)};
}

meta_file describe_meta(std::uint64_t version, bytes_view content) {
  return {version, content.size(), hash_all(content)};
}

}  // namespace converge::trust::tuf
