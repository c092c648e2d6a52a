#include "agent/linux_dir_installer.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <optional>

#include <nlohmann/json.hpp>

#include "agent/installer_support.hpp"

namespace converge::agent {
namespace {

using json = nlohmann::json;
constexpr std::size_t max_state_bytes = 1 << 20;

struct slot_info {
  std::string release, semver;
  std::uint64_t sequence = 0;
};

struct pending_info {
  std::string release, semver, slot, from, step, reason;
  std::uint64_t sequence = 0;
  bool mark_bad = true;
};

struct bad_info {
  std::string release, reason;
  bool rolled_back = false;
};

std::string other(const std::string& slot) { return slot == "a" ? "b" : "a"; }

bool valid_release_hash(std::string_view h) {
  if (h.empty() || h.size() > 200) return false;
  for (char c : h)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == ':' || c == '+' || c == '-')) return false;
  return true;
}

std::unexpected<error> io_fail(const std::string& what, int e) {
  return fail(installer_errc::io, what + ": " + std::strerror(e));
}

install_report report(install_report::state_t s, std::string msg, bool permanent = false, bool rolled_back = false) {
  install_report r;
  r.state = s;
  r.permanent = permanent;
  r.rolled_back = rolled_back;
  r.message = std::move(msg);
  return r;
}

}  // namespace

struct linux_dir_installer::state {
  slot_info a, b;
  std::string previous;   // the slot active before the current one ("" when none)
  std::optional<pending_info> pending;
  std::optional<std::pair<std::string, std::string>> interrupted;   // release, what happened
  std::vector<bad_info> bad;

  slot_info& slot(const std::string& s) { return s == "a" ? a : b; }
  const bad_info* find_bad(const std::string& release) const {
    for (const auto& x : bad)
      if (x.release == release) return &x;
    return nullptr;
  }

  json to_json() const {
    auto slot_json = [](const slot_info& s) {
      return s.release.empty() ? json(nullptr) : json{{"release", s.release}, {"semver", s.semver}, {"sequence", s.sequence}};
    };
    json j{{"version", 1}, {"slots", {{"a", slot_json(a)}, {"b", slot_json(b)}}}, {"previous", previous}};
    j["pending"] = pending ? json{{"release", pending->release}, {"semver", pending->semver}, {"sequence", pending->sequence},
                                  {"slot", pending->slot}, {"from", pending->from}, {"step", pending->step},
                                  {"reason", pending->reason}, {"mark_bad", pending->mark_bad}}
                           : json(nullptr);
    j["interrupted"] = interrupted ? json{{"release", interrupted->first}, {"message", interrupted->second}} : json(nullptr);
    json bad_list = json::array();
    for (const auto& x : bad) bad_list.push_back({{"release", x.release}, {"reason", x.reason}, {"rolled_back", x.rolled_back}});
    j["bad"] = std::move(bad_list);
    return j;
  }

  // Throws nlohmann exceptions on a wrong shape; the caller turns them into state_corrupt.
  static state from_json(const json& j) {
    if (j.at("version").get<int>() != 1) throw std::runtime_error("unknown version");
    state s;
    auto slot_from = [](const json& v) {
      slot_info i;
      if (v.is_null()) return i;
      i.release = v.at("release").get<std::string>();
      i.semver = v.at("semver").get<std::string>();
      i.sequence = v.at("sequence").get<std::uint64_t>();
      return i;
    };
    s.a = slot_from(j.at("slots").at("a"));
    s.b = slot_from(j.at("slots").at("b"));
    s.previous = j.at("previous").get<std::string>();
    if (const auto& p = j.at("pending"); !p.is_null()) {
      pending_info i;
      i.release = p.at("release").get<std::string>();
      i.semver = p.at("semver").get<std::string>();
      i.sequence = p.at("sequence").get<std::uint64_t>();
      i.slot = p.at("slot").get<std::string>();
      i.from = p.at("from").get<std::string>();
      i.step = p.at("step").get<std::string>();
      i.reason = p.at("reason").get<std::string>();
      i.mark_bad = p.at("mark_bad").get<bool>();
      if (i.slot != "a" && i.slot != "b") throw std::runtime_error("pending.slot is not a or b");
      if (i.from != "" && i.from != "a" && i.from != "b") throw std::runtime_error("pending.from is not a, b or empty");
      if (i.step != "preparing" && i.step != "prepared" && i.step != "rolling_back") throw std::runtime_error("unknown pending.step");
      s.pending = std::move(i);
    }
    if (const auto& x = j.at("interrupted"); !x.is_null())
      s.interrupted = std::pair{x.at("release").get<std::string>(), x.at("message").get<std::string>()};
    for (const auto& x : j.at("bad"))
      s.bad.push_back({x.at("release").get<std::string>(), x.at("reason").get<std::string>(), x.at("rolled_back").get<bool>()});
    if (s.previous != "" && s.previous != "a" && s.previous != "b") throw std::runtime_error("previous is not a, b or empty");
    return s;
  }
};

