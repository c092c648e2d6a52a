#include "trust/frost_messages.hpp"

#include <set>

#include "trust/canonical_json.hpp"
#include "trust/json_fields.hpp"

namespace converge::trust::frost {
namespace {

using nlohmann::json;

json header(std::string_view type) { return {{"type", type}, {"ciphersuite", context_string}}; }
std::string finish(const json& j) { return encode_canonical(j).value(); }  // ASCII, integers only: cannot fail
json hex_points(std::span<const point> ps) {
  json a = json::array();
  for (const auto& p : ps) a.push_back(to_hex(p));
  return a;
}

// Rejects fields other than `allowed` (plus type and ciphersuite).
result<void> only_fields(const json& obj, std::initializer_list<std::string_view> allowed, std::string_view path) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (it.key() == "type" || it.key() == "ciphersuite") continue;
    bool known = false;
    for (auto a : allowed) known = known || it.key() == a;
    if (!known) return field_error(field_path(path, it.key()), "unexpected field");
  }
  return ok();
}

result<identifier> get_id(const json& obj, std::string_view key, std::string_view path) {
  auto v = require_uint(obj, key, path, 1);
  if (!v) return fail(v.error());
  if (*v > 65535) return field_error(field_path(path, key), "identifier must be 1..65535");
  return static_cast<identifier>(*v);
}

result<std::uint16_t> get_min_signers(const json& obj, std::string_view path) {
  auto v = require_uint(obj, "min_signers", path, 2);
  if (!v) return fail(v.error());
  if (*v > max_participants) return field_error(field_path(path, "min_signers"), "exceeds the participant limit");
  return static_cast<std::uint16_t>(*v);
}

result<bytes> get_hex(const json& obj, std::string_view key, std::string_view path) {
  auto s = require_string(obj, key, path);
  if (!s) return fail(s.error());
  auto b = from_hex(*s);
  if (!b || converge::to_hex(*b) != *s) return field_error(field_path(path, key), "must be lower-case hex");
  return b;
}

result<scalar> get_scalar(const json& obj, std::string_view key, std::string_view path) {
  auto b = get_hex(obj, key, path);
  if (!b) return fail(b.error());
  return decode_scalar(*b, field_path(path, key));
}

result<point> get_point(const json& obj, std::string_view key, std::string_view path) {
  auto b = get_hex(obj, key, path);
  if (!b) return fail(b.error());
  return decode_point(*b, field_path(path, key));
}

result<vss_commitment> get_points(const json& obj, std::string_view key, std::string_view path) {
  auto arr = require_array(obj, key, path);
  if (!arr) return fail(arr.error());
  std::string p = field_path(path, key);
  if ((*arr)->size() < 2 || (*arr)->size() > max_participants)
    return field_error(p, "must hold 2.." + std::to_string(max_participants) + " points");
  vss_commitment out;
  for (std::size_t i = 0; i < (*arr)->size(); ++i) {
    const auto& e = (**arr)[i];
    std::string ep = p + "[" + std::to_string(i) + "]";
    if (!e.is_string()) return field_error(ep, "must be a hex string");
    auto b = from_hex(e.get_ref<const std::string&>());
    if (!b) return field_error(ep, "must be hex");
    auto pt = decode_point(*b, ep);
    if (!pt) return fail(pt.error());
    out.push_back(*pt);
  }
  return out;
}

result<signing_commitment> commitment_fields(const json& obj, std::string_view path) {
  if (!obj.is_object()) return field_error(path, "must be an object");
  if (auto o = only_fields(obj, {"identifier", "hiding", "binding"}, path); !o) return fail(o.error());
  auto id = get_id(obj, "identifier", path);
  if (!id) return fail(id.error());
  auto h = get_point(obj, "hiding", path);
  if (!h) return fail(h.error());
  auto b = get_point(obj, "binding", path);
  if (!b) return fail(b.error());
  return signing_commitment{*id, *h, *b};
}

result<frost_message> decode_secret_share(const json& j, std::string_view p) {
  if (auto o = only_fields(j, {"identifier", "value", "commitment"}, p); !o) return fail(o.error());
  secret_share s;
  auto id = get_id(j, "identifier", p);
  if (!id) return fail(id.error());
  auto v = get_scalar(j, "value", p);
  if (!v) return fail(v.error());
  auto c = get_points(j, "commitment", p);
  if (!c) return fail(c.error());
  s = {*id, *v, std::move(*c)};
  if (auto ok_vss = vss_verify(s); !ok_vss) return fail(ok_vss.error());
  return s;
}

result<frost_message> decode_key_package(const json& j, std::string_view p) {
  if (auto o = only_fields(j, {"identifier", "min_signers", "secret_share", "verifying_share", "group_public_key"}, p); !o)
    return fail(o.error());
  auto id = get_id(j, "identifier", p);
  if (!id) return fail(id.error());
  auto t = get_min_signers(j, p);
  if (!t) return fail(t.error());
  auto s = get_scalar(j, "secret_share", p);
  if (!s) return fail(s.error());
  auto vs = get_point(j, "verifying_share", p);
  if (!vs) return fail(vs.error());
  auto gk = get_point(j, "group_public_key", p);
  if (!gk) return fail(gk.error());
  if (base_mul(*s) != *vs) return field_error(field_path(p, "verifying_share"), "does not match secret_share");
  return key_package{*id, *s, *vs, *gk, *t};
}

