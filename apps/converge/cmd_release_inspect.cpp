// converge release verify | show: a bundle checked against a device's trusted
// state (every failure prints the rule that failed), and a summary of a
// release, bundle or revocation list.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "cmd_release_common.hpp"
#include "trust/bundle.hpp"
#include "trust/release_client.hpp"

namespace converge::cli {
namespace {

using nlohmann::json;
namespace tuf = trust::tuf;
using namespace release_cmd;

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


void setup_release_inspect(CLI::App& app) {
  auto* g = group(app);
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
}

}  // namespace

CONVERGE_COMMAND_GROUP("release", setup_release_inspect);

}  // namespace converge::cli
