#include "publish/workspace.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include <nlohmann/json.hpp>

#include "publish/errors.hpp"
#include "publish/file_util.hpp"
#include "trust/canonical_json.hpp"

namespace converge::publish {

namespace fs = std::filesystem;
namespace tuf = trust::tuf;
using nlohmann::json;

namespace {

bool valid_channel(std::string_view c) {
  if (c.empty() || c.size() > 64) return false;
  for (char ch : c)
    if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_')) return false;
  return true;
}

// A relative path inside a release directory: no absolute part, no "..".
bool safe_relative(const std::string& rel) {
  if (rel.empty() || rel.size() > 512) return false;
  fs::path p(rel);
  if (p.is_absolute()) return false;
  for (const auto& part : p)
    if (part == ".." || part == ".") return false;
  return true;
}

// Verifies root text as the next root after `prev` (or as version 1 when prev is null).
result<tuf::signed_metadata<tuf::root_metadata>> check_root(const std::string& text, const tuf::root_metadata* prev,
                                                            std::size_t index) {
  std::string what = "root #" + std::to_string(index + 1);
  auto r = tuf::parse_root(text);
  if (!r) return fail(publish_errc::bad_request, what + ": " + r.error().message());
  std::uint64_t want = prev ? prev->common.version + 1 : 1;
  if (r->role.common.version != want)
    return fail(publish_errc::bad_request, what + ": version " + std::to_string(r->role.common.version) +
                                                ", expected " + std::to_string(want));
  if (prev) {
    if (auto v = tuf::verify_role(*prev, "root", r->env); !v)
      return fail(publish_errc::bad_request, what + ": not signed by the previous root: " + v.error().message());
  }
  if (auto v = tuf::verify_role(r->role, "root", r->env); !v)
    return fail(publish_errc::bad_request, what + ": not signed by its own root keys: " + v.error().message());
  return r;
}

}  // namespace

std::string sequence_dir_name(std::uint64_t sequence) {
  std::string s = std::to_string(sequence);
  return std::string(20 - s.size(), '0') + s;
}

// --- staging -------------------------------------------------------------------------

result<fs::path> release_staging::copy_in(const fs::path& src, const std::string& rel) {
  if (!safe_relative(rel)) return fail(publish_errc::bad_request, "file name '" + rel + "' is not a safe relative path");
  fs::path dst = dir_ / rel;
  std::error_code ec;
  fs::create_directories(dst.parent_path(), ec);
  if (ec) return fail(publish_errc::io, dst.parent_path().string() + ": " + ec.message());
  if (auto c = copy_file_synced(src, dst); !c) return fail(c.error());
  return dst;
}

result<fs::path> release_staging::write(const std::string& rel, bytes_view data) {
  if (!safe_relative(rel)) return fail(publish_errc::bad_request, "file name '" + rel + "' is not a safe relative path");
  fs::path dst = dir_ / rel;
  std::error_code ec;
  fs::create_directories(dst.parent_path(), ec);
  if (ec) return fail(publish_errc::io, dst.parent_path().string() + ": " + ec.message());
  if (auto w = write_file_atomic(dst.string(), data); !w) return fail(publish_errc::io, w.error().message());
  return dst;
}

// --- workspace -----------------------------------------------------------------------------

workspace::workspace(workspace&& o) noexcept
    : dir_(std::move(o.dir_)), channel_(std::move(o.channel_)), roots_(std::move(o.roots_)),
      root_(std::move(o.root_)), lim_(o.lim_), lock_fd_(std::exchange(o.lock_fd_, -1)) {}

workspace::~workspace() {
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

result<void> workspace::lock() {
  auto path = dir_ / "lock";
  lock_fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd_ < 0) return fail(publish_errc::io, path.string() + ": " + std::strerror(errno));
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0)
    return fail(publish_errc::workspace, dir_.string() + " is in use by another publish (lock held)");
  return ok();
}

