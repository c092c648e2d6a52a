#include "agent/command_installer.hpp"

#include <optional>

#include <nlohmann/json.hpp>

#include "agent/installer_support.hpp"

namespace converge::agent {
namespace {

using json = nlohmann::json;
constexpr std::size_t max_state_bytes = 1 << 20;

// A record's state: install_report's three plus "installing" (the hook was
// started and its answer is not recorded: a crash, or still running).
struct record {
  install_request req;
  std::string state;   // installing | installed | pending | failed
  bool permanent = false;
  std::string message;
};

json request_json(const install_request& r) {
  return {{"release", r.release_hash}, {"channel", r.channel},     {"semver", r.semver}, {"sequence", r.sequence},
          {"package", r.package_path}, {"sha256", r.sha256_hex},   {"target", r.target_path}, {"os", r.os},
          {"arch", r.arch}};
}

install_request request_from(const json& j) {
  install_request r;
  r.release_hash = j.at("release").get<std::string>();
  r.channel = j.at("channel").get<std::string>();
  r.semver = j.at("semver").get<std::string>();
  r.sequence = j.at("sequence").get<std::uint64_t>();
  r.package_path = j.at("package").get<std::string>();
  r.sha256_hex = j.at("sha256").get<std::string>();
  r.target_path = j.at("target").get<std::string>();
  r.os = j.at("os").get<std::string>();
  r.arch = j.at("arch").get<std::string>();
  return r;
}

install_report to_report(const record& rec) {
  install_report r;
  r.state = rec.state == "installed" ? install_report::installed
            : rec.state == "failed"  ? install_report::failed
                                     : install_report::pending;
  r.permanent = rec.permanent;
  r.message = rec.message;
  return r;
}

}  // namespace

struct command_installer::state {
  std::string current;
  std::vector<record> records;   // oldest first

