#include "updater.hpp"

#include <sodium.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "base/bytes.hpp"
#include "trust/errors.hpp"

namespace converge::tufcli {
namespace tuf = trust::tuf;
namespace {

std::string with_slash(std::string url) {
  if (!url.empty() && url.back() != '/') url.push_back('/');
  return url;
}

void log(std::string_view what) { std::cerr << "converge-tuf-client: " << what << "\n"; }

bool expired(const tuf::common_fields& c, wall_time now) { return c.expires <= tuf::unix_seconds(now); }

std::optional<std::string> read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  if (!in.good() && !in.eof()) return std::nullopt;
  return s.str();
}

}  // namespace

std::string quote(std::string_view s) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

result<updater> updater::open(updater_config cfg, fetcher& net, wall_time now) {
  cfg.metadata_url = with_slash(cfg.metadata_url);
  if (!cfg.target_base_url.empty()) cfg.target_base_url = with_slash(cfg.target_base_url);
  auto root = read_text(std::filesystem::path(cfg.metadata_dir) / "root.json");
  if (!root) return fail(trust::trust_errc::storage, "no root.json in " + cfg.metadata_dir + " (run init first)");
  tuf::client_limits lim;
  lim.max_root_rotations = cfg.max_root_rotations;
  auto c = tuf::tuf_client::create(*root, lim);
  if (!c) return fail(c.error());
  return updater(std::move(cfg), net, now, std::move(*c));
}

std::optional<std::string> updater::load_local(std::string_view role) const {
  return read_text(std::filesystem::path(cfg_.metadata_dir) / (quote(role) + ".json"));
}

result<void> updater::persist(std::string_view role, std::string_view text) const {
  auto path = (std::filesystem::path(cfg_.metadata_dir) / (quote(role) + ".json")).string();
  return write_file_atomic(path, as_bytes(text));
}

result<std::string> updater::download_metadata(std::string_view role, std::uint64_t max_length,
                                               std::optional<std::uint64_t> version, unsigned* status) {
  std::string url = cfg_.metadata_url;
  if (version) url += std::to_string(*version) + ".";
  url += quote(role) + ".json";
  auto r = net_->get(url, max_length);
  if (!r) return fail(r.error());
  if (status != nullptr) *status = r->status;
  if (r->status != 200)
    return fail(trust::trust_errc::storage, "GET " + url + ": HTTP " + std::to_string(r->status));
  return std::move(r->body);
}

result<void> updater::load_root() {
  const std::uint64_t first = client_.root().common.version + 1;
  for (std::uint64_t v = first; v < first + cfg_.max_root_rotations; ++v) {
    unsigned status = 0;
    auto data = download_metadata("root", cfg_.root_max_length, v, &status);
    if (!data) {
      if (status == 403 || status == 404) break;  // the trusted root is the newest
      return fail(data.error());
    }
    if (auto r = client_.update_root(*data); !r) return fail(with_context(r.error(), "root v" + std::to_string(v)));
    if (auto p = persist("root", *data); !p) return fail(p.error());
  }
  return ok();
}

result<void> updater::load_timestamp() {
  if (auto local = load_local("timestamp")) {
    // The local copy is the rollback reference even when expired.
    if (auto r = client_.restore_timestamp(*local); !r) log("local timestamp ignored: " + r.error().message());
  }
  auto data = download_metadata("timestamp", cfg_.timestamp_max_length, std::nullopt);
  if (!data) return fail(data.error());
  auto updated = client_.update_timestamp(*data, now_);
  if (!updated) return fail(with_context(updated.error(), "timestamp"));
  if (*updated) {
    if (auto p = persist("timestamp", *data); !p) return fail(p.error());
  } else if (expired(client_.timestamp()->common, now_)) {
    return fail(trust::trust_errc::expired, "timestamp: the trusted timestamp (the repository's is the same version) expired");
  }
  return ok();
}

result<void> updater::load_snapshot() {
  const auto& want = client_.timestamp()->snapshot;
  if (auto local = load_local("snapshot")) {
    if (auto r = client_.restore_snapshot(*local); !r) {
      log("local snapshot ignored: " + r.error().message());
    } else if (client_.snapshot()->common.version == want.version && !expired(client_.snapshot()->common, now_)) {
      return ok();  // still final: nothing to download
    }
  }
  std::optional<std::uint64_t> version;
  if (client_.root().consistent_snapshot) version = want.version;
  auto data = download_metadata("snapshot", want.length.value_or(cfg_.snapshot_max_length), version);
  if (!data) return fail(data.error());
  if (auto r = client_.update_snapshot(*data, now_); !r) return fail(with_context(r.error(), "snapshot"));
  return persist("snapshot", *data);
}