result<workspace> workspace::create(const fs::path& dir, const std::string& channel,
                                    const std::vector<std::string>& roots, const workspace_limits& lim) {
  if (!valid_channel(channel))
    return fail(publish_errc::bad_request, "channel '" + channel + "': must be 1-64 characters of [a-z0-9-_]");
  if (roots.empty()) return fail(publish_errc::bad_request, "give the channel's root (version 1 first)");
  if (roots.size() > lim.max_roots) return fail(publish_errc::bad_request, "too many roots");
  std::optional<tuf::root_metadata> prev;
  for (std::size_t i = 0; i < roots.size(); ++i) {
    auto r = check_root(roots[i], prev ? &*prev : nullptr, i);
    if (!r) return fail(r.error());
    prev = std::move(r->role);
  }
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_empty(dir, ec))
    return fail(publish_errc::workspace, dir.string() + " exists and is not empty");
  fs::create_directories(dir / "roots", ec);
  if (!ec) fs::create_directories(dir / "releases", ec);
  if (ec) return fail(publish_errc::io, dir.string() + ": " + ec.message());
  for (std::size_t i = 0; i < roots.size(); ++i) {
    auto p = dir / "roots" / ("root-" + std::to_string(i + 1) + ".json");
    if (auto w = write_file_atomic(p.string(), as_bytes(roots[i])); !w) return fail(publish_errc::io, w.error().message());
  }
  json meta{{"format", workspace_format}, {"channel", channel}};
  if (auto w = write_file_atomic((dir / "workspace.json").string(), as_bytes(meta.dump(2) + "\n")); !w)
    return fail(publish_errc::io, w.error().message());
  return open(dir, lim);
}

result<std::string> parse_workspace_meta(std::string_view text) {
  auto meta = trust::parse_json(text);
  if (!meta || !meta->is_object() || !meta->contains("format") || !(*meta)["format"].is_string() ||
      (*meta)["format"].get<std::string>() != workspace_format || !meta->contains("channel") ||
      !(*meta)["channel"].is_string())
    return fail(publish_errc::workspace, "not a publisher workspace (format " + std::string(workspace_format) + ")");
  auto channel = (*meta)["channel"].get<std::string>();
  if (!valid_channel(channel)) return fail(publish_errc::workspace, "bad channel");
  return channel;
}

result<release_record> parse_release_record(std::string_view text) {
  auto rec = trust::parse_json(text);
  if (!rec || !rec->is_object()) return fail(publish_errc::workspace, "not a JSON object");
  release_record r;
  auto field = [&](const char* k) -> const json* {
    auto it = rec->find(k);
    return it == rec->end() ? nullptr : &*it;
  };
  const json* seq = field("sequence");
  if (!seq || !seq->is_number_unsigned()) return fail(publish_errc::workspace, "sequence: must be an unsigned number");
  r.sequence = seq->get<std::uint64_t>();
  for (auto [k, out] : {std::pair{"semver", &r.semver}, std::pair{"origin", &r.origin}}) {
    const json* v = field(k);
    if (!v || !v->is_string()) return fail(publish_errc::workspace, std::string(k) + ": must be a string");
    *out = v->get<std::string>();
  }
  if (const json* ck = field("content_key")) {
    if (!ck->is_string()) return fail(publish_errc::workspace, "content_key: must be a string");
    r.content_key = ck->get<std::string>();
  }
  const json* files = field("files");
  if (!files || !files->is_object()) return fail(publish_errc::workspace, "files: must be an object");
  for (auto it = files->begin(); it != files->end(); ++it) {
    if (!it.value().is_string()) return fail(publish_errc::workspace, "files." + it.key() + ": must be a string");
    auto rel = it.value().get<std::string>();
    if (!safe_relative(rel)) return fail(publish_errc::workspace, "unsafe file " + rel);
    r.files[it.key()] = std::move(rel);
  }
  return r;
}

