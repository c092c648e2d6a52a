// Delta benchmark harness: for each release pair, makes and applies a patch
// with converge, Debian's bsdiff and xdelta3, and
// the zstd CLI with --patch-from; measures patch size (% of the new file),
// wall time and peak RSS (wait4's ru_maxrss) of every make and apply, and
// checks every rebuilt file against the new one. One pass, no repetitions:
// the machine is shared. Prepare inputs with bench/delta/setup.sh; the
// harness is the build target delta_bench.
//
//   delta_bench PAIRS.txt --converge PATH [--work DIR] [--exe-method M] [--zip-method M]
// PAIRS.txt lines: "<name> <exe|zip> <old path> <new path>". --exe-method and
// --zip-method pass `--method M` to converge for that kind of pair (default
// auto, which also tries the slower zstd-prefix method). At the end: the
// median per kind and tool, and per kind the median of converge's patch
// divided by bsdiff's and by the best byte-level tool's (bsdiff, xdelta3,
// zstd) on the same pair.
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "delta/delta.hpp"

namespace {

struct run_result {
  bool ok = false;
  double seconds = 0;
  long max_rss_kb = 0;
  std::string output;
};

// Runs argv with stdout+stderr captured; measures wall time and the child's peak RSS.
run_result run(const std::vector<std::string>& argv, const std::string& capture) {
  run_result r;
  std::fflush(stdout);  // or the child's freopen flushes our buffer a second time
  auto start = std::chrono::steady_clock::now();
  pid_t pid = fork();
  if (pid == 0) {
    FILE* f = std::freopen(capture.c_str(), "w", stdout);
    if (f != nullptr) dup2(fileno(stdout), 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  rusage ru{};
  wait4(pid, &status, 0, &ru);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  r.max_rss_kb = ru.ru_maxrss;
  r.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  std::ifstream in(capture);
  r.output.assign(std::istreambuf_iterator<char>(in), {});
  return r;
}

long file_size(const std::string& p) {
  struct stat sb {};
  return stat(p.c_str(), &sb) == 0 ? static_cast<long>(sb.st_size) : -1;
}

bool same_file(const std::string& a, const std::string& b) {
  std::ifstream fa(a, std::ios::binary), fb(b, std::ios::binary);
  return std::equal(std::istreambuf_iterator<char>(fa), {}, std::istreambuf_iterator<char>(fb), {});
}

struct tool {
  std::string name;
  std::vector<std::string> make, apply;  // OLD NEW PATCH OUT substituted
};

std::vector<std::string> subst(std::vector<std::string> v, const std::map<std::string, std::string>& m) {
  for (auto& a : v)
    for (const auto& [k, val] : m)
      for (std::size_t at; (at = a.find(k)) != std::string::npos;) a.replace(at, k.size(), val);
  return v;
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v.size() % 2 != 0 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: delta_bench PAIRS.txt --converge PATH [--work DIR] [--exe-method M] [--zip-method M]\n");
    return 2;
  }
  std::string pairs_path = argv[1], converge, work = "/tmp/converge-delta-bench/work";
  std::map<std::string, std::string> method_of{{"exe", "auto"}, {"zip", "auto"}};
  for (int i = 2; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--converge") == 0) converge = argv[i + 1];
    if (std::strcmp(argv[i], "--work") == 0) work = argv[i + 1];
    if (std::strcmp(argv[i], "--exe-method") == 0) method_of["exe"] = argv[i + 1];
    if (std::strcmp(argv[i], "--zip-method") == 0) method_of["zip"] = argv[i + 1];
  }
  if (std::system(("mkdir -p '" + work + "'").c_str()) != 0) return 1;
  std::vector<tool> tools{
      {"converge", {converge, "delta", "make", "OLD", "NEW", "-o", "PATCH", "--max-ratio", "1000"},
       {converge, "delta", "apply", "OLD", "PATCH", "-o", "OUT"}},
      {"bsdiff", {"bsdiff", "OLD", "NEW", "PATCH"}, {"bspatch", "OLD", "OUT", "PATCH"}},
      {"xdelta3", {"xdelta3", "-e", "-9", "-f", "-s", "OLD", "NEW", "PATCH"}, {"xdelta3", "-d", "-f", "-s", "OLD", "PATCH", "OUT"}},
      {"zstd", {"zstd", "-q", "-f", "-19", "--patch-from=OLD", "NEW", "-o", "PATCH"},
       {"zstd", "-q", "-f", "-d", "--long=31", "--patch-from=OLD", "PATCH", "-o", "OUT"}},
  };
  std::map<std::string, std::map<std::string, std::vector<double>>> pct;  // kind -> tool -> % of new
  std::map<std::string, std::vector<double>> vs_bsdiff, vs_best;  // kind -> converge / other, per pair
  std::printf("%-14s %-4s %-9s %10s %8s %8s %8s %8s %8s %s\n", "pair", "kind", "tool", "patch", "%new", "make_s",
              "make_MB", "apply_s", "apply_MB", "check");
  std::ifstream pairs(pairs_path);
  for (std::string line; std::getline(pairs, line);) {
    std::istringstream ls(line);
    std::string name, kind, old_path, new_path;
    if (!(ls >> name >> kind >> old_path >> new_path)) continue;
    const double new_size = static_cast<double>(file_size(new_path));
    double best_byte_level = 1e300, converge_size = 0, bsdiff_size = 0;
    for (auto t : tools) {
      if (t.name == "converge") {
        t.make.push_back("--method");
        t.make.push_back(method_of.count(kind) != 0 ? method_of[kind] : "auto");
      }
      std::map<std::string, std::string> m{{"OLD", old_path}, {"NEW", new_path},
                                           {"PATCH", work + "/" + name + "." + t.name + ".patch"},
                                           {"OUT", work + "/" + name + "." + t.name + ".out"}};
      auto made = run(subst(t.make, m), work + "/make.log");
      auto patch_size = static_cast<double>(file_size(m["PATCH"]));
      auto applied = made.ok ? run(subst(t.apply, m), work + "/apply.log") : run_result{};
      bool good = made.ok && applied.ok && same_file(m["OUT"], new_path);
      double p = 100.0 * patch_size / new_size;
      std::printf("%-14s %-4s %-9s %10.0f %7.3f%% %8.2f %8.1f %8.2f %8.1f %s\n", name.c_str(), kind.c_str(), t.name.c_str(),
                  patch_size, p, made.seconds, made.max_rss_kb / 1024.0, applied.seconds, applied.max_rss_kb / 1024.0,
                  good ? "ok" : "FAILED");
      if (t.name == "converge") {
        std::istringstream out(made.output);
        for (std::string l; std::getline(out, l);)
          if (l.find("tried") != std::string::npos) std::printf("%31s%s\n", "", l.c_str());
        if (auto pf = converge::delta::input_source::open_file(m["PATCH"])) {
          if (auto info = converge::delta::inspect_patch(*pf)) {
            std::printf("%31s%s:", "", converge::delta::to_string(info->header.kind).c_str());
            for (const auto& [k, v] : info->details) std::printf(" %s %s;", k.c_str(), v.c_str());
            std::printf("\n");
          }
        }
        converge_size = good ? patch_size : 0;
      } else if (good) {
        best_byte_level = std::min(best_byte_level, patch_size);
        if (t.name == "bsdiff") bsdiff_size = patch_size;
      }
      if (good) pct[kind][t.name].push_back(p);
      std::remove(m["OUT"].c_str());
      std::fflush(stdout);
    }
    if (converge_size > 0 && bsdiff_size > 0) vs_bsdiff[kind].push_back(converge_size / bsdiff_size);
    if (converge_size > 0 && best_byte_level < 1e300) vs_best[kind].push_back(converge_size / best_byte_level);
  }
  std::printf("\nmedian patch size, %% of the new file\n");
  for (const auto& [kind, by_tool] : pct)
    for (const auto& [name, v] : by_tool) std::printf("  %-4s %-9s %7.3f%%  (%zu pairs)\n", kind.c_str(), name.c_str(), median(v), v.size());
  std::printf("\nmedian row per kind (%% of the new file; ratios are medians of per-pair ratios)\n");
  std::printf("  %-4s %9s %9s %9s %9s %16s %18s\n", "kind", "converge", "bsdiff", "xdelta3", "zstd", "converge/bsdiff",
              "converge/best-byte");
  for (auto& [kind, by_tool] : pct) {
    std::printf("  %-4s", kind.c_str());
    for (const char* t : {"converge", "bsdiff", "xdelta3", "zstd"})
      std::printf(" %8.3f%%", by_tool.count(t) != 0 ? median(by_tool[t]) : 0.0);
    std::printf(" %16.3f %18.3f\n", median(vs_bsdiff[kind]), median(vs_best[kind]));
  }
  return 0;
}