result<frost_message> decode_public_key_package(const json& j, std::string_view p) {
  if (auto o = only_fields(j, {"group_public_key", "min_signers", "verifying_shares"}, p); !o) return fail(o.error());
  public_key_package pub;
  auto gk = get_point(j, "group_public_key", p);
  if (!gk) return fail(gk.error());
  auto t = get_min_signers(j, p);
  if (!t) return fail(t.error());
  auto shares = require_object(j, "verifying_shares", p);
  if (!shares) return fail(shares.error());
  std::string sp = field_path(p, "verifying_shares");
  if ((*shares)->size() < *t || (*shares)->size() > max_participants)
    return field_error(sp, "must hold min_signers.." + std::to_string(max_participants) + " shares");
  for (auto it = (*shares)->begin(); it != (*shares)->end(); ++it) {
    const auto& k = it.key();
    std::string ep = field_path(sp, k);
    bool digits = !k.empty() && k.size() <= 5 && k[0] != '0' && k.find_first_not_of("0123456789") == std::string::npos;
    unsigned long id = digits ? std::stoul(k) : 0;
    if (!digits || id > 65535) return field_error(ep, "key must be an identifier 1..65535 in decimal");
    if (!it->is_string()) return field_error(ep, "must be a hex string");
    auto b = from_hex(it->get_ref<const std::string&>());
    if (!b) return field_error(ep, "must be hex");
    auto pt = decode_point(*b, ep);
    if (!pt) return fail(pt.error());
    pub.verifying_shares[static_cast<identifier>(id)] = *pt;
  }
  pub.group_public_key = *gk;
  pub.min_signers = *t;
  return pub;
}

result<frost_message> decode_nonces(const json& j, std::string_view p) {
  if (auto o = only_fields(j, {"identifier", "hiding", "binding"}, p); !o) return fail(o.error());
  auto id = get_id(j, "identifier", p);
  if (!id) return fail(id.error());
  auto h = get_scalar(j, "hiding", p);
  if (!h) return fail(h.error());
  auto b = get_scalar(j, "binding", p);
  if (!b) return fail(b.error());
  if (is_zero(*h) || is_zero(*b)) return field_error(p, "nonces must be non-zero");
  return identified_nonces{*id, {*h, *b}};
}

result<frost_message> decode_signing_package(const json& j, std::string_view p) {
  if (auto o = only_fields(j, {"message", "commitments"}, p); !o) return fail(o.error());
  signing_package sp;
  auto m = get_hex(j, "message", p);
  if (!m) return fail(m.error());
  if (m->size() > max_signing_message) return field_error(field_path(p, "message"), "is too long");
  sp.message = std::move(*m);
  auto arr = require_array(j, "commitments", p);
  if (!arr) return fail(arr.error());
  std::string cp = field_path(p, "commitments");
  if ((*arr)->size() < 2 || (*arr)->size() > max_participants)
    return field_error(cp, "must hold 2.." + std::to_string(max_participants) + " commitments");
  for (std::size_t i = 0; i < (*arr)->size(); ++i) {
    auto c = commitment_fields((**arr)[i], cp + "[" + std::to_string(i) + "]");
    if (!c) return fail(c.error());
    if (!sp.commitments.empty() && c->id <= sp.commitments.back().id)
      return field_error(cp, "must be sorted by identifier without repeats");
    sp.commitments.push_back(*c);
  }
  return sp;
}

result<frost_message> decode_signature_share(const json& j, std::string_view p) {
  if (auto o = only_fields(j, {"identifier", "share"}, p); !o) return fail(o.error());
  auto id = get_id(j, "identifier", p);
  if (!id) return fail(id.error());
  auto s = get_scalar(j, "share", p);
  if (!s) return fail(s.error());
  return signature_share{*id, *s};
}

result<frost_message> decode_dkg_round1(const json& j, std::string_view p) {
  if (auto o = only_fields(j, {"identifier", "commitment", "proof"}, p); !o) return fail(o.error());
  dkg_round1_package pkg;
  auto id = get_id(j, "identifier", p);
  if (!id) return fail(id.error());
  auto c = get_points(j, "commitment", p);
  if (!c) return fail(c.error());
  auto proof = require_object(j, "proof", p);
  if (!proof) return fail(proof.error());
  std::string pp = field_path(p, "proof");
  if (auto o = only_fields(**proof, {"r", "mu"}, pp); !o) return fail(o.error());
  auto r = get_point(**proof, "r", pp);
  if (!r) return fail(r.error());
  auto mu = get_scalar(**proof, "mu", pp);
  if (!mu) return fail(mu.error());
  pkg = {*id, std::move(*c), *r, *mu};
  if (auto v = verify_round1_package(pkg, static_cast<std::uint16_t>(pkg.commitment.size())); !v) return fail(v.error());
  return pkg;
}

