#pragma once
// The delta engine's entry points: make a patch (trying the methods and
// keeping the smallest), apply one with bounded memory, describe one.
// The patch format is specified in docs/DELTA_FORMAT.md.
#include <optional>
#include <string>
#include <vector>

#include "delta/format.hpp"
#include "delta/stream_codec.hpp"

namespace converge::delta {

enum class method_choice { automatic, cover, zstd, zip };

struct make_options {
  method_choice choice = method_choice::automatic;
  int zstd_level = 19;   // zstd level of the --patch-from method
  // Automatic choice only: the best patch is published only when it is at
  // most max_ratio times the compressed full package (min of the new file as
  // is and its zstd compression); otherwise make_patch fails with no_benefit.
  double max_ratio = 0.9;
  // zstd level for that full-package estimate (long-distance matching on).
  int full_level = 9;
  codec_options codecs{};  // library codecs tried for the cover/zip methods' streams
};

struct make_report {
  method chosen = method::cover;
  std::uint64_t patch_size = 0;
  std::uint64_t full_size = 0;  // compressed full package, automatic choice only
  std::vector<std::pair<method, std::uint64_t>> tried;  // every method that produced a patch
  std::vector<std::string> skipped;                      // methods that did not apply, and why
};

result<bytes> make_patch(bytes_view old_data, bytes_view new_data, const make_options& opts = {},
                         make_report* report = nullptr);

// Rebuilds the new file into `out`. The old file's size and sha256 are checked
// first; the output's size and sha256 by out.commit(). `expect`, when given,
// must equal the patch's declared target hash.
result<void> apply_patch(const input_source& old_file, const input_source& patch, output_sink& out,
                         const apply_limits& limits = {}, const std::optional<digest>& expect = std::nullopt);

// The method-specific part of apply_patch, after its checks of the old file
// (for fuzzing the body parsers, which a random old file would never reach).
result<void> apply_body(const patch_header& h, const input_source& old_file, const input_source& patch,
                        output_sink& out, const apply_limits& limits = {});

// File to file: writes "<out_path>.cvpart", verifies, renames over out_path.
result<void> apply_patch_file(const std::string& old_path, const std::string& patch_path, const std::string& out_path,
                              apply_limits limits = {}, const std::optional<digest>& expect = std::nullopt);

// In memory, for tests and fuzzing.
result<bytes> apply_patch_memory(bytes_view old_data, bytes_view patch, const apply_limits& limits = {});

struct patch_info {
  patch_header header;
  std::vector<std::pair<std::string, std::string>> details;  // method-specific facts, in order
};
result<patch_info> inspect_patch(const input_source& patch);

}  // namespace converge::delta
