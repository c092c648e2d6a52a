#pragma once
// The zstd --patch-from method: the new file is one zstd frame compressed with
// the old file as its prefix (ZSTD_CCtx_refPrefix), long-distance matching on
// and a window spanning old + new. The body is that frame, nothing else.
//
// Memory on apply: the decoder must see the whole old file and everything it
// has produced. Both are shared file mappings here (old read-only, output
// written in place through ZSTD_d_stableOutBuffer, so zstd allocates no
// window), and pages behind the decoder are released with MADV_DONTNEED as it
// goes: they stay in the page cache and refault on demand. The resident set
// stays small; the page cache holds old + new (reclaimable, file-backed).
#include <cstdint>

#include "delta/format.hpp"

namespace converge::delta {

result<bytes> make_prefix_body(bytes_view old_data, bytes_view new_data, int level);

result<void> apply_prefix_body(const input_source& old_file, const input_source& patch, std::uint64_t body_offset,
                               std::uint64_t body_size, output_sink& out, const apply_limits& limits);

// ceil(log2(n)), at least 10 (zstd's smallest window).
unsigned window_log_for(std::uint64_t n);

}  // namespace converge::delta