std::string_view to_string(install_step s) {
  switch (s) {
    case install_step::intent_recorded: return "intent_recorded";
    case install_step::slot_cleared: return "slot_cleared";
    case install_step::package_written: return "package_written";
    case install_step::prepared_recorded: return "prepared_recorded";
    case install_step::switched: return "switched";
    case install_step::health_checked: return "health_checked";
    case install_step::rollback_recorded: return "rollback_recorded";
    case install_step::switched_back: return "switched_back";
  }
  return "?";
}

linux_dir_installer::linux_dir_installer(linux_dir_options opts, int lock_fd)
    : opts_(std::move(opts)), lock_fd_(lock_fd), st_(std::make_unique<state>()) {}

linux_dir_installer::~linux_dir_installer() {
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

result<std::unique_ptr<linux_dir_installer>> linux_dir_installer::open(linux_dir_options opts) {
  if (!opts.dir.is_absolute()) return fail(installer_errc::bad_config, "installer dir must be absolute: " + opts.dir.string());
  std::error_code ec;
  std::filesystem::create_directories(opts.dir / "slots" / "a", ec);
  if (!ec) std::filesystem::create_directories(opts.dir / "slots" / "b", ec);
  if (ec) return fail(installer_errc::io, opts.dir.string() + ": " + ec.message());
  auto lock_path = opts.dir / "lock";
  int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return io_fail(lock_path.string(), errno);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return fail(installer_errc::io, opts.dir.string() + ": in use by another installer (lock held)");
  }
  std::unique_ptr<linux_dir_installer> self(new linux_dir_installer(std::move(opts), fd));
  auto text = read_small_file(self->opts_.dir / "state.json", max_state_bytes);
  if (!text) return std::unexpected(text.error());
  if (text->exists) {
    try {
      *self->st_ = state::from_json(json::parse(text->text));
    } catch (const std::exception& e) {
      return fail(installer_errc::state_corrupt, (self->opts_.dir / "state.json").string() + ": " + e.what());
    }
  }
  return self;
}

result<void> linux_dir_installer::save() { return write_json_atomic(opts_.dir / "state.json", st_->to_json().dump(1)); }

result<std::filesystem::path> linux_dir_installer::active_dir() const {
  std::array<char, 256> buf{};
  auto link = opts_.dir / "current";
  ssize_t n = ::readlink(link.c_str(), buf.data(), buf.size() - 1);
  if (n < 0) {
    if (errno == ENOENT) return std::filesystem::path{};
    return io_fail(link.string(), errno);
  }
  std::string_view t(buf.data(), static_cast<std::size_t>(n));
  if (t == "slots/a") return opts_.dir / "slots" / "a";
  if (t == "slots/b") return opts_.dir / "slots" / "b";
  return fail(installer_errc::state_corrupt, link.string() + " points at \"" + std::string(t) + "\", not slots/a or slots/b");
}

namespace {
result<std::string> active_slot_of(const result<std::filesystem::path>& dir) {
  if (!dir) return std::unexpected(dir.error());
  return dir->empty() ? std::string() : dir->filename().string();
}
}  // namespace

result<void> linux_dir_installer::switch_to(const std::string& slot) {
  auto link = opts_.dir / "current";
  if (slot.empty()) {
    if (::unlink(link.c_str()) != 0 && errno != ENOENT) return io_fail(link.string(), errno);
    return fsync_dir(opts_.dir);
  }
  auto tmp = opts_.dir / "current.tmp";
  if (::unlink(tmp.c_str()) != 0 && errno != ENOENT) return io_fail(tmp.string(), errno);
  std::string target = "slots/" + slot;
  if (::symlink(target.c_str(), tmp.c_str()) != 0) return io_fail(tmp.string(), errno);
  if (::rename(tmp.c_str(), link.c_str()) != 0) return io_fail(link.string(), errno);
  return fsync_dir(opts_.dir);
}

