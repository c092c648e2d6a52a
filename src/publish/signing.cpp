#include "publish/signing.hpp"

#include <algorithm>

#include <sodium.h>

#include "publish/errors.hpp"
#include "trust/canonical_json.hpp"
#include "trust/frost.hpp"
#include "trust/tuf_pem_signer.hpp"

namespace converge::publish {

namespace tuf = trust::tuf;
using nlohmann::json;

json make_key_file(std::span<const std::uint8_t, 32> seed) {
  tuf::ed25519_signer signer(seed);
  return {{"type", "converge-release-key"}, {"keytype", "ed25519"}, {"seed", to_hex(seed)},
          {"public", signer.key().object["keyval"]["public"]}, {"keyid", signer.key().keyid}};
}

result<json> generate_key_file(tuf::key_scheme scheme, rng& r) {
  if (scheme == tuf::key_scheme::ed25519) {
    std::array<std::uint8_t, 32> seed{};
    r.fill(seed);
    json j = make_key_file(seed);
    sodium_memzero(seed.data(), seed.size());
    return j;
  }
  auto signer = tuf::pem_signer::generate(scheme);
  if (!signer) return fail(publish_errc::keys, "generating a key: " + signer.error().message());
  auto pem = (*signer)->private_pem();
  if (!pem) return fail(publish_errc::keys, "writing the private key: " + pem.error().message());
  const auto& key = (*signer)->key();
  return json{{"type", "converge-release-key"}, {"keytype", key.object["keytype"]},
              {"scheme", key.object["scheme"]}, {"private", std::move(*pem)},
              {"public", key.object["keyval"]["public"]}, {"keyid", key.keyid}};
}

namespace {

// A string member, or nullopt when it is missing or not a string.
std::optional<std::string> string_field(const json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

result<signer_ptr> parse_pem_key(const json& j, const std::string& name) {
  auto scheme_text = string_field(j, "scheme");
  auto scheme = tuf::parse_scheme_name(scheme_text.value_or(""));
  if (!scheme || *scheme == tuf::key_scheme::ed25519)
    return fail(publish_errc::keys, name + ": \"scheme\" must be ecdsa-sha2-nistp256 or rsassa-pss-sha256");
  auto it = j.find("private");
  if (it == j.end() || !it->is_string())
    return fail(publish_errc::keys, name + ": \"private\" must be a PEM private key");
  auto signer = tuf::pem_signer::from_pem(*scheme, it->get_ref<const std::string&>());
  if (!signer) return fail(publish_errc::keys, name + ": " + signer.error().message());
  return signer_ptr(std::move(*signer));
}

}  // namespace

result<signer_ptr> parse_key_file(std::string_view text, const std::string& name) {
  auto j = trust::parse_json(text);
  if (!j || !j->is_object() || string_field(*j, "type") != "converge-release-key")
    return fail(publish_errc::keys, name + ": not a converge release key file");
  const auto keytype = j->contains("keytype") ? string_field(*j, "keytype") : std::optional<std::string>("ed25519");
  if (!keytype) return fail(publish_errc::keys, name + ": \"keytype\" must be a string");
  if (*keytype != "ed25519") return parse_pem_key(*j, name);
  auto seed_text = string_field(*j, "seed");
  if (!seed_text) return fail(publish_errc::keys, name + ": an ed25519 key file needs \"seed\"");
  auto seed = from_hex(*seed_text);
  sodium_memzero(seed_text->data(), seed_text->size());
  if (!seed || seed->size() != 32) return fail(publish_errc::keys, name + ": seed must be 32 bytes of hex");
  std::array<std::uint8_t, 32> s{};
  std::copy(seed->begin(), seed->end(), s.begin());
  auto signer = std::make_unique<tuf::ed25519_signer>(s);
  sodium_memzero(s.data(), s.size());
  sodium_memzero(seed->data(), seed->size());
  return signer;
}

result<signer_ptr> load_key_file(const std::string& path) {
  auto text = read_file(path);
  if (!text) return fail(publish_errc::keys, "reading " + path + ": " + text.error().message());
  auto signer = parse_key_file(as_chars(*text), path);
  sodium_memzero(text->data(), text->size());
  return signer;
}

result<frost_group> load_frost_group(const std::string& public_package_path,
                                     const std::vector<std::string>& share_paths) {
  namespace frost = trust::frost;
  auto read_text = [](const std::string& p) -> result<std::string> {
    auto b = read_file(p);
    if (!b) return fail(publish_errc::keys, "reading " + p + ": " + b.error().message());
    return std::string(as_chars(*b));
  };
  frost_group g;
  auto pub_text = read_text(public_package_path);
  if (!pub_text) return fail(pub_text.error());
  auto pub = frost::decode_as<frost::public_key_package>(*pub_text);
  if (!pub) return fail(publish_errc::keys, public_package_path + ": " + pub.error().message());
  g.group = std::move(*pub);
  for (const auto& p : share_paths) {
    auto t = read_text(p);
    if (!t) return fail(t.error());
    auto k = frost::decode_as<frost::key_package>(*t);
    if (!k) return fail(publish_errc::keys, p + ": " + k.error().message());
    if (k->group_public_key.bytes != g.group.group_public_key.bytes)
      return fail(publish_errc::keys, p + ": key package of another FROST group");
    g.shares.push_back(std::move(*k));
  }
  std::sort(g.shares.begin(), g.shares.end(), [](const auto& x, const auto& y) { return x.id < y.id; });
  if (g.shares.empty()) return fail(publish_errc::keys, "FROST: give the key packages of the signers");
  return g;
}

result<void> frost_sign(tuf::envelope& env, const frost_group& g, rng& r) {
  namespace frost = trust::frost;
  auto msg = tuf::signing_bytes(env.signed_part);
  if (!msg) return fail(msg.error());
  std::vector<frost::signing_nonces> nonces;
  std::vector<frost::signing_commitment> list;
  for (const auto& k : g.shares) {
    auto c = frost::commit(k.id, k.secret_share, r);
    nonces.push_back(c.nonces);
    list.push_back(c.commitment);
  }
  std::vector<frost::signature_share> shares;
  for (std::size_t i = 0; i < g.shares.size(); ++i) {
    auto s = frost::sign(g.shares[i], nonces[i], as_bytes(*msg), list);
    if (!s) return fail(publish_errc::keys, "FROST round two: " + s.error().message());
    shares.push_back(*s);
  }
  auto sig = frost::aggregate(g.group, as_bytes(*msg), list, shares);
  if (!sig) return fail(publish_errc::keys, "FROST aggregate: " + sig.error().message());
  auto key = tuf::ed25519_public_key(g.group.group_public_key.bytes);
  tuf::add_signature(env, key.keyid, bytes(sig->begin(), sig->end()));
  return ok();
}

result<void> sign_role(tuf::envelope& env, const tuf::root_metadata& root, std::string_view role,
                       const signing_keys& keys, rng& r) {
  auto it = root.roles.find(std::string(role));
  if (it == root.roles.end()) return fail(publish_errc::keys, "root has no " + std::string(role) + " role");
  const auto& ids = it->second.keyids;
  auto authorised = [&](const std::string& id) { return std::find(ids.begin(), ids.end(), id) != ids.end(); };
  std::size_t used = 0;
  for (const auto& s : keys.signers) {
    if (!authorised(s->key().keyid)) continue;
    if (auto v = tuf::sign_envelope(env, *s); !v) return fail(v.error());
    ++used;
  }
  if (keys.frost && authorised(tuf::ed25519_public_key(keys.frost->group.group_public_key.bytes).keyid)) {
    if (auto v = frost_sign(env, *keys.frost, r); !v) return fail(v.error());
    ++used;
  }
  auto check = tuf::verify_role(root, role, env);
  if (!check)
    return fail(publish_errc::keys, std::string(role) + ": the given keys make " + std::to_string(used) +
                                        " of the " + std::to_string(it->second.threshold) +
                                        " signatures the root requires (" + check.error().detail + ")");
  return ok();
}

}  // namespace converge::publish
