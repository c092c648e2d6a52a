// converge-tuf-client: the client side of the theupdateframework/tuf-conformance
// CLI protocol (CLIENT-CLI.md), over converge's TUF workflow (src/trust) with
// HTTP as the metadata and target transport.
//
//   converge-tuf-client --metadata-dir DIR init TRUSTED_ROOT
//   converge-tuf-client --metadata-dir DIR --metadata-url URL refresh
//   converge-tuf-client --metadata-dir DIR --metadata-url URL --target-name PATH [--target-name PATH ...]
//                       --target-base-url URL --target-dir DIR download
// Options may come in any order before the command. Exit 0 on success, 1 on
// any failure (the first failing target stops a download).
#include <chrono>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "base/bytes.hpp"
#include "http_fetcher.hpp"
#include "updater.hpp"

namespace {

using namespace converge;

struct options {
  std::string metadata_dir, metadata_url, target_dir, target_base_url, command, trusted_root;
  std::vector<std::string> target_names;
};

int usage(std::string_view why) {
  std::cerr << "converge-tuf-client: " << why << "\n"
            << "usage: converge-tuf-client --metadata-dir DIR init ROOT\n"
            << "       converge-tuf-client --metadata-dir DIR --metadata-url URL refresh\n"
            << "       converge-tuf-client --metadata-dir DIR --metadata-url URL --target-name PATH...\n"
            << "                           --target-base-url URL --target-dir DIR download\n";
  return 1;
}

int failed(const converge::error& e) {
  std::cerr << "converge-tuf-client: " << e.message() << "\n";
  return 1;
}

int run(const options& o) {
  if (o.command == "init") {
    if (o.trusted_root.empty()) return usage("init needs the trusted root file");
    auto data = read_file(o.trusted_root);
    if (!data) return failed(data.error());
    std::error_code ec;
    std::filesystem::create_directories(o.metadata_dir, ec);
    if (auto w = write_file_atomic((std::filesystem::path(o.metadata_dir) / "root.json").string(), *data); !w)
      return failed(w.error());
    std::cout << "converge-tuf-client: initialized " << o.metadata_dir << "\n";
    return 0;
  }
  if (o.metadata_url.empty()) return usage(o.command + " needs --metadata-url");
  tufcli::http_fetcher net;
  tufcli::updater_config cfg;
  cfg.metadata_dir = o.metadata_dir;
  cfg.metadata_url = o.metadata_url;
  cfg.target_dir = o.target_dir;
  cfg.target_base_url = o.target_base_url;
  auto up = tufcli::updater::open(cfg, net, std::chrono::system_clock::now());
  if (!up) return failed(up.error());
  if (o.command == "refresh") {
    if (auto r = up->refresh(); !r) return failed(r.error());
    std::cout << "converge-tuf-client: refreshed " << o.metadata_dir << "\n";
    return 0;
  }
  if (o.target_names.empty() || o.target_dir.empty() || o.target_base_url.empty())
    return usage("download needs --target-name, --target-dir and --target-base-url");
  std::error_code ec;
  std::filesystem::create_directories(o.target_dir, ec);
  for (const auto& name : o.target_names) {
    auto info = up->get_targetinfo(name);
    if (!info) return failed(info.error());
    if (!*info) {
      std::cerr << "converge-tuf-client: " << name << ": no such target in the repository\n";
      return 1;
    }
    if (up->find_cached_target(name, **info)) {
      std::cout << "converge-tuf-client: " << name << " is up to date\n";
      continue;
    }
    if (auto r = up->download_target(name, **info); !r) return failed(r.error());
    std::cout << "converge-tuf-client: downloaded " << name << "\n";
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  options o;
  std::vector<std::string> args(argv + 1, argv + argc);
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](std::string& out) {
      if (i + 1 >= args.size()) return false;
      out = args[++i];
      return true;
    };
    bool good = true;
    if (a == "--metadata-dir") good = value(o.metadata_dir);
    else if (a == "--metadata-url") good = value(o.metadata_url);
    else if (a == "--target-dir") good = value(o.target_dir);
    else if (a == "--target-base-url") good = value(o.target_base_url);
    else if (a == "--target-name") good = value(o.target_names.emplace_back());
    else if (a == "-v" || a == "--verbose") continue;
    else if (a.starts_with("-")) return usage("unknown option " + a);
    else if (o.command.empty()) o.command = a;
    else if (o.command == "init" && o.trusted_root.empty()) o.trusted_root = a;
    else return usage("unexpected argument " + a);
    if (!good) return usage(a + " needs a value");
  }
  if (o.metadata_dir.empty()) return usage("--metadata-dir is required");
  if (o.command != "init" && o.command != "refresh" && o.command != "download")
    return usage(o.command.empty() ? "no command" : "unknown command " + o.command);
  return run(o);
}