  record* find(const std::string& release) {
    for (auto& r : records)
      if (r.req.release_hash == release) return &r;
    return nullptr;
  }
};

command_installer::command_installer(command_options opts) : opts_(std::move(opts)), st_(std::make_unique<state>()) {}
command_installer::~command_installer() = default;

result<std::unique_ptr<command_installer>> command_installer::open(command_options opts) {
  if (opts.command.empty() || opts.command[0].empty() || opts.command[0][0] != '/')
    return fail(installer_errc::bad_config, "command must start with an absolute path");
  if (!opts.state_file.is_absolute())
    return fail(installer_errc::bad_config, "state file must be absolute: " + opts.state_file.string());
  std::error_code ec;
  std::filesystem::create_directories(opts.state_file.parent_path(), ec);
  if (ec) return fail(installer_errc::io, opts.state_file.parent_path().string() + ": " + ec.message());
  std::unique_ptr<command_installer> self(new command_installer(std::move(opts)));
  auto text = read_small_file(self->opts_.state_file, max_state_bytes);
  if (!text) return std::unexpected(text.error());
  if (text->exists) {
    try {
      json j = json::parse(text->text);
      if (j.at("version").get<int>() != 1) throw std::runtime_error("unknown version");
      self->st_->current = j.at("current").get<std::string>();
      for (const auto& x : j.at("records")) {
        record rec{request_from(x.at("request")), x.at("state").get<std::string>(), x.at("permanent").get<bool>(),
                   x.at("message").get<std::string>()};
        if (rec.state != "installing" && rec.state != "installed" && rec.state != "pending" && rec.state != "failed")
          throw std::runtime_error("unknown record state \"" + rec.state + "\"");
        self->st_->records.push_back(std::move(rec));
      }
    } catch (const std::exception& e) {
      return fail(installer_errc::state_corrupt, self->opts_.state_file.string() + ": " + e.what());
    }
  }
  return self;
}

result<void> command_installer::save() {
  // Forget the oldest records beyond the bound, but never the current one or an unfinished one.
  auto& recs = st_->records;
  for (std::size_t i = 0; recs.size() > opts_.max_records && i < recs.size();) {
    const auto& r = recs[i];
    if (r.req.release_hash != st_->current && r.state != "installing" && r.state != "pending")
      recs.erase(recs.begin() + static_cast<std::ptrdiff_t>(i));
    else
      ++i;
  }
  json list = json::array();
  for (const auto& r : recs)
    list.push_back({{"request", request_json(r.req)}, {"state", r.state}, {"permanent", r.permanent}, {"message", r.message}});
  json j{{"version", 1}, {"current", st_->current}, {"records", std::move(list)}};
  return write_json_atomic(opts_.state_file, j.dump(1));
}

// Runs the hook for r (install, or status) and records the outcome.
result<install_report> command_installer::run_hook(const install_request& r, bool is_status) {
  process_spec spec;
  spec.argv = opts_.command;
  spec.argv.push_back(is_status ? "status" : "install");
  spec.argv.push_back(is_status ? r.release_hash : r.package_path);
  spec.timeout = opts_.timeout;
  spec.env = {{"CONVERGE_ACTION", is_status ? "status" : "install"},
              {"CONVERGE_PACKAGE", r.package_path},
              {"CONVERGE_RELEASE", r.release_hash},
              {"CONVERGE_CHANNEL", r.channel},
              {"CONVERGE_VERSION", r.semver},
              {"CONVERGE_SEQUENCE", std::to_string(r.sequence)},
              {"CONVERGE_SHA256", r.sha256_hex},
              {"CONVERGE_OS", r.os},
              {"CONVERGE_ARCH", r.arch}};
  record* rec = st_->find(r.release_hash);
  if (!rec) {
    st_->records.push_back({r, "installing", false, ""});
    rec = &st_->records.back();
  }
  if (!is_status) {
    rec->req = r;
    rec->state = "installing";
    rec->permanent = false;
    rec->message = "install hook started";
    if (auto s = save(); !s) return std::unexpected(s.error());
  }
  auto run = run_process(spec);
  rec = st_->find(r.release_hash);   // save() may have moved records
  if (!run) {
    if (!is_status) {
      rec->state = "failed";
      rec->message = "install hook could not start: " + run.error().detail;
      if (auto s = save(); !s) return std::unexpected(s.error());
    }
    return std::unexpected(run.error());
  }
  const std::string what = std::string(is_status ? "status" : "install") + " hook: " + describe(*run, spec);
  if (run->timed_out) {
    if (is_status) {
      // No answer: what was pending stays pending.
      install_report rep = to_report(*rec);
      if (rec->state == "installing") rep.state = install_report::pending;
      rep.message = what;
      return rep;
    }
    rec->state = "failed";
    rec->permanent = false;
  } else if (run->exited_with(0)) {
    rec->state = "installed";
    rec->permanent = false;
    st_->current = r.release_hash;
  } else if (run->exited_with(hook_exit_pending)) {
    rec->state = "pending";
    rec->permanent = false;
  } else if (run->exited_with(hook_exit_retry)) {
    rec->state = "failed";
    rec->permanent = false;
  } else {
    rec->state = "failed";
    rec->permanent = true;
  }
  rec->message = what;
  install_report rep = to_report(*rec);
  if (auto s = save(); !s) return std::unexpected(s.error());
  return rep;
}

result<install_report> command_installer::install(const install_request& r) {
  if (r.release_hash.empty()) return fail(installer_errc::bad_request, "release_hash is empty");
  if (r.release_hash == st_->current) {
    install_report rep;
    rep.state = install_report::installed;
    rep.message = "already installed";
    return rep;
  }
  if (record* rec = st_->find(r.release_hash)) {
    if (rec->state == "failed" && rec->permanent) {
      install_report rep = to_report(*rec);
      rep.message = "release is marked bad: " + rep.message;
      return rep;
    }
    if (rec->state == "pending" || rec->state == "installing") {
      // Never hand the package over twice: ask what became of the first time.
      const install_request first = rec->req;   // run_hook may move the records
      auto st = run_hook(first, true);
      if (!st) return st;
      if (st->state != install_report::failed || st->permanent) return st;
    }
  }
  std::error_code ec;
  if (r.package_path.empty() || !std::filesystem::is_regular_file(r.package_path, ec))
    return fail(installer_errc::bad_request, "package \"" + r.package_path + "\" is not a file");
  return run_hook(r, false);
}

result<install_report> command_installer::status(const std::string& release_hash) {
  install_report rep;
  if (!release_hash.empty() && release_hash == st_->current) {
    rep.state = install_report::installed;
    rep.message = "installed";
    return rep;
  }
  record* rec = st_->find(release_hash);
  if (!rec) {
    rep.message = "unknown release";
    return rep;
  }
  if (rec->state == "pending" || rec->state == "installing") {
    const install_request first = rec->req;
    return run_hook(first, true);
  }
  if (rec->state == "installed") {
    rep.message = "superseded by another release";
    return rep;
  }
  return to_report(*rec);
}

result<std::string> command_installer::current_release() { return st_->current; }

}  // namespace converge::agent