result<workspace> workspace::open(const fs::path& dir, const workspace_limits& lim) {
  workspace ws;
  ws.dir_ = fs::absolute(dir);
  ws.lim_ = lim;
  auto meta_text = read_bounded(ws.dir_ / "workspace.json", lim.max_document_bytes);
  if (!meta_text)
    return fail(publish_errc::workspace,
                "no publisher workspace at " + ws.dir_.string() + " (run 'converge release init-channel'): " +
                    meta_text.error().detail);
  auto channel = parse_workspace_meta(*meta_text);
  if (!channel) return fail(publish_errc::workspace, (ws.dir_ / "workspace.json").string() + ": " + channel.error().detail);
  ws.channel_ = std::move(*channel);
  if (auto l = ws.lock(); !l) return fail(l.error());
  std::optional<tuf::root_metadata> prev;
  for (std::size_t v = 1;; ++v) {
    auto p = ws.dir_ / "roots" / ("root-" + std::to_string(v) + ".json");
    std::error_code ec;
    if (!fs::exists(p, ec)) break;
    if (v > lim.max_roots) return fail(publish_errc::workspace, "more than " + std::to_string(lim.max_roots) + " roots");
    auto text = read_bounded(p, lim.max_document_bytes);
    if (!text) return fail(text.error());
    auto r = check_root(*text, prev ? &*prev : nullptr, v - 1);
    if (!r) return fail(publish_errc::workspace, p.string() + ": " + r.error().detail);
    prev = std::move(r->role);
    ws.roots_.push_back(std::move(*text));
  }
  if (!prev) return fail(publish_errc::workspace, (ws.dir_ / "roots/root-1.json").string() + ": missing");
  ws.root_ = std::move(*prev);
  // Staging directories are a publish that did not finish: start over.
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(ws.dir_ / "releases", ec))
    if (e.path().filename().string().starts_with(".staging-")) fs::remove_all(e.path(), ec);
  return ws;
}

result<void> workspace::add_root(const std::string& text) {
  if (std::find(roots_.begin(), roots_.end(), text) != roots_.end()) return ok();
  if (roots_.size() >= lim_.max_roots) return fail(publish_errc::workspace, "too many roots");
  auto r = check_root(text, &root_, roots_.size());
  if (!r) return fail(r.error());
  auto p = dir_ / "roots" / ("root-" + std::to_string(r->role.common.version) + ".json");
  if (auto w = write_file_atomic(p.string(), as_bytes(text)); !w) return fail(publish_errc::io, w.error().message());
  roots_.push_back(text);
  root_ = std::move(r->role);
  return ok();
}

result<stored_release> workspace::load_release(const fs::path& d) const {
  auto where = d.string();
  auto rec_text = read_bounded(d / "record.json", lim_.max_document_bytes);
  if (!rec_text) return fail(rec_text.error());
  auto record = parse_release_record(*rec_text);
  if (!record) return fail(publish_errc::workspace, where + "/record.json: " + record.error().detail);
  stored_release s;
  s.dir = d;
  s.sequence = record->sequence;
  s.semver = std::move(record->semver);
  s.origin = std::move(record->origin);
  s.content_key = std::move(record->content_key);
  for (auto& [cid, rel] : record->files) s.files[cid] = d / rel;
  auto targets = read_bounded(d / "targets.json", lim_.max_document_bytes);
  if (!targets) return fail(targets.error());
  s.targets_text = std::move(*targets);
  auto bundle = read_bounded(d / "bundle.bin", lim_.max_document_bytes);
  if (!bundle) return fail(bundle.error());
  s.bundle = to_bytes(*bundle);
  auto rel = trust::parse_release(s.targets_text);
  if (!rel) return fail(publish_errc::workspace, where + "/targets.json: " + rel.error().message());
  s.rel = std::move(*rel);
  if (s.rel.sequence != s.sequence || s.rel.channel != channel_ || s.rel.semver != s.semver)
    return fail(publish_errc::workspace, where + ": record and targets disagree (sequence, channel or semver)");
  s.targets_hash = trust::sha256_hex(s.targets_text);
  return s;
}

