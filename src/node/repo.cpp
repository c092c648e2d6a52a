#include "node/repo.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "base/bytes.hpp"
#include "crypto/key_file.hpp"

namespace converge::node {
namespace fs = std::filesystem;

namespace {

constexpr std::size_t token_bytes = 32;

std::unexpected<error> io_fail(const fs::path& p, const std::string& what) {
  return fail(node_errc::io, p.string() + ": " + what);
}

result<std::string> read_text(const fs::path& p, std::size_t max) {
  std::error_code ec;
  auto size = fs::file_size(p, ec);
  if (ec) return io_fail(p, ec.message());
  if (size > max) return io_fail(p, "larger than " + std::to_string(max) + " bytes");
  auto b = read_file(p.string());
  if (!b) return std::unexpected(with_context(b.error(), "reading " + p.string()));
  return std::string(as_chars(*b));
}

}  // namespace

fs::path repo_path_from(std::string_view flag) {
  if (!flag.empty()) return fs::path(flag);
  if (const char* env = std::getenv("CONVERGE_PATH"); env != nullptr && *env != '\0') return fs::path(env);
  const char* home = std::getenv("HOME");
  return fs::path(home != nullptr && *home != '\0' ? home : ".") / ".converge";
}

result<void> check_private_file(const fs::path& p) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) return io_fail(p, "missing");
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return io_fail(p, std::string("is accessible to other users (mode ") + mode + "); run chmod 600 on it");
  }
  return ok();
}

result<repo> repo::init(const fs::path& dir, const init_options& options, rng& r) {
  std::error_code ec;
  if (fs::exists(dir / "config.json", ec) && !options.force)
    return fail(node_errc::repo_exists, dir.string() + " already holds a repository (use --force to replace it)");
  fs::create_directories(dir, ec);
  if (ec) return io_fail(dir, "cannot create: " + ec.message());
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  if (ec) return io_fail(dir, "cannot set mode 0700: " + ec.message());
  fs::create_directories(dir / "datastore", ec);
  if (ec) return io_fail(dir / "datastore", ec.message());

  auto key = crypto::private_key::generate(options.key_type, r);
  if (!key) return std::unexpected(key.error());
  auto cfg = default_config(crypto::peer_id::from_public_key(key->public_key()));
  if (options.swarm) cfg.swarm = *options.swarm;
  if (options.api) {
    if (!is_loopback_tcp(*options.api))
      return fail(node_errc::invalid_config, "the API address " + options.api->to_string() +
                                                 " is not a loopback TCP address (the RPC API never listens beyond "
                                                 "this machine)");
    cfg.api = *options.api;
  }

  auto key_file = crypto::encode_private_key_file(*key, std::nullopt, r);
  if (!key_file) return std::unexpected(key_file.error());
  if (auto w = write_file_atomic((dir / cfg.key_file).string(), *key_file, 0600); !w) return std::unexpected(w.error());
  bytes token(token_bytes);
  r.fill(token);
  if (auto w = write_file_atomic((dir / "api_token").string(), as_bytes(to_hex(token) + "\n"), 0600); !w)
    return std::unexpected(w.error());
  // The config last: its presence marks a complete repository.
  if (auto w = write_file_atomic((dir / "config.json").string(), as_bytes(to_json_text(cfg)), 0600); !w)
    return std::unexpected(w.error());
  return repo(dir, std::move(cfg));
}

result<repo> repo::open(const fs::path& dir) {
  std::error_code ec;
  if (!fs::exists(dir / "config.json", ec))
    return fail(node_errc::no_repo, "no converge repository at " + dir.string() + " (create one with `converge init`)");
  auto text = read_text(dir / "config.json", max_config_text);
  if (!text) return std::unexpected(text.error());
  auto cfg = parse_config(*text);
  if (!cfg) return std::unexpected(with_context(cfg.error(), (dir / "config.json").string()));
  repo rp(dir, std::move(*cfg));
  for (auto p : {dir / rp.config_.key_file, dir / "api_token"})
    if (auto c = check_private_file(p); !c) return std::unexpected(c.error());
  auto key = rp.identity();
  if (!key) return std::unexpected(key.error());
  auto id = crypto::peer_id::from_public_key(key->public_key());
  if (id != rp.config_.peer_id)
    return fail(node_errc::invalid_config, "config.identity.peer_id is " + rp.config_.peer_id.to_string() + " but " +
                                               rp.config_.key_file + " holds the key of " + id.to_string());
  fs::create_directories(rp.datastore(), ec);
  if (ec) return io_fail(rp.datastore(), ec.message());
  return rp;
}

result<crypto::private_key> repo::identity() const {
  auto p = dir_ / config_.key_file;
  auto data = read_file(p.string());
  if (!data) return std::unexpected(with_context(data.error(), "reading the identity key"));
  auto key = crypto::decode_private_key_file(*data, std::nullopt);
  if (!key) return std::unexpected(with_context(key.error(), p.string()));
  return key;
}

result<std::string> repo::api_token() const {
  auto p = dir_ / "api_token";
  auto text = read_text(p, 256);
  if (!text) return std::unexpected(text.error());
  while (!text->empty() && (text->back() == '\n' || text->back() == '\r')) text->pop_back();
  if (text->size() != 2 * token_bytes || !from_hex(*text)) return io_fail(p, "is not a 64-character hex token");
  return text;
}

result<void> repo::save_config(const node_config& c) {
  auto text = to_json_text(c);
  if (auto check = parse_config(text); !check) return std::unexpected(check.error());
  if (auto w = write_file_atomic((dir_ / "config.json").string(), as_bytes(text), 0600); !w)
    return std::unexpected(w.error());
  config_ = c;
  return ok();
}

result<repo_lock> repo_lock::acquire(const repo& r) {
  int fd = ::open(r.lock_file().c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return io_fail(r.lock_file(), std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return fail(node_errc::repo_locked, "a converge daemon is already running on " + r.dir().string());
  }
  return repo_lock(fd);
}

repo_lock::~repo_lock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace converge::node
