#pragma once
// A node's repository, in Kubo's manner: one directory (default ~/.converge,
// or --repo DIR, or $CONVERGE_PATH) holding
//   config.json    the configuration (node/config.hpp), mode 0600
//   identity.key   the private key (protobuf PrivateKey), mode 0600
//   api_token      the RPC API's bearer token (64 hex characters), mode 0600
//   datastore/     services' persistent state (SQLite files and the like)
//   daemon.lock    held (flock) by the running daemon
//   api            written by the running daemon: its bound API multiaddr
// The directory is mode 0700. Secrets that another user could read are
// refused on open, so a leaked token is not silently trusted.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "base/rng.hpp"
#include "crypto/keys.hpp"
#include "node/config.hpp"

namespace converge::node {

// The repository a command uses: `flag` when set, else $CONVERGE_PATH, else ~/.converge.
[[nodiscard]] std::filesystem::path repo_path_from(std::string_view flag);

struct init_options {
  std::optional<std::vector<mf::multiaddr>> swarm;  // default: /ip4/0.0.0.0/tcp/4001
  std::optional<mf::multiaddr> api;                 // default: /ip4/127.0.0.1/tcp/5001
  crypto::key_type key_type = crypto::key_type::ed25519;
  bool force = false;  // replace an existing repository's config, key and token
};

class repo {
 public:
  // Creates the repository; refuses an existing one unless options.force.
  static result<repo> init(const std::filesystem::path& dir, const init_options& options, rng& r);
  // Opens and validates an existing repository (config parses; the key
  // matches the configured peer ID; secrets are private to this user).
  static result<repo> open(const std::filesystem::path& dir);

  [[nodiscard]] const std::filesystem::path& dir() const { return dir_; }
  [[nodiscard]] const node_config& config() const { return config_; }
  [[nodiscard]] result<crypto::private_key> identity() const;
  [[nodiscard]] result<std::string> api_token() const;
  [[nodiscard]] std::filesystem::path datastore() const { return dir_ / "datastore"; }
  [[nodiscard]] std::filesystem::path api_file() const { return dir_ / "api"; }
  [[nodiscard]] std::filesystem::path lock_file() const { return dir_ / "daemon.lock"; }
  // Rewrites config.json atomically (after validating the new config).
  result<void> save_config(const node_config& c);

 private:
  repo(std::filesystem::path dir, node_config c) : dir_(std::move(dir)), config_(std::move(c)) {}
  std::filesystem::path dir_;
  node_config config_;
};

// An exclusive hold on a repository's daemon.lock (flock), released on destruction.
class repo_lock {
 public:
  static result<repo_lock> acquire(const repo& r);
  repo_lock(repo_lock&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  repo_lock& operator=(repo_lock&&) = delete;
  ~repo_lock();

 private:
  explicit repo_lock(int fd) : fd_(fd) {}
  int fd_;
};

// A secret file (token, key) must not be readable or writable by group or others.
[[nodiscard]] result<void> check_private_file(const std::filesystem::path& p);

}  // namespace converge::node