result<std::vector<stored_release>> workspace::releases() const {
  std::vector<fs::path> dirs;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir_ / "releases", ec)) {
    auto name = e.path().filename().string();
    if (name.size() != 20 || name.find_first_not_of("0123456789") != std::string::npos) continue;
    if (dirs.size() >= lim_.max_releases)
      return fail(publish_errc::workspace, "more than " + std::to_string(lim_.max_releases) + " releases");
    dirs.push_back(e.path());
  }
  if (ec) return fail(publish_errc::io, (dir_ / "releases").string() + ": " + ec.message());
  std::sort(dirs.begin(), dirs.end());
  std::vector<stored_release> out;
  for (const auto& d : dirs) {
    auto r = load_release(d);
    if (!r) return fail(r.error());
    out.push_back(std::move(*r));
  }
  return out;
}

result<std::optional<stored_release>> workspace::find(std::uint64_t sequence) const {
  auto d = dir_ / "releases" / sequence_dir_name(sequence);
  std::error_code ec;
  if (!fs::exists(d, ec)) return std::optional<stored_release>{};
  auto r = load_release(d);
  if (!r) return fail(r.error());
  return std::optional<stored_release>(std::move(*r));
}

result<release_staging> workspace::stage(std::uint64_t sequence) {
  auto d = dir_ / "releases" / (".staging-" + sequence_dir_name(sequence));
  std::error_code ec;
  fs::remove_all(d, ec);
  fs::create_directories(d, ec);
  if (ec) return fail(publish_errc::io, d.string() + ": " + ec.message());
  return release_staging(d, sequence);
}

result<stored_release> workspace::commit(release_staging st, const stored_release& rec) {
  auto final_dir = dir_ / "releases" / sequence_dir_name(st.sequence());
  std::error_code ec;
  if (fs::exists(final_dir, ec))
    return fail(publish_errc::conflict, "sequence " + std::to_string(st.sequence()) + " is already in the workspace (" +
                                            final_dir.string() + "); it is never replaced");
  json files = json::object();
  for (const auto& [cid, p] : rec.files) {
    auto rel = p.lexically_relative(st.dir()).string();
    if (!safe_relative(rel)) return fail(publish_errc::bad_request, p.string() + ": not inside the staging directory");
    files[cid] = rel;
  }
  json record{{"sequence", st.sequence()}, {"semver", rec.semver}, {"origin", rec.origin},
              {"content_key", rec.content_key}, {"files", files}};
  if (auto w = st.write("targets.json", as_bytes(rec.targets_text)); !w) return fail(w.error());
  if (auto w = st.write("bundle.bin", rec.bundle); !w) return fail(w.error());
  if (auto w = st.write("record.json", as_bytes(record.dump(2) + "\n")); !w) return fail(w.error());
  if (auto s = sync_tree(st.dir()); !s) return fail(s.error());
  if (::rename(st.dir().c_str(), final_dir.c_str()) != 0)
    return fail(publish_errc::io, final_dir.string() + ": rename: " + std::strerror(errno));
  if (auto s = sync_dir(dir_ / "releases"); !s) return fail(s.error());
  return load_release(final_dir);
}

result<fs::path> workspace::record_conflict(std::uint64_t sequence, const std::string& targets_text) {
  auto d = dir_ / "conflicts";
  std::error_code ec;
  fs::create_directories(d, ec);
  if (ec) return fail(publish_errc::io, d.string() + ": " + ec.message());
  auto p = d / (std::to_string(sequence) + "-" + trust::sha256_hex(targets_text) + ".json");
  if (auto w = write_file_atomic(p.string(), as_bytes(targets_text)); !w) return fail(publish_errc::io, w.error().message());
  return p;
}

}  // namespace converge::publish
