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
// Every verification failure prints the rule that failed (the trust error's message).
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
#include "command_registry.hpp"
#include "trust/bundle.hpp"
#include "trust/frost.hpp"
#include "trust/frost_messages.hpp"
#include "trust/release_client.hpp"
#include "trust/tuf_builder.hpp"

namespace converge::cli {
namespace {

using nlohmann::json;
namespace tuf = trust::tuf;

std::string read_text(const std::string& path) {
  return std::string(as_chars(unwrap(read_file(path), "reading " + path)));
}

json read_json(const std::string& path) {
  return unwrap(trust::parse_json(read_text(path)), path);
}

void write_text(const std::string& path, std::string_view text, unsigned mode = 0644) {
  unwrap(write_file_atomic(path, as_bytes(text), mode), "writing " + path);
}

void write_json(const std::string& path, const json& j, unsigned mode = 0644) { write_text(path, j.dump(2) + "\n", mode); }

std::int64_t parse_time(const std::string& s, std::string_view what) {
  auto t = tuf::parse_expires(s);
  if (!t) throw cli_error(std::string(what) + ": " + t.error().detail);
  return *t;
}

// --- key files ---------------------------------------------------------------

struct key_file {
  std::array<std::uint8_t, 32> seed{};
};

std::unique_ptr<tuf::ed25519_signer> load_signer(const std::string& path) {
  json j = read_json(path);
  if (!j.is_object() || j.value("type", "") != "converge-release-key" || !j.contains("seed") || !j["seed"].is_string())
    throw cli_error(path + ": not a converge release key file");
  auto seed = from_hex(j["seed"].get<std::string>());
  if (!seed || seed->size() != 32) throw cli_error(path + ": seed must be 32 bytes of hex");
  std::array<std::uint8_t, 32> s{};
  std::copy(seed->begin(), seed->end(), s.begin());
  auto signer = std::make_unique<tuf::ed25519_signer>(s);
  sodium_memzero(s.data(), s.size());
  return signer;
}

void run_keygen(const std::string& out, bool force) {
  std::error_code ec;
  if (!force && std::filesystem::symlink_status(out, ec).type() != std::filesystem::file_type::not_found)
    throw cli_error(out + " already exists (use --force to replace it)");
  std::array<std::uint8_t, 32> seed{};
  system_rng r;
  r.fill(seed);
  tuf::ed25519_signer signer(seed);
  json j = {{"type", "converge-release-key"}, {"keytype", "ed25519"}, {"seed", to_hex(seed)},
            {"public", signer.key().object["keyval"]["public"]}, {"keyid", signer.key().keyid}};
  sodium_memzero(seed.data(), seed.size());
  write_json(out, j, 0600);
  std::printf("%s: ed25519 key %s\n", out.c_str(), signer.key().keyid.c_str());
}

// --- metadata envelopes ----------------------------------------------------------

tuf::envelope load_envelope(const std::string& path) {
  return unwrap(tuf::parse_envelope(read_json(path), path), path);
}

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
  std::vector<std::unique_ptr<tuf::ed25519_signer>> signers;
  for (const auto& k : a.keys) signers.push_back(load_signer(k));
  std::uint64_t v = a.version ? a.version : parsed.role.common.version;
  std::int64_t expires = parse_time(a.expires, "--expires");
  auto sign_all = [&](const json& signed_part) {
    tuf::envelope e{signed_part, {}};
    for (const auto& s : signers) unwrap(tuf::sign_envelope(e, *s), "signing");
    return tuf::to_json(e).dump(2);
  };
  tuf::snapshot_metadata snap;
  snap.common = {std::string(tuf::default_spec_version), v, expires};
  snap.meta["targets.json"] = tuf::describe_meta(parsed.role.common.version, as_bytes(targets));
  std::string snap_text = sign_all(tuf::to_json(snap));
  tuf::timestamp_metadata ts;
  ts.common = {std::string(tuf::default_spec_version), v, expires};
  ts.snapshot = tuf::describe_meta(v, as_bytes(snap_text));
  trust::release_bundle b;
  b.channel = rel.channel;
  for (const auto& r : a.roots) b.roots.push_back(read_text(r));
  b.timestamp = sign_all(tuf::to_json(ts));
  b.snapshot = snap_text;
  b.targets = targets;
  if (!a.revocation.empty()) b.revocation = read_text(a.revocation);
  auto enc = unwrap(trust::encode_bundle(b), "bundle");
  write_text(a.out, as_chars(enc));
  std::printf("%s: bundle for %s %s, %zu bytes, sha256 %s\n", a.out.c_str(), rel.channel.c_str(), rel.semver.c_str(),
              enc.size(), trust::sha256_hex(as_chars(enc)).c_str());
}

// --- verify ------------------------------------------------------------------------------

struct verify_args {
  std::string root, bundle, state_dir, now, revocation;
  trust::device_profile device{"stable", "android", "arm64", "99"};
  unsigned slack = 600;
};

void run_verify(const verify_args& a) {
  std::filesystem::create_directories(a.state_dir);
  trust::directory_fs fs(a.state_dir);
  trust::release_client_options o;
  o.clock_slack = std::chrono::seconds(a.slack);
  auto client = unwrap(trust::release_client::open(read_text(a.root), fs, a.device, o), "trusted state");
  wall_time now = a.now.empty() ? std::chrono::system_clock::now()
                                : wall_time{std::chrono::seconds{parse_time(a.now, "--now")}};
  if (!a.revocation.empty()) unwrap(client.update_revocation(read_text(a.revocation), now), "verification failed");
  if (a.bundle.empty()) {
    std::printf("OK revocation list trusted\n");
    return;
  }
  auto data = unwrap(read_file(a.bundle), "reading " + a.bundle);
  auto out = client.verify_bundle(data, now);
  if (!out) {
    for (const auto& e : client.take_equivocations())
      std::fprintf(stderr, "equivocation: channel %s sequence %llu: trusted %s, conflicting %s\n", e.channel.c_str(),
                   static_cast<unsigned long long>(e.sequence), e.trusted_hash.c_str(), e.conflicting_hash.c_str());
    throw cli_error("verification failed: " + out.error().message());
  }
  std::printf("OK %s %s sequence %llu%s\n", out->rel.channel.c_str(), out->rel.semver.c_str(),
              static_cast<unsigned long long>(out->rel.sequence), out->new_release ? " (new)" : " (already trusted)");
  for (const auto& art : out->for_device)
    std::printf("  %s %s/%s %s %llu bytes cid %s sha256 %s\n", art.path.c_str(), art.platform.os.c_str(),
                art.platform.arch.c_str(), std::string(trust::to_string(art.kind)).c_str(),
                static_cast<unsigned long long>(art.length), art.cid.c_str(), to_hex(art.sha256).c_str());
}

// --- show --------------------------------------------------------------------------------

void show_release(const trust::release& r) {
  std::printf("release %s channel %s sequence %llu expires %s\n", r.semver.c_str(), r.channel.c_str(),
              static_cast<unsigned long long>(r.sequence), tuf::format_expires(r.expires).c_str());
  std::printf("previous %s\n", r.previous.empty() ? "(none)" : r.previous.c_str());
  for (const auto& s : r.rollout) std::printf("rollout %s %u%%\n", tuf::format_expires(s.start).c_str(), s.percent);
  for (const auto& a : r.artifacts)
    std::printf("artifact %s %s/%s min_os %s %s %llu bytes cid %s deltas %zu\n", a.path.c_str(), a.platform.os.c_str(),
                a.platform.arch.c_str(), a.platform.min_os.c_str(), std::string(trust::to_string(a.kind)).c_str(),
                static_cast<unsigned long long>(a.length), a.cid.c_str(), a.deltas.size());
}

void run_show(const std::string& path) {
  std::string text = read_text(path);
  if (auto b = trust::parse_bundle(as_bytes(text))) {
    std::printf("bundle channel %s, %zu new root(s)%s\n", b->channel.c_str(), b->roots.size(),
                b->revocation ? ", with revocation list" : "");
    show_release(unwrap(trust::parse_release(b->targets), "bundle targets"));
    return;
  }
  if (auto rv = trust::parse_revocation(text)) {
    std::printf("revocation list version %llu expires %s\n", static_cast<unsigned long long>(rv->role.common.version),
                tuf::format_expires(rv->role.common.expires).c_str());
    for (const auto& [name, c] : rv->role.channels)
      std::printf("channel %s min_sequence %llu versions %zu cids %zu\n", name.c_str(),
                  static_cast<unsigned long long>(c.min_sequence), c.versions.size(), c.cids.size());
    return;
  }
  show_release(unwrap(trust::parse_release(text), path));
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

// --- frost -------------------------------------------------------------------------------

void run_frost_dealer(unsigned t, unsigned n, const std::string& dir) {
  namespace frost = trust::frost;
  system_rng r;
  auto dealt = unwrap(frost::trusted_dealer_keygen(static_cast<std::uint16_t>(t), static_cast<std::uint16_t>(n), r),
                      "dealer");
  std::filesystem::create_directories(dir);
  for (const auto& s : dealt.shares) {
    auto kp = unwrap(frost::key_package_from_share(s), "share");
    write_text(dir + "/key-package-" + std::to_string(s.id) + ".json", frost::encode_key_package(kp), 0600);
  }
  write_text(dir + "/public-key-package.json", frost::encode_public_key_package(dealt.public_package));
  std::printf("%s: %u-of-%u FROST group, group key %s\n", dir.c_str(), t, n,
              to_hex(dealt.public_package.group_public_key.bytes).c_str());
}

// All participants' DKG rounds in one process (a rehearsal; real participants
// run dkg_part1..3 on their own machines and exchange the round messages).
void run_frost_dkg(unsigned t, unsigned n, const std::string& dir) {
  namespace frost = trust::frost;
  system_rng r;
  std::vector<frost::dkg_part1_output> p1;
  for (unsigned id = 1; id <= n; ++id)
    p1.push_back(unwrap(frost::dkg_part1(static_cast<frost::identifier>(id), static_cast<std::uint16_t>(t),
                                         static_cast<std::uint16_t>(n), r),
                        "dkg round 1"));
  std::vector<frost::dkg_part2_output> p2;
  for (const auto& me : p1) {
    std::vector<frost::dkg_round1_package> others;
    for (const auto& o : p1)
      if (o.package.sender != me.package.sender) others.push_back(o.package);
    p2.push_back(unwrap(frost::dkg_part2(me.secret, others), "dkg round 2"));
  }
  std::filesystem::create_directories(dir);
  std::optional<frost::public_key_package> pub;
  for (const auto& me : p2) {
    std::vector<frost::dkg_round2_package> mine;
    for (const auto& o : p2)
      for (const auto& pkg : o.packages)
        if (pkg.receiver == me.secret.id) mine.push_back(pkg);
    auto out = unwrap(frost::dkg_part3(me.secret, mine), "dkg round 3");
    write_text(dir + "/key-package-" + std::to_string(out.key.id) + ".json", frost::encode_key_package(out.key), 0600);
    pub = out.public_package;
  }
  write_text(dir + "/public-key-package.json", frost::encode_public_key_package(*pub));
  std::printf("%s: %u-of-%u FROST group by DKG, group key %s\n", dir.c_str(), t, n,
              to_hex(pub->group_public_key.bytes).c_str());
}

void run_frost_sign(const std::string& file, const std::string& group_path, const std::vector<std::string>& shares,
                    const std::string& out) {
  namespace frost = trust::frost;
  auto pub = unwrap(frost::decode_as<frost::public_key_package>(read_text(group_path)), group_path);
  auto env = load_envelope(file);
  std::string msg = unwrap(tuf::signing_bytes(env.signed_part), "canonical form");
  std::vector<frost::key_package> keys;
  for (const auto& s : shares) keys.push_back(unwrap(frost::decode_as<frost::key_package>(read_text(s)), s));
  std::sort(keys.begin(), keys.end(), [](const auto& x, const auto& y) { return x.id < y.id; });
  system_rng r;
  std::vector<frost::signing_nonces> nonces;
  std::vector<frost::signing_commitment> list;
  for (const auto& k : keys) {
    auto c = frost::commit(k.id, k.secret_share, r);
    nonces.push_back(c.nonces);
    list.push_back(c.commitment);
  }
  std::vector<frost::signature_share> sig_shares;
  for (std::size_t i = 0; i < keys.size(); ++i)
    sig_shares.push_back(unwrap(frost::sign(keys[i], nonces[i], as_bytes(msg), list), "FROST round two"));
  auto sig = unwrap(frost::aggregate(pub, as_bytes(msg), list, sig_shares), "FROST aggregate");
  auto group = tuf::ed25519_public_key(pub.group_public_key.bytes);
  tuf::add_signature(env, group.keyid, bytes(sig.begin(), sig.end()));
  write_json(out.empty() ? file : out, tuf::to_json(env));
  std::printf("%s: FROST signature by %zu participants under group key %s\n", (out.empty() ? file : out).c_str(),
              keys.size(), group.keyid.c_str());
}

// --- wiring ------------------------------------------------------------------------------

void setup_release(CLI::App& app) {
  auto* g = app.add_subcommand("release", "publish and verify signed releases (TUF, FROST)");
  g->require_subcommand(1);

  auto kg_out = std::make_shared<std::string>();
  auto kg_force = std::make_shared<bool>(false);
  auto* kg = g->add_subcommand("keygen", "generate an Ed25519 release signing key (JSON, mode 0600)");
  kg->add_option("-o,--output", *kg_out, "key file to create")->required();
  kg->add_flag("--force", *kg_force, "replace an existing file");
  kg->callback([kg_out, kg_force] { run_keygen(*kg_out, *kg_force); });

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

  auto va = std::make_shared<verify_args>();
  auto* verify = g->add_subcommand("verify", "verify a bundle against a device's trusted state");
  verify->add_option("--root", va->root, "root shipped with the app (used when the state is empty)")->required();
  verify->add_option("--bundle", va->bundle, "bundle file");
  verify->add_option("--revocation", va->revocation, "a signed revocation list to apply first");
  verify->add_option("--state", va->state_dir, "trusted-state directory")->required();
  verify->add_option("--channel", va->device.channel, "device channel (default stable)");
  verify->add_option("--os", va->device.os, "device OS (default android)");
  verify->add_option("--arch", va->device.arch, "device architecture (default arm64)");
  verify->add_option("--os-version", va->device.os_version, "device OS version (default 99)");
  verify->add_option("--now", va->now, "trusted time, YYYY-MM-DDTHH:MM:SSZ (default: the system clock)");
  verify->add_option("--slack", va->slack, "clock slack in seconds (default 600)");
  verify->callback([va] { run_verify(*va); });

  auto show_path = std::make_shared<std::string>();
  auto* show = g->add_subcommand("show", "summarise a release, bundle or revocation list");
  show->add_option("FILE", *show_path, "file")->required();
  show->callback([show_path] { run_show(*show_path); });

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

  auto* frost = g->add_subcommand("frost", "FROST(Ed25519) threshold keys and signatures");
  frost->require_subcommand(1);
  auto fa = std::make_shared<std::tuple<unsigned, unsigned, std::string>>(2, 3, "");
  auto* dealer = frost->add_subcommand("dealer", "trusted-dealer key generation into a directory");
  auto* dkg = frost->add_subcommand("dkg", "Pedersen DKG, all participants in this process (rehearsal)");
  for (auto* c : {dealer, dkg}) {
    c->add_option("--min", std::get<0>(*fa), "threshold t")->required();
    c->add_option("--max", std::get<1>(*fa), "participants n")->required();
    c->add_option("--out-dir", std::get<2>(*fa), "directory for key-package-<id>.json and public-key-package.json")
        ->required();
  }
  dealer->callback([fa] { run_frost_dealer(std::get<0>(*fa), std::get<1>(*fa), std::get<2>(*fa)); });
  dkg->callback([fa] { run_frost_dkg(std::get<0>(*fa), std::get<1>(*fa), std::get<2>(*fa)); });
  auto fs = std::make_shared<std::tuple<std::string, std::string, std::vector<std::string>, std::string>>();
  auto* fsign = frost->add_subcommand("sign", "threshold-sign a metadata file with t key packages");
  fsign->add_option("FILE", std::get<0>(*fs), "metadata file")->required();
  fsign->add_option("--group", std::get<1>(*fs), "public key package")->required();
  fsign->add_option("--share", std::get<2>(*fs), "key package of a signer (repeat)")->required();
  fsign->add_option("-o,--output", std::get<3>(*fs), "write here instead of in place");
  fsign->callback([fs] { run_frost_sign(std::get<0>(*fs), std::get<1>(*fs), std::get<2>(*fs), std::get<3>(*fs)); });
}

CONVERGE_COMMAND_GROUP("release", setup_release);

}  // namespace
}  // namespace converge::cli
