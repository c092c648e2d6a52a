// The converge command line. Every failure prints one line naming the problem
// and exits non-zero; nothing escapes as an exception or a stack trace.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>

int main(int argc, char** argv) {
  CLI::App app{"converge: a decentralized update network on libp2p and IPFS"};
  app.require_subcommand(1);
  auto* version = app.add_subcommand("version", "print the version");
  version->callback([] { std::printf("converge %s\n", CONVERGE_VERSION); });
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "converge: %s\n", e.what());
    return 1;
  }
  return 0;
}
