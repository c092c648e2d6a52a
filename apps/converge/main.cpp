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

std::string& repo_flag_storage() {
  static std::string r;
  return r;
}
const std::string& repo_flag() { return repo_flag_storage(); }

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
  // --repo is accepted before or after the subcommand (subcommands fall through to it).
  app.add_option("--repo", converge::cli::repo_flag_storage(),
                 "the node's repository (default: $CONVERGE_PATH, else ~/.converge)");
  app.fallthrough();
  app.add_subcommand("version", "print the version")->callback([] { std::printf("converge %s\n", CONVERGE_VERSION); });
  converge::cli::setup_all_groups(app);
  // CLI11 reports an unknown command as "a subcommand is required"; name it instead.
  if (argc > 1 && argv[1][0] != '-') {
    bool known = false;
    for (const auto* sub : app.get_subcommands([](CLI::App*) { return true; })) known |= sub->get_name() == argv[1];
    if (!known) {
      std::fprintf(stderr, "converge: unknown command '%s' (see --help)\n", argv[1]);
      return 2;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // One line naming the problem, like every other failure; usage stays behind --help.
    std::fprintf(stderr, "converge: %s (see --help)\n", e.what());
    return 2;
  } catch (const converge::cli::cli_error& e) {
    std::fprintf(stderr, "converge: %s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "converge: unexpected error: %s\n", e.what());
    return 1;
  }
  return 0;
}
