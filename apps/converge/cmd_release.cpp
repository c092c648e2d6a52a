// converge release ...: publishing and verifying converge releases (src/trust).
//
// Everything is file based, JSON in and JSON out, so a shell script can run a
// whole flow:
//   keygen                 an Ed25519 signing key file (mode 0600)
//   root init|sign|rotate  an unsigned root (all roles t-of-n over the keys; --targets-group
//                          puts a FROST group key on targets), signatures, the next root version
//   create                 an unsigned release (targets) from a spec file and the artifact files
//   sign                   adds signatures to any metadata file (root, targets, revocation)
//   bundle                 snapshot + timestamp over a signed targets, packed with new roots
//   verify                 a bundle against a device's trusted state (a directory)
//   show                   a release, bundle or revocation list, summarised
//   revoke                 an unsigned revocation list
//   frost dealer|dkg|sign  FROST(Ed25519) keys and a threshold signature on a metadata file
//   publish, init-channel  the whole flow against a running daemon (a workspace per channel)
// Every verification failure prints the rule that failed (the trust error's message).
// This file: keygen, root, create, sign, bundle, revoke. verify and show are in
// cmd_release_inspect.cpp, frost in cmd_release_frost.cpp, publish and
// init-channel in cmd_release_publish.cpp; the shared helpers in cmd_release_common.hpp.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <sodium.h>

#include "base/bytes.hpp"
#include "base/rng.hpp"
#include "cmd_release_common.hpp"
#include "publish/bundle_builder.hpp"
#include "trust/bundle.hpp"
#include "trust/frost_messages.hpp"
#include "trust/release.hpp"
#include "trust/revocation.hpp"
#include "trust/tuf_builder.hpp"
#include "trust/tuf_pem_signer.hpp"

