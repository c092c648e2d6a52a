// converge release init-channel | publish: the publisher's whole flow
// (src/publish) against the running daemon of --repo.
//
//   init-channel --workspace DIR --channel C --root ROOT [--root ROOT2 ...]
//       makes DIR a publisher workspace for channel C with its root chain
//       (version 1 first). Two publishers of one channel each keep their own
//       workspace under the same roots.
//   publish --workspace DIR --semver V --artifact OS/ARCH[/MIN_OS]=FILE ...
//           --key K.json ... [--frost-group G --frost-share S ...]
//       imports the artifacts, makes deltas against the releases the channel
//       still serves, signs (t-of-n key files and/or a FROST group), bundles,
//       gossips, updates IPNS and the DHT fallback key, provides, and with
//       --car exports a CAR. Prints a summary (or --json the report); exits
//       non-zero when nothing was published or a conflict was found.
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "base/rng.hpp"
#include "cmd_release_common.hpp"
#include "node/repo.hpp"
#include "node/rpc.hpp"
#include "publish/publisher.hpp"
#include "publish/workspace.hpp"

namespace converge::cli {
namespace {

using nlohmann::json;
using namespace release_cmd;

struct init_args {
  std::string dir, channel;
  std::vector<std::string> roots;
};

void run_init_channel(const init_args& a) {
  std::vector<std::string> texts;
  for (const auto& r : a.roots) texts.push_back(read_text(r));
  auto ws = unwrap(publish::workspace::create(a.dir, a.channel, texts), "init-channel");
  std::printf("%s: workspace for channel %s, root version %zu\n", ws.dir().c_str(), ws.channel().c_str(),
              ws.roots().size());
}

struct publish_args {
  std::string dir, semver, car, revocation, metadata;
  std::vector<std::string> artifacts, keys, shares, rollout;
  std::string frost_group;
  std::string expires = "30d", timestamp_expires = "7d";
  std::string topic{publish::default_topic};
  unsigned bases = 2;
  double max_ratio = 0.9;
  bool no_announce = false, no_network_read = false, as_json = false;
};

// "30d", "12h", "90m" (from now, at most 100 years) or an absolute "YYYY-MM-DDTHH:MM:SSZ".
std::int64_t expiry_from(const std::string& s, std::string_view what, std::int64_t now) {
  constexpr std::int64_t max_ahead = 100LL * 366 * 86400;
  if (s.size() >= 2 && s.find_first_not_of("0123456789", 0) == s.size() - 1) {
    const char u = s.back();
    const std::int64_t unit = u == 'd' ? 86400 : u == 'h' ? 3600 : u == 'm' ? 60 : 0;
    if (unit != 0) {
      std::int64_t n = 0;
      auto [end, ec] = std::from_chars(s.data(), s.data() + s.size() - 1, n);
      if (ec != std::errc() || n > max_ahead / unit)
        throw cli_error(std::string(what) + " '" + s + "': at most 100 years ahead");
      return now + n * unit;
    }
  }
  return parse_time(s, what);
}

// OS/ARCH[/MIN_OS]=FILE
publish::artifact_request parse_artifact(const std::string& s) {
  auto eq = s.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == s.size())
    throw cli_error("--artifact '" + s + "': expected OS/ARCH[/MIN_OS]=FILE");
  std::string plat = s.substr(0, eq);
  std::vector<std::string> parts;
  for (std::size_t start = 0;;) {
    auto slash = plat.find('/', start);
    parts.push_back(plat.substr(start, slash - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  if (parts.size() < 2 || parts.size() > 3 || parts[0].empty() || parts[1].empty())
    throw cli_error("--artifact '" + s + "': the platform must be OS/ARCH or OS/ARCH/MIN_OS");
  publish::artifact_request a;
  a.platform = {parts[0], parts[1], parts.size() == 3 ? parts[2] : "0"};
  a.file = std::filesystem::absolute(s.substr(eq + 1));
  return a;
}

// START=PERCENT, START as for expiry_from (relative to now, "0m" = now).
trust::rollout_step parse_rollout(const std::string& s, std::int64_t now) {
  auto eq = s.find('=');
  if (eq == std::string::npos) throw cli_error("--rollout '" + s + "': expected START=PERCENT (e.g. 0m=10, 2d=100)");
  trust::rollout_step st;
  st.start = expiry_from(s.substr(0, eq), "--rollout", now);
  try {
    st.percent = static_cast<std::uint32_t>(std::stoul(s.substr(eq + 1)));
  } catch (const std::exception&) {
    throw cli_error("--rollout '" + s + "': PERCENT must be a number");
  }
  return st;
}

void print_report(const publish::publish_report& r) {
  std::printf("published %s %s sequence %llu%s\n", r.channel.c_str(), r.semver.c_str(),
              static_cast<unsigned long long>(r.sequence), r.resumed ? " (already built: announced again)" : "");
  std::printf("  release sha256 %s\n  bundle %s (%llu bytes)\n", r.release_hash.c_str(), r.bundle_cid.c_str(),
              static_cast<unsigned long long>(r.bundle_size));
  for (const auto& a : r.artifacts) {
    std::printf("  artifact %s %llu bytes cid %s\n", a.path.c_str(), static_cast<unsigned long long>(a.size),
                a.cid.c_str());
    for (const auto& d : a.deltas)
      std::printf("    delta from %s (%s) %llu bytes cid %s\n", d.base_version.c_str(), d.method.c_str(),
                  static_cast<unsigned long long>(d.size), d.cid.c_str());
    for (const auto& s : a.skipped) std::printf("    no delta: %s\n", s.c_str());
  }
  for (const auto& s : r.steps) std::printf("  %-14s %s %s\n", s.step.c_str(), s.ok ? "ok    " : "FAILED", s.detail.c_str());
  if (r.conflict) std::printf("CONFLICT: %s\n", r.conflict->c_str());
}

void run_publish(const publish_args& a) {
  const auto now_tp = std::chrono::system_clock::now();
  const std::int64_t now = std::chrono::system_clock::to_time_t(now_tp);
  publish::publish_request req;
  req.semver = a.semver;
  for (const auto& s : a.artifacts) req.artifacts.push_back(parse_artifact(s));
  for (const auto& s : a.rollout) req.rollout.push_back(parse_rollout(s, now));
  if (!a.metadata.empty()) {
    req.metadata = read_json(a.metadata);
    if (!req.metadata.is_object()) throw cli_error(a.metadata + ": metadata must be a JSON object");
  }
  req.targets_expires = expiry_from(a.expires, "--expires", now);
  req.timestamp_expires = expiry_from(a.timestamp_expires, "--timestamp-expires", now);
  req.deltas.bases = a.bases;
  req.deltas.max_ratio = a.max_ratio;
  if (!a.revocation.empty()) req.revocation = read_text(a.revocation);
  req.topic = a.topic;
  if (!a.car.empty()) req.car_out = std::filesystem::absolute(a.car);
  req.announce = !a.no_announce;
  req.read_network = !a.no_network_read;

  publish::signing_keys keys;
  for (const auto& k : a.keys) keys.signers.push_back(load_signer(k));
  if (!a.frost_group.empty()) keys.frost = unwrap(publish::load_frost_group(a.frost_group, a.shares), "FROST group");
  else if (!a.shares.empty()) throw cli_error("--frost-share needs --frost-group");
  if (keys.signers.empty() && !keys.frost) throw cli_error("publish: give signing keys (--key, or --frost-group)");

  auto ws = unwrap(publish::workspace::open(a.dir), "workspace");
  const auto repo = node::repo_path_from(repo_flag());
  // Imports of large artifacts and the DHT steps can take long on a slow network.
  node::rpc_client_options o;
  o.timeout = std::chrono::minutes(10);
  publish::rpc_fn rpc = [&](std::string_view cmd, const json& args) { return node::rpc_request(repo, cmd, args, o); };
  system_rng r;
  auto report = unwrap(publish::publish(ws, req, keys, rpc, r, now_tp), "publish");
  if (a.as_json) std::printf("%s\n", report.to_json().dump(2).c_str());
  else print_report(report);
  if (report.conflict) throw cli_error("conflict: " + *report.conflict);
}

void setup_release_publish(CLI::App& app) {
  auto* g = group(app);

  auto ia = std::make_shared<init_args>();
  auto* init = g->add_subcommand("init-channel", "make a publisher workspace for a channel and its roots");
  init->add_option("--workspace", ia->dir, "directory (absent or empty)")->required();
  init->add_option("--channel", ia->channel, "channel name")->required();
  init->add_option("--root", ia->roots, "signed root, version 1 first (repeat)")->required();
  init->callback([ia] { run_init_channel(*ia); });

  auto pa = std::make_shared<publish_args>();
  auto* pub = g->add_subcommand("publish", "import, delta, sign, bundle and announce a release through the daemon");
  pub->add_option("--workspace", pa->dir, "the channel's workspace (init-channel)")->required();
  pub->add_option("--semver", pa->semver, "version, e.g. 1.4.0")->required();
  pub->add_option("--artifact", pa->artifacts, "OS/ARCH[/MIN_OS]=FILE (repeat, one per platform)")->required();
  pub->add_option("--key", pa->keys, "Ed25519 release key file (repeat)");
  pub->add_option("--frost-group", pa->frost_group, "FROST public key package");
  pub->add_option("--frost-share", pa->shares, "FROST key package of a signer (repeat, t of them)");
  pub->add_option("--expires", pa->expires, "release expiry: 30d, 12h, 90m or YYYY-MM-DDTHH:MM:SSZ (default 30d)");
  pub->add_option("--timestamp-expires", pa->timestamp_expires, "snapshot/timestamp expiry (default 7d)");
  pub->add_option("--rollout", pa->rollout, "START=PERCENT step, START relative (2d) or absolute (repeat)");
  pub->add_option("--metadata", pa->metadata, "JSON object file carried in the release");
  pub->add_option("--revocation", pa->revocation, "signed revocation list to carry in the bundle");
  pub->add_option("--delta-bases", pa->bases, "previous releases to make deltas against (default 2, 0: none)");
  pub->add_option("--delta-max-ratio", pa->max_ratio, "keep a delta only at most this times the compressed package (0.9)");
  pub->add_option("--topic", pa->topic, "gossip topic");
  pub->add_option("--car", pa->car, "also export the release as one CAR file");
  pub->add_flag("--no-announce", pa->no_announce, "import and sign only: no gossip, IPNS, DHT value or providers");
  pub->add_flag("--no-network-read", pa->no_network_read, "do not read the channel's DHT value first");
  pub->add_flag("--json", pa->as_json, "print the report as JSON");
  pub->callback([pa] { run_publish(*pa); });
}

}  // namespace

CONVERGE_COMMAND_GROUP("release", setup_release_publish);

}  // namespace converge::cli
