// The converge command line. Every failure prints one line naming the problem
// and exits non-zero; nothing escapes as an exception or a stack trace.
#include <algorithm>
#include <cstdio>
#include <exception>
#include <utility>
#include <vector>

#include "command_registry.hpp"

namespace converge::cli {
namespace {
std::vector<std::pair<const char*, group_setup>>& groups() {
  static std::vector<std::pair<const char*, group_setup>> g;
  return g;
}
}  // namespace

bool register_group(const char* name, group_setup setup) {
  groups().emplace_back(name, setup);
  return true;
}

void setup_all_groups(CLI::App& app) {
  auto& g = groups();
  std::sort(g.begin(), g.end(), [](auto& a, auto& b) { return std::string_view(a.first) < b.first; });
  for (auto& [name, setup] : g) setup(app);
}
}  // namespace converge::cli

int main(int argc, char** argv) {
  CLI::App app{"converge: a decentralized update network on libp2p and IPFS"};
  app.require_subcommand(1);
  app.add_subcommand("version", "print the version")->callback([] { std::printf("converge %s\n", CONVERGE_VERSION); });
  converge::cli::setup_all_groups(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const converge::cli::cli_error& e) {
    std::fprintf(stderr, "converge: %s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "converge: unexpected error: %s\n", e.what());
    return 1;
  }
  return 0;
}