result<void> updater::load_targets() {
  if (auto local = load_local("targets")) {
    if (auto r = client_.update_targets(*local, now_); r) return ok();
    else log("local targets ignored: " + r.error().message());
  }
  auto it = client_.snapshot()->meta.find("targets.json");
  if (it == client_.snapshot()->meta.end())
    return fail(trust::trust_errc::mismatch, "snapshot does not list targets.json");
  std::optional<std::uint64_t> version;
  if (client_.root().consistent_snapshot) version = it->second.version;
  auto data = download_metadata("targets", it->second.length.value_or(cfg_.targets_max_length), version);
  if (!data) return fail(data.error());
  if (auto r = client_.update_targets(*data, now_); !r) return fail(with_context(r.error(), "targets"));
  return persist("targets", *data);
}

result<void> updater::load_delegated(const std::string& role, const std::string& delegator) {
  if (auto local = load_local(role)) {
    if (auto r = client_.update_delegated_targets(role, delegator, *local, now_); r) return ok();
    else log("local " + role + " ignored: " + r.error().message());
  }
  auto it = client_.snapshot()->meta.find(role + ".json");
  if (it == client_.snapshot()->meta.end())
    return fail(trust::trust_errc::mismatch, "role " + role + " is delegated but not listed in the snapshot");
  std::optional<std::uint64_t> version;
  if (client_.root().consistent_snapshot) version = it->second.version;
  auto data = download_metadata(role, it->second.length.value_or(cfg_.targets_max_length), version);
  if (!data) return fail(data.error());
  if (auto r = client_.update_delegated_targets(role, delegator, *data, now_); !r) return fail(r.error());
  return persist(role, *data);
}

result<void> updater::refresh() {
  refreshed_ = true;
  if (auto r = load_root(); !r) return r;
  if (auto r = load_timestamp(); !r) return r;
  if (auto r = load_snapshot(); !r) return r;
  return load_targets();
}

result<std::optional<tuf::target_file>> updater::get_targetinfo(std::string_view path) {
  if (!refreshed_) {
    if (auto r = refresh(); !r) return fail(r.error());
  }
  // Each round either answers or loads one more delegated role; the walk
  // itself is bounded by the client's max_delegations.
  for (std::size_t round = 0; round <= 4096; ++round) {
    auto found = client_.find_target(path);
    if (!found) return fail(found.error());
    if (!found->need_metadata) return found->target;
    if (auto r = load_delegated(found->role, found->delegator); !r) return fail(r.error());
  }
  return fail(trust::trust_errc::too_large, "delegation walk did not finish");
}

std::string updater::target_file_path(std::string_view path) const {
  return (std::filesystem::path(cfg_.target_dir) / quote(path)).string();
}

bool updater::find_cached_target(std::string_view path, const tuf::target_file& info) const {
  auto data = read_text(target_file_path(path));
  if (!data) return false;
  return tuf::check_length_and_hashes("cached target", as_bytes(*data), info.length, info.hashes).has_value();
}

result<void> updater::download_target(std::string_view path, const tuf::target_file& info) {
  if (cfg_.target_base_url.empty()) return fail(trust::trust_errc::out_of_order, "--target-base-url is needed");
  std::string remote(path);
  if (client_.root().consistent_snapshot && !info.hashes.empty()) {
    auto slash = remote.rfind('/');
    std::string dir = slash == std::string::npos ? "" : remote.substr(0, slash + 1);
    std::string base = slash == std::string::npos ? remote : remote.substr(slash + 1);
    remote = dir + to_hex(info.hashes.begin()->second) + "." + base;
  }
  std::string url = cfg_.target_base_url + remote;
  auto r = net_->get(url, info.length);
  if (!r) return fail(r.error());
  if (r->status != 200) return fail(trust::trust_errc::storage, "GET " + url + ": HTTP " + std::to_string(r->status));
  if (auto h = tuf::check_length_and_hashes("target " + std::string(path), as_bytes(r->body), info.length, info.hashes); !h)
    return fail(h.error());
  return write_file_atomic(target_file_path(path), as_bytes(r->body));
}

}  // namespace converge::tufcli