result<frost_message> decode_dkg_round2(const json& j, std::string_view p) {
  if (auto o = only_fields(j, {"sender", "receiver", "share"}, p); !o) return fail(o.error());
  auto from = get_id(j, "sender", p);
  if (!from) return fail(from.error());
  auto to = get_id(j, "receiver", p);
  if (!to) return fail(to.error());
  if (*from == *to) return field_error(field_path(p, "receiver"), "must differ from sender");
  auto s = get_scalar(j, "share", p);
  if (!s) return fail(s.error());
  return dkg_round2_package{*from, *to, *s};
}

}  // namespace

std::string encode_secret_share(const secret_share& s) {
  auto j = header("frost-secret-share");
  j["identifier"] = s.id;
  j["value"] = to_hex(s.value);
  j["commitment"] = hex_points(s.commitment);
  return finish(j);
}

std::string encode_key_package(const key_package& k) {
  auto j = header("frost-key-package");
  j["identifier"] = k.id;
  j["min_signers"] = k.min_signers;
  j["secret_share"] = to_hex(k.secret_share);
  j["verifying_share"] = to_hex(k.verifying_share);
  j["group_public_key"] = to_hex(k.group_public_key);
  return finish(j);
}

std::string encode_public_key_package(const public_key_package& p) {
  auto j = header("frost-public-key-package");
  j["group_public_key"] = to_hex(p.group_public_key);
  j["min_signers"] = p.min_signers;
  json shares = json::object();
  for (const auto& [id, pt] : p.verifying_shares) shares[std::to_string(id)] = to_hex(pt);
  j["verifying_shares"] = shares;
  return finish(j);
}

std::string encode_signing_nonces(identifier id, const signing_nonces& n) {
  auto j = header("frost-signing-nonces");
  j["identifier"] = id;
  j["hiding"] = to_hex(n.hiding);
  j["binding"] = to_hex(n.binding);
  return finish(j);
}

std::string encode_commitment(const signing_commitment& c) {
  auto j = header("frost-commitment");
  j["identifier"] = c.id;
  j["hiding"] = to_hex(c.hiding);
  j["binding"] = to_hex(c.binding);
  return finish(j);
}

std::string encode_signing_package(const signing_package& p) {
  auto j = header("frost-signing-package");
  j["message"] = converge::to_hex(p.message);
  json list = json::array();
  for (const auto& c : p.commitments)
    list.push_back({{"identifier", c.id}, {"hiding", to_hex(c.hiding)}, {"binding", to_hex(c.binding)}});
  j["commitments"] = list;
  return finish(j);
}

std::string encode_signature_share(const signature_share& s) {
  auto j = header("frost-signature-share");
  j["identifier"] = s.id;
  j["share"] = to_hex(s.share);
  return finish(j);
}

std::string encode_dkg_round1(const dkg_round1_package& p) {
  auto j = header("frost-dkg-round1");
  j["identifier"] = p.sender;
  j["commitment"] = hex_points(p.commitment);
  j["proof"] = {{"r", to_hex(p.proof_r)}, {"mu", to_hex(p.proof_mu)}};
  return finish(j);
}

std::string encode_dkg_round2(const dkg_round2_package& p) {
  auto j = header("frost-dkg-round2");
  j["sender"] = p.sender;
  j["receiver"] = p.receiver;
  j["share"] = to_hex(p.share);
  return finish(j);
}

result<frost_message> decode_frost_message(std::string_view text) {
  json_limits lim;
  lim.max_bytes = max_message_text;
  lim.max_depth = 4;
  auto doc = parse_json(text, lim);
  if (!doc) return fail(doc.error());
  if (!doc->is_object()) return field_error("message", "must be an object");
  auto type = require_string(*doc, "type", "message");
  if (!type) return fail(type.error());
  auto suite = require_string(*doc, "ciphersuite", *type);
  if (!suite) return fail(suite.error());
  if (*suite != context_string)
    return field_error(field_path(*type, "ciphersuite"), "must be \"" + std::string(context_string) + "\"");
  const auto& j = *doc;
  const std::string& t = *type;
  if (t == "frost-secret-share") return decode_secret_share(j, t);
  if (t == "frost-key-package") return decode_key_package(j, t);
  if (t == "frost-public-key-package") return decode_public_key_package(j, t);
  if (t == "frost-signing-nonces") return decode_nonces(j, t);
  if (t == "frost-commitment") {
    auto c = commitment_fields(j, t);
    if (!c) return fail(c.error());
    return frost_message(*c);
  }
  if (t == "frost-signing-package") return decode_signing_package(j, t);
  if (t == "frost-signature-share") return decode_signature_share(j, t);
  if (t == "frost-dkg-round1") return decode_dkg_round1(j, t);
  if (t == "frost-dkg-round2") return decode_dkg_round2(j, t);
  return field_error("message.type", "unknown message type \"" + t.substr(0, 64) + "\"");
}

}  // namespace converge::trust::frost
