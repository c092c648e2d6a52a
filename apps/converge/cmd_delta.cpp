// converge delta make|apply|info: binary deltas between package versions
// (docs/DELTA_FORMAT.md).
#include <cstdio>
#include <map>
#include <optional>
#include <string>

#include "base/bytes.hpp"
#include "command_registry.hpp"
#include "delta/delta.hpp"

namespace converge::cli {
namespace {

struct make_args {
  std::string old_path, new_path, out, method = "auto";
  double max_ratio = 0.9;
  int level = 0;  // 0: the defaults (19 for --patch-from, 22 for cover streams)
  bool zstd_only = false;
};
struct apply_args {
  std::string old_path, patch, out, expect;
};

std::string percent(std::uint64_t part, std::uint64_t whole) {
  if (whole == 0) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f%%", 100.0 * static_cast<double>(part) / static_cast<double>(whole));
  return buf;
}

void run_make(const make_args& a) {
  static const std::map<std::string, delta::method_choice> methods{{"auto", delta::method_choice::automatic},
                                                                   {"bsdiff", delta::method_choice::cover},
                                                                   {"zstd", delta::method_choice::zstd},
                                                                   {"zip", delta::method_choice::zip}};
  auto old_data = unwrap(read_file(a.old_path), "reading old file");
  auto new_data = unwrap(read_file(a.new_path), "reading new file");
  delta::make_options opts{.choice = methods.at(a.method), .max_ratio = a.max_ratio};
  if (a.level != 0) {
    opts.zstd_level = a.level;
    opts.codecs.zstd_level = a.level;
  }
  opts.codecs.try_lzma2 = !a.zstd_only;
  delta::make_report rep;
  auto patch = delta::make_patch(old_data, new_data, opts, &rep);
  for (const auto& s : rep.skipped) std::fprintf(stderr, "skipped %s\n", s.c_str());
  if (!patch) throw cli_error("no patch written: " + patch.error().message());
  unwrap(write_file_atomic(a.out, *patch), "writing patch");
  std::printf("%s: %s patch, %zu bytes (%s of the new file)\n", a.out.c_str(), delta::to_string(rep.chosen).c_str(),
              patch->size(), percent(patch->size(), new_data.size()).c_str());
  for (const auto& [m, size] : rep.tried)
    std::printf("  tried %-6s %10llu bytes\n", delta::to_string(m).c_str(), static_cast<unsigned long long>(size));
  if (rep.full_size != 0)
    std::printf("  compressed full package %llu bytes\n", static_cast<unsigned long long>(rep.full_size));
}

void run_apply(const apply_args& a) {
  std::optional<delta::digest> expect;
  if (!a.expect.empty()) {
    auto raw = unwrap(from_hex(a.expect), "--expect-sha256");
    if (raw.size() != 32) throw cli_error("--expect-sha256 must be 64 hex digits");
    expect.emplace();
    std::copy(raw.begin(), raw.end(), expect->begin());
  }
  unwrap(delta::apply_patch_file(a.old_path, a.patch, a.out, {}, expect), "applying " + a.patch);
  std::printf("%s: rebuilt and verified\n", a.out.c_str());
}

void run_info(const std::string& path) {
  auto patch = unwrap(delta::input_source::open_file(path));
  auto info = unwrap(delta::inspect_patch(patch), path);
  const auto& h = info.header;
  std::printf("method      %s\n", delta::to_string(h.kind).c_str());
  std::printf("old         %llu bytes, sha256 %s\n", static_cast<unsigned long long>(h.old_size), to_hex(h.old_sha256).c_str());
  std::printf("new         %llu bytes, sha256 %s\n", static_cast<unsigned long long>(h.new_size), to_hex(h.new_sha256).c_str());
  std::printf("patch       %llu bytes (%s of new)\n", static_cast<unsigned long long>(patch.size()),
              percent(patch.size(), h.new_size).c_str());
  for (const auto& [k, v] : info.details) std::printf("%-24s %s\n", k.c_str(), v.c_str());
}

void setup_delta(CLI::App& app) {
  auto* group = app.add_subcommand("delta", "make, apply and inspect binary deltas between package versions");
  group->require_subcommand(1);

  auto ma = std::make_shared<make_args>();
  auto* make = group->add_subcommand("make", "make a patch that turns OLD into NEW");
  make->add_option("OLD", ma->old_path, "old file")->required();
  make->add_option("NEW", ma->new_path, "new file")->required();
  make->add_option("-o,--output", ma->out, "patch file to write")->required();
  make->add_option("--method", ma->method, "auto tries every method and keeps the smallest")
      ->check(CLI::IsMember({"auto", "bsdiff", "zstd", "zip"}));
  make->add_option("--max-ratio", ma->max_ratio,
                   "auto: write no patch unless it is at most this fraction of the compressed full package")
      ->check(CLI::PositiveNumber);
  make->add_option("--level", ma->level, "zstd level (default 19 for --patch-from, 22 for cover streams)")
      ->check(CLI::Range(1, 22));
  make->add_flag("--zstd-only", ma->zstd_only, "cover streams: try zstd only, not LZMA2");
  make->callback([ma] { run_make(*ma); });

  auto aa = std::make_shared<apply_args>();
  auto* apply = group->add_subcommand("apply", "rebuild NEW from OLD and PATCH (verified before it is written)");
  apply->add_option("OLD", aa->old_path, "old file")->required();
  apply->add_option("PATCH", aa->patch, "patch file")->required();
  apply->add_option("-o,--output", aa->out, "file to create or replace")->required();
  apply->add_option("--expect-sha256", aa->expect, "the sha256 the rebuilt file must have (hex)");
  apply->callback([aa] { run_apply(*aa); });

  auto info_path = std::make_shared<std::string>();
  auto* info = group->add_subcommand("info", "describe a patch");
  info->add_option("PATCH", *info_path, "patch file")->required();
  info->callback([info_path] { run_info(*info_path); });
}

}  // namespace

CONVERGE_COMMAND_GROUP("delta", setup_delta);

}  // namespace converge::cli
