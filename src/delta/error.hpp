#pragma once
// Errors of the delta engine. Every hostile, corrupted or truncated patch maps
// to one of these codes with a detail naming what is wrong; nothing in a patch
// can make the applier crash or write outside its output.
#include <system_error>

#include "base/error.hpp"

namespace converge::delta {

enum class delta_errc {
  bad_magic = 1,      // not a converge patch (or an unknown format version)
  unsupported,        // a method or parameter this build does not know
  corrupt,            // the patch contradicts itself (counts, lengths, positions)
  truncated,          // the patch ends before its declared content
  too_large,          // a declared size exceeds the caller's limits
  old_mismatch,       // the old file is not the one the patch was made against
  hash_mismatch,      // the rebuilt output does not have the expected sha256
  io,                 // file system failure; detail names the path
  not_zip,            // input is not a ZIP archive this parser accepts
  no_benefit,         // no method made a patch clearly smaller than the full package
  invalid_argument,
  compression,        // zstd or zlib refused the data
};

const std::error_category& delta_category() noexcept;
inline std::error_code make_error_code(delta_errc e) noexcept { return {static_cast<int>(e), delta_category()}; }

}  // namespace converge::delta

template <>
struct std::is_error_code_enum<converge::delta::delta_errc> : std::true_type {};
