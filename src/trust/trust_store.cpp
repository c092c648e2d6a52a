#include "trust/trust_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "trust/canonical_json.hpp"
#include "trust/json_fields.hpp"
#include "trust/release.hpp"

namespace converge::trust {
namespace {

using nlohmann::json;

std::unexpected<error> os_fail(const std::string& what) {
  return fail(trust_errc::storage, what + ": " + std::strerror(errno));
}

}  // namespace

result<std::string> encode_state(const trusted_state& s) {
  json chans = json::object();
  for (const auto& [name, c] : s.channels) {
    json hist = json::object();
    for (const auto& [seq, h] : c.history) hist[std::to_string(seq)] = h;
    chans[name] = {{"timestamp", c.timestamp}, {"snapshot", c.snapshot}, {"targets", c.targets},
                   {"sequence", c.sequence},   {"release_hash", c.release_hash}, {"history", hist}};
  }
  json body = {{"root", s.root}, {"revocation", s.revocation}, {"time_floor", s.time_floor}, {"channels", chans}};
  std::string text;
  try {
    text = body.dump();
  } catch (const json::exception&) {
    return fail(trust_errc::storage, "trusted state holds invalid UTF-8");
  }
  json wrapped = {{"format", "converge-trusted-state-v1"}, {"sha256", sha256_hex(text)}, {"body", text}};
  return wrapped.dump();
}

result<trusted_state> decode_state(std::string_view text) {
  json_limits jl;
  jl.max_bytes = max_state_bytes;
  auto outer = parse_json(text, jl);
  if (!outer || !outer->is_object()) return fail(trust_errc::storage, "trusted state is not a JSON object");
  auto fmt = require_string(*outer, "format", "state");
  auto sum = require_string(*outer, "sha256", "state");
  auto body_text = require_string(*outer, "body", "state");
  if (!fmt || *fmt != "converge-trusted-state-v1" || !sum || !body_text)
    return fail(trust_errc::storage, "trusted state has the wrong format");
  if (sha256_hex(*body_text) != *sum) return fail(trust_errc::storage, "trusted state checksum mismatch");
  auto body = parse_json(*body_text, jl);
  if (!body || !body->is_object()) return fail(trust_errc::storage, "trusted state body is not a JSON object");
  trusted_state s;
  try {
    s.root = body->at("root").get<std::string>();
    s.revocation = body->at("revocation").get<std::string>();
    s.time_floor = body->at("time_floor").get<std::int64_t>();
    for (const auto& [name, c] : body->at("channels").items()) {
      channel_state cs;
      cs.timestamp = c.at("timestamp").get<std::string>();
      cs.snapshot = c.at("snapshot").get<std::string>();
      cs.targets = c.at("targets").get<std::string>();
      cs.sequence = c.at("sequence").get<std::uint64_t>();
      cs.release_hash = c.at("release_hash").get<std::string>();
      for (const auto& [seq, h] : c.at("history").items()) cs.history[std::stoull(seq)] = h.get<std::string>();
      s.channels.emplace(name, std::move(cs));
    }
  } catch (const std::exception& e) {
    return fail(trust_errc::storage, std::string("trusted state field: ") + e.what());
  }
  return s;
}

result<std::optional<bytes>> directory_fs::read(const std::string& name) {
  std::string path = dir_ + "/" + name;
  if (::access(path.c_str(), F_OK) != 0) {
    if (errno == ENOENT) return std::optional<bytes>{};
    return os_fail("access " + path);
  }
  auto data = read_file(path);
  if (!data) return fail(trust_errc::storage, data.error().message());
  return std::optional<bytes>{std::move(*data)};
}

result<void> directory_fs::write(const std::string& name, bytes_view data) {
  std::string path = dir_ + "/" + name;
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return os_fail("open " + path);
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      auto e = os_fail("write " + path);
      ::close(fd);
      return e;
    }
    done += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0) return os_fail("close " + path);
  return ok();
}

result<void> directory_fs::sync(const std::string& name) {
  std::string path = dir_ + "/" + name;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return os_fail("open " + path);
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return os_fail("fsync " + path);
  return ok();
}

result<void> directory_fs::rename(const std::string& from, const std::string& to) {
  if (::rename((dir_ + "/" + from).c_str(), (dir_ + "/" + to).c_str()) != 0) return os_fail("rename " + from);
  return ok();
}

result<void> directory_fs::sync_dir() {
  int fd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return os_fail("open " + dir_);
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return os_fail("fsync " + dir_);
  return ok();
}

result<std::optional<bytes>> state_store::raw() { return fs_->read(file_name); }

result<std::optional<trusted_state>> state_store::load() {
  auto data = fs_->read(file_name);
  if (!data) return fail(data.error());
  if (!*data) return std::optional<trusted_state>{};
  auto s = decode_state(as_chars(**data));
  if (!s) return fail(s.error());
  return std::optional<trusted_state>{std::move(*s)};
}

result<void> state_store::save(const trusted_state& s) {
  auto text = encode_state(s);
  if (!text) return fail(text.error());
  const std::string tmp = std::string(file_name) + ".tmp";
  if (auto r = fs_->write(tmp, as_bytes(*text)); !r) return r;
  if (auto r = fs_->sync(tmp); !r) return r;
  if (auto r = fs_->rename(tmp, file_name); !r) return r;
  // After the rename the new state is the visible one; a failed directory sync
  // only means it may not survive power loss, so report it.
  return fs_->sync_dir();
}

}  // namespace converge::trust