// The interrupted install, if any, is finished or undone so that the state file
// and the symlink agree again.
result<void> linux_dir_installer::recover() {
  if (!st_->pending) return ok();
  auto active = active_slot_of(active_dir());
  if (!active) return std::unexpected(active.error());
  const pending_info p = *st_->pending;
  if (p.step == "rolling_back") {
    auto r = roll_back(p.reason);
    if (!r) return std::unexpected(r.error());
    return ok();
  }
  if (*active == p.slot && p.step == "preparing")
    return fail(installer_errc::state_corrupt, "the slot being prepared (" + p.slot + ") is the active one");
  if (*active != p.slot) {
    // Stopped before the switch: the old slot never stopped being active.
    st_->pending.reset();
    st_->slot(p.slot) = {};
    st_->interrupted = std::pair{p.release, std::string("install was interrupted before the switch; the previous slot stayed active")};
    return save();
  }
  auto r = finish_after_switch("after an interrupted install: ");
  if (!r) return std::unexpected(r.error());
  return ok();
}

// `current` points at the pending slot: run the health check and commit or roll back.
result<install_report> linux_dir_installer::finish_after_switch(const std::string& reason_prefix) {
  const pending_info p = *st_->pending;
  auto slot_dir = opts_.dir / "slots" / p.slot;
  std::string failure;
  bool mark_bad = true;
  if (!opts_.health_check.empty()) {
    process_spec spec;
    spec.argv = opts_.health_check;
    spec.cwd = slot_dir;
    spec.timeout = opts_.health_timeout;
    spec.env = {{"CONVERGE_SLOT_DIR", slot_dir.string()},
                {"CONVERGE_RELEASE", p.release},
                {"CONVERGE_VERSION", p.semver},
                {"CONVERGE_SEQUENCE", std::to_string(p.sequence)}};
    auto run = run_process(spec);
    if (!run) {
      failure = "health check could not start: " + run.error().detail;
      mark_bad = false;   // a broken check says nothing about the release
    } else if (!run->exited_with(0)) {
      failure = "health check failed: " + describe(*run, spec);
    }
  }
  if (!step(install_step::health_checked)) return fail(installer_errc::io, "stopped by the test hook after health_checked");
  if (failure.empty()) {
    st_->slot(p.slot) = {p.release, p.semver, p.sequence};
    st_->previous = p.from;
    st_->pending.reset();
    if (st_->interrupted && st_->interrupted->first == p.release) st_->interrupted.reset();
    if (auto s = save(); !s) return std::unexpected(s.error());
    return report(install_report::installed, "installed " + p.semver + " in slot " + p.slot);
  }
  st_->pending->mark_bad = mark_bad;
  return roll_back(reason_prefix + failure);
}

result<install_report> linux_dir_installer::roll_back(std::string reason) {
  pending_info& p = *st_->pending;
  if (p.step != "rolling_back") {
    p.step = "rolling_back";
    p.reason = reason;
    if (auto s = save(); !s) return std::unexpected(s.error());
    if (!step(install_step::rollback_recorded)) return fail(installer_errc::io, "stopped by the test hook after rollback_recorded");
  }
  if (auto s = switch_to(p.from); !s) return std::unexpected(s.error());
  if (!step(install_step::switched_back)) return fail(installer_errc::io, "stopped by the test hook after switched_back");
  const pending_info done = p;
  st_->pending.reset();
  st_->slot(done.slot) = {};
  std::string msg = done.reason + "; rolled back to " + (done.from.empty() ? std::string("no active slot") : "slot " + done.from);
  if (done.mark_bad) {
    if (!st_->find_bad(done.release)) st_->bad.push_back({done.release, msg, true});
    while (st_->bad.size() > opts_.max_bad) st_->bad.erase(st_->bad.begin());
  } else {
    st_->interrupted = std::pair{done.release, msg};
  }
  if (auto s = save(); !s) return std::unexpected(s.error());
  return report(install_report::failed, msg, done.mark_bad, true);
}