namespace converge::cli {
namespace {

using nlohmann::json;
namespace tuf = trust::tuf;
using namespace release_cmd;

// --- key files ---------------------------------------------------------------

void run_keygen(const std::string& out, bool force, const std::string& scheme_name) {
  std::error_code ec;
  if (!force && std::filesystem::symlink_status(out, ec).type() != std::filesystem::file_type::not_found)
    throw cli_error(out + " already exists (use --force to replace it)");
  auto scheme = unwrap(tuf::parse_scheme_name(scheme_name), "keygen");
  system_rng r;
  json j = unwrap(publish::generate_key_file(scheme, r), "keygen");
  write_json(out, j, 0600);
  std::printf("%s: %s key %s\n", out.c_str(), scheme_name.c_str(), j["keyid"].get<std::string>().c_str());
}

// --- metadata envelopes ----------------------------------------------------------

void run_sign(const std::string& file, const std::vector<std::string>& keys, const std::string& out) {
  if (keys.empty()) throw cli_error("sign: give at least one --key");
  auto env = load_envelope(file);
  for (const auto& k : keys) unwrap(tuf::sign_envelope(env, *load_signer(k)), "signing with " + k);
  write_json(out.empty() ? file : out, tuf::to_json(env));
  std::printf("%s: %zu signature(s)\n", (out.empty() ? file : out).c_str(), env.signatures.size());
}

// --- root ------------------------------------------------------------------------

struct root_args {
  std::vector<std::string> keys;
  unsigned threshold = 1;
  std::string expires = "2030-01-01T00:00:00Z";
  std::string targets_group;  // FROST public key package: targets = that single group key
  std::string out;
  std::string old_root;
};

json build_root(const root_args& a, std::uint64_t version) {
  if (a.keys.empty()) throw cli_error("root: give the role keys with --key");
  if (a.threshold < 1 || a.threshold > a.keys.size())
    throw cli_error("root: --threshold must be between 1 and the number of keys (" + std::to_string(a.keys.size()) + ")");
  tuf::root_metadata r;
  r.common = {std::string(tuf::default_spec_version), version, parse_time(a.expires, "--expires")};
  r.consistent_snapshot = true;
  tuf::role_keys rk;
  rk.threshold = a.threshold;
  for (const auto& k : a.keys) {
    auto s = load_signer(k);
    if (r.keys.contains(s->key().keyid)) throw cli_error("root: key " + k + " given twice");
    r.keys.emplace(s->key().keyid, s->key());
    rk.keyids.push_back(s->key().keyid);
  }
  for (const char* role : {"root", "targets", "snapshot", "timestamp", "revocation"}) r.roles[role] = rk;
  if (!a.targets_group.empty()) {
    auto pub = unwrap(trust::frost::decode_as<trust::frost::public_key_package>(read_text(a.targets_group)),
                      a.targets_group);
    auto group = tuf::ed25519_public_key(pub.group_public_key.bytes);
    r.keys.emplace(group.keyid, group);
    r.roles["targets"] = {{group.keyid}, 1};
  }
  return tuf::to_json(r);
}

void run_root_init(const root_args& a) {
  write_json(a.out, {{"signed", build_root(a, 1)}, {"signatures", json::array()}});
  std::printf("%s: root version 1, %u-of-%zu (unsigned: run 'converge release root sign')\n", a.out.c_str(),
              a.threshold, a.keys.size());
}

void run_root_rotate(const root_args& a) {
  auto old = unwrap(tuf::parse_root(read_text(a.old_root)), a.old_root);
  std::uint64_t v = old.role.common.version + 1;
  write_json(a.out, {{"signed", build_root(a, v)}, {"signatures", json::array()}});
  std::printf("%s: root version %llu, %u-of-%zu (sign it with the old AND the new root keys)\n", a.out.c_str(),
              static_cast<unsigned long long>(v), a.threshold, a.keys.size());
}

// --- release create ----------------------------------------------------------------

template <class T>
T spec_get(const json& j, const char* key, const std::string& where) {
  if (!j.contains(key)) throw cli_error(where + "." + key + ": missing");
  try {
    return j.at(key).get<T>();
  } catch (const json::exception&) {
    throw cli_error(where + "." + key + ": wrong type");
  }
}

void run_create(const std::string& spec_path, const std::string& previous_targets, const std::string& out) {
  json spec = read_json(spec_path);
  if (!spec.is_object()) throw cli_error(spec_path + ": must be a JSON object");
  auto base = std::filesystem::path(spec_path).parent_path();
  trust::release r;
  r.channel = spec_get<std::string>(spec, "channel", "spec");
  r.semver = spec_get<std::string>(spec, "semver", "spec");
  r.sequence = spec_get<std::uint64_t>(spec, "sequence", "spec");
  r.expires = parse_time(spec_get<std::string>(spec, "expires", "spec"), "spec.expires");
  if (!previous_targets.empty()) r.previous = trust::sha256_hex(read_text(previous_targets));
  else if (spec.contains("previous")) r.previous = spec_get<std::string>(spec, "previous", "spec");
  if (spec.contains("metadata")) r.metadata = spec["metadata"];
  if (spec.contains("rollout"))
    for (const auto& s : spec["rollout"])
      r.rollout.push_back({parse_time(spec_get<std::string>(s, "start", "spec.rollout"), "spec.rollout.start"),
                           spec_get<std::uint32_t>(s, "percent", "spec.rollout")});
  if (!spec.contains("artifacts") || !spec["artifacts"].is_array()) throw cli_error("spec.artifacts: missing");
  for (std::size_t i = 0; i < spec["artifacts"].size(); ++i) {
    const json& a = spec["artifacts"][i];
    std::string where = "spec.artifacts[" + std::to_string(i) + "]";
    trust::artifact art;
    auto file = spec_get<std::string>(a, "file", where);
    auto fpath = std::filesystem::path(file).is_absolute() ? std::filesystem::path(file) : base / file;
    auto content = unwrap(read_file(fpath.string()), "reading " + fpath.string());
    auto desc = tuf::describe_target(content);
    art.length = desc.length;
    art.sha256 = desc.hashes.at("sha256");
    art.platform = {spec_get<std::string>(a, "os", where), spec_get<std::string>(a, "arch", where),
                    a.contains("min_os") ? spec_get<std::string>(a, "min_os", where) : "0"};
    art.path = a.contains("path") ? spec_get<std::string>(a, "path", where)
                                  : r.channel + "/" + art.platform.os + "-" + art.platform.arch + "/" +
                                        std::filesystem::path(file).filename().string();
    std::string kind = a.contains("kind") ? spec_get<std::string>(a, "kind", where) : "full";
    if (kind == "full") art.kind = trust::artifact_kind::full;
    else if (kind == "delta") art.kind = trust::artifact_kind::delta;
    else if (kind == "resource") art.kind = trust::artifact_kind::resource;
    else throw cli_error(where + ".kind: must be one of full, delta, resource");
    art.cid = spec_get<std::string>(a, "cid", where);
    if (a.contains("deltas"))
      for (const auto& d : a["deltas"]) {
        auto h = from_hex(spec_get<std::string>(d, "sha256", where + ".deltas"));
        if (!h) throw cli_error(where + ".deltas.sha256: not hex");
        art.deltas.push_back({spec_get<std::string>(d, "base_version", where + ".deltas"),
                              spec_get<std::string>(d, "base_cid", where + ".deltas"),
                              spec_get<std::string>(d, "algorithm", where + ".deltas"),
                              spec_get<std::string>(d, "cid", where + ".deltas"),
                              spec_get<std::uint64_t>(d, "size", where + ".deltas"), *h});
      }
    r.artifacts.push_back(std::move(art));
  }
  auto t = unwrap(trust::release_to_targets(r), "release");
  write_json(out, {{"signed", tuf::to_json(t)}, {"signatures", json::array()}});
  std::printf("%s: release %s (%s, sequence %llu), %zu artifact(s), unsigned\n", out.c_str(), r.semver.c_str(),
              r.channel.c_str(), static_cast<unsigned long long>(r.sequence), r.artifacts.size());
}

// --- bundle ------------------------------------------------------------------------------

struct bundle_args {
  std::string targets, out, revocation, expires = "2027-01-01T00:00:00Z";
  std::vector<std::string> roots, keys;
  std::uint64_t version = 0;  // snapshot/timestamp version; default: the targets version
};

void run_bundle(const bundle_args& a) {
  std::string targets = read_text(a.targets);
  auto parsed = unwrap(tuf::parse_targets(targets), a.targets);
  auto rel = unwrap(trust::release_from_targets(parsed.role), a.targets);
  if (a.keys.empty()) throw cli_error("bundle: give the snapshot/timestamp keys with --key");
  std::vector<publish::signer_ptr> signers;
  for (const auto& k : a.keys) signers.push_back(load_signer(k));
  publish::bundle_inputs in;
  in.channel = rel.channel;
  in.targets_text = targets;
  in.targets_version = parsed.role.common.version;
  for (const auto& r : a.roots) in.roots.push_back(read_text(r));
  if (!a.revocation.empty()) in.revocation = read_text(a.revocation);
  in.version = a.version ? a.version : parsed.role.common.version;
  in.expires = parse_time(a.expires, "--expires");
  // Every given key signs snapshot and timestamp (the verifier checks the thresholds).
  auto enc = unwrap(publish::build_bundle(in, [&](tuf::envelope& e, std::string_view) -> result<void> {
                      for (const auto& s : signers)
                        if (auto r = tuf::sign_envelope(e, *s); !r) return r;
                      return ok();
                    }),
                    "bundle");
  write_text(a.out, as_chars(enc));
  std::printf("%s: bundle for %s %s, %zu bytes, sha256 %s\n", a.out.c_str(), rel.channel.c_str(), rel.semver.c_str(),
              enc.size(), trust::sha256_hex(as_chars(enc)).c_str());
}

// --- revoke ------------------------------------------------------------------------------

struct revoke_args {
  std::string channel = "stable", out, expires = "2030-01-01T00:00:00Z", base;
  std::uint64_t version = 1, min_sequence = 0;
  std::vector<std::string> versions, cids;
};

void run_revoke(const revoke_args& a) {
  trust::revocation_list l;
  if (!a.base.empty()) l = unwrap(trust::parse_revocation(read_text(a.base)), a.base).role;
  l.common = {std::string(tuf::default_spec_version), a.version, parse_time(a.expires, "--expires")};
  auto& c = l.channels[a.channel];
  c.min_sequence = std::max(c.min_sequence, a.min_sequence);
  c.versions.insert(a.versions.begin(), a.versions.end());
  c.cids.insert(a.cids.begin(), a.cids.end());
  json doc = {{"signed", trust::to_json(l)}, {"signatures", json::array()}};
  unwrap(trust::parse_revocation(doc.dump()), "revocation list");
  write_json(a.out, doc);
  std::printf("%s: revocation list version %llu (unsigned)\n", a.out.c_str(),
              static_cast<unsigned long long>(a.version));
}


// --- wiring ------------------------------------------------------------------------------

void setup_release(CLI::App& app) {
  auto* g = group(app);

  auto kg_out = std::make_shared<std::string>();
  auto kg_force = std::make_shared<bool>(false);
  auto kg_scheme = std::make_shared<std::string>("ed25519");
  auto* kg = g->add_subcommand("keygen", "generate a release signing key (JSON, mode 0600)");
  kg->add_option("-o,--output", *kg_out, "key file to create")->required();
  kg->add_option("--scheme", *kg_scheme, "ed25519 (default), ecdsa-sha2-nistp256 or rsassa-pss-sha256");
  kg->add_flag("--force", *kg_force, "replace an existing file");
  kg->callback([kg_out, kg_force, kg_scheme] { run_keygen(*kg_out, *kg_force, *kg_scheme); });

  auto* root = g->add_subcommand("root", "create, sign and rotate the root of trust");
  root->require_subcommand(1);
  auto ra = std::make_shared<root_args>();
  auto add_root_opts = [ra](CLI::App* c) {
    c->add_option("--key", ra->keys, "key file of a role key (repeat); every role is t-of-n over these")->required();
    c->add_option("--threshold", ra->threshold, "signatures required per role")->required();
    c->add_option("--expires", ra->expires, "expiry, YYYY-MM-DDTHH:MM:SSZ");
    c->add_option("--targets-group", ra->targets_group, "FROST public key package: targets is that group key, 1-of-1");
    c->add_option("-o,--output", ra->out, "root file to write")->required();
  };
  auto* init = root->add_subcommand("init", "an unsigned version-1 root");
  add_root_opts(init);
  init->callback([ra] { run_root_init(*ra); });
  auto* rotate = root->add_subcommand("rotate", "the next root version with new keys/threshold (unsigned)");
  add_root_opts(rotate);
  rotate->add_option("--root", ra->old_root, "the current root")->required();
  rotate->callback([ra] { run_root_rotate(*ra); });
  auto sa = std::make_shared<std::pair<std::string, std::vector<std::string>>>();
  auto sout = std::make_shared<std::string>();
  auto* rsign = root->add_subcommand("sign", "add signatures to a root");
  rsign->add_option("FILE", sa->first, "root file")->required();
  rsign->add_option("--key", sa->second, "key file (repeat)")->required();
  rsign->add_option("-o,--output", *sout, "write here instead of in place");
  rsign->callback([sa, sout] { run_sign(sa->first, sa->second, *sout); });

  auto spec = std::make_shared<std::array<std::string, 3>>();
  auto* create = g->add_subcommand("create", "an unsigned release (TUF targets) from a spec file");
  create->add_option("--spec", (*spec)[0], "release spec JSON (channel, semver, sequence, expires, artifacts...)")
      ->required();
  create->add_option("--previous", (*spec)[1], "the previous release's signed targets file (hash chain)");
  create->add_option("-o,--output", (*spec)[2], "targets file to write")->required();
  create->callback([spec] { run_create((*spec)[0], (*spec)[1], (*spec)[2]); });

  auto* sign = g->add_subcommand("sign", "add signatures to a metadata file (targets, root, revocation)");
  sign->add_option("FILE", sa->first, "metadata file")->required();
  sign->add_option("--key", sa->second, "key file (repeat)")->required();
  sign->add_option("-o,--output", *sout, "write here instead of in place");
  sign->callback([sa, sout] { run_sign(sa->first, sa->second, *sout); });

  auto ba = std::make_shared<bundle_args>();
  auto* bundle = g->add_subcommand("bundle", "snapshot + timestamp over a signed release, packed as a bundle");
  bundle->add_option("--targets", ba->targets, "signed targets file")->required();
  bundle->add_option("--key", ba->keys, "snapshot/timestamp key file (repeat)")->required();
  bundle->add_option("--root", ba->roots, "new root file to include, oldest first (repeat)");
  bundle->add_option("--revocation", ba->revocation, "signed revocation list to include");
  bundle->add_option("--version", ba->version, "snapshot/timestamp version (default: the release sequence)");
  bundle->add_option("--expires", ba->expires, "snapshot/timestamp expiry");
  bundle->add_option("-o,--output", ba->out, "bundle file")->required();
  bundle->callback([ba] { run_bundle(*ba); });

  auto rv = std::make_shared<revoke_args>();
  auto* revoke = g->add_subcommand("revoke", "an unsigned revocation list (sign with 'release sign')");
  revoke->add_option("--base", rv->base, "extend this existing list");
  revoke->add_option("--list-version", rv->version, "version of the list (must increase)")->required();
  revoke->add_option("--channel", rv->channel, "channel (default stable)");
  revoke->add_option("--min-sequence", rv->min_sequence, "releases below this sequence are revoked");
  revoke->add_option("--revoke-version", rv->versions, "revoked semver (repeat)");
  revoke->add_option("--revoke-cid", rv->cids, "revoked CID (repeat)");
  revoke->add_option("--expires", rv->expires, "expiry");
  revoke->add_option("-o,--output", rv->out, "file to write")->required();
  revoke->callback([rv] { run_revoke(*rv); });
}

CONVERGE_COMMAND_GROUP("release", setup_release);

}  // namespace
}  // namespace converge::cli