result<install_report> linux_dir_installer::install(const install_request& r) {
  if (!valid_release_hash(r.release_hash))
    return fail(installer_errc::bad_request, "release_hash must be 1..200 characters of [A-Za-z0-9._:+-]");
  if (auto rec = recover(); !rec) return std::unexpected(rec.error());
  auto active = active_slot_of(active_dir());
  if (!active) return std::unexpected(active.error());
  if (!active->empty() && st_->slot(*active).release == r.release_hash)
    return report(install_report::installed, "already installed in slot " + *active);
  if (const auto* b = st_->find_bad(r.release_hash))
    return report(install_report::failed, "release is marked bad: " + b->reason, true, false);

  std::error_code ec;
  if (r.package_path.empty() || !std::filesystem::is_regular_file(r.package_path, ec))
    return fail(installer_errc::bad_request, "package \"" + r.package_path + "\" is not a file");
  if (!r.sha256_hex.empty()) {
    auto h = sha256_file_hex(r.package_path);
    if (!h) return std::unexpected(h.error());
    if (*h != r.sha256_hex)
      return report(install_report::failed, "package sha256 is " + *h + ", expected " + r.sha256_hex + " (the staged file changed)");
  }
  std::string name = std::filesystem::path(r.target_path.empty() ? r.package_path : r.target_path).filename().string();
  archive_kind kind = opts_.unpack ? archive_kind_for(name) : archive_kind::none;

  const std::string slot = active->empty() ? std::string("a") : other(*active);
  st_->interrupted.reset();
  st_->slot(slot) = {};
  st_->pending = pending_info{r.release_hash, r.semver, slot, *active, "preparing", "", r.sequence, true};
  if (auto s = save(); !s) return std::unexpected(s.error());
  if (!step(install_step::intent_recorded)) return fail(installer_errc::io, "stopped by the test hook after intent_recorded");

  auto slot_dir = opts_.dir / "slots" / slot;
  std::filesystem::remove_all(slot_dir, ec);
  if (!ec) std::filesystem::create_directory(slot_dir, ec);
  if (ec) return fail(installer_errc::io, slot_dir.string() + ": " + ec.message());
  if (!step(install_step::slot_cleared)) return fail(installer_errc::io, "stopped by the test hook after slot_cleared");

  auto written = kind == archive_kind::none ? copy_package(r.package_path, slot_dir, name, opts_.limits)
                                            : unpack_archive(r.package_path, kind, slot_dir, opts_.limits);
  if (!written) {
    // Nothing was switched: drop the intent. A package that can never be unpacked
    // is marked bad; an I/O failure (a full disk) may succeed later.
    const bool permanent = written.error().code == make_error_code(installer_errc::bad_package);
    std::string msg = "preparing slot " + slot + ": " + written.error().detail;
    st_->pending.reset();
    std::filesystem::remove_all(slot_dir, ec);
    std::filesystem::create_directory(slot_dir, ec);
    if (permanent) {
      st_->bad.push_back({r.release_hash, msg, false});
      while (st_->bad.size() > opts_.max_bad) st_->bad.erase(st_->bad.begin());
    } else {
      st_->interrupted = std::pair{r.release_hash, msg};
    }
    if (auto s = save(); !s) return std::unexpected(s.error());
    return report(install_report::failed, msg, permanent, false);
  }
  if (auto s = fsync_dir(opts_.dir / "slots"); !s) return std::unexpected(s.error());
  if (!step(install_step::package_written)) return fail(installer_errc::io, "stopped by the test hook after package_written");

  st_->pending->step = "prepared";
  if (auto s = save(); !s) return std::unexpected(s.error());
  if (!step(install_step::prepared_recorded)) return fail(installer_errc::io, "stopped by the test hook after prepared_recorded");

  if (auto s = switch_to(slot); !s) return std::unexpected(s.error());
  if (!step(install_step::switched)) return fail(installer_errc::io, "stopped by the test hook after switched");
  return finish_after_switch("");
}

result<install_report> linux_dir_installer::status(const std::string& release_hash) {
  if (auto rec = recover(); !rec) return std::unexpected(rec.error());
  auto active = active_slot_of(active_dir());
  if (!active) return std::unexpected(active.error());
  if (!active->empty() && st_->slot(*active).release == release_hash)
    return report(install_report::installed, "active in slot " + *active);
  if (const auto* b = st_->find_bad(release_hash)) return report(install_report::failed, b->reason, true, b->rolled_back);
  if (st_->interrupted && st_->interrupted->first == release_hash)
    return report(install_report::failed, st_->interrupted->second);
  const std::string prev = st_->previous;
  if (!prev.empty() && st_->slot(prev).release == release_hash)
    return report(install_report::failed, "not active: superseded, still in the previous slot " + prev);
  return report(install_report::failed, "not installed");
}

result<std::string> linux_dir_installer::current_release() {
  if (auto rec = recover(); !rec) return std::unexpected(rec.error());
  auto active = active_slot_of(active_dir());
  if (!active) return std::unexpected(active.error());
  return active->empty() ? std::string() : st_->slot(*active).release;
}

}  // namespace converge::agent
