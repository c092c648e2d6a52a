#pragma once
// Errors of the unixfs module (dag-pb codec, UnixFS data, importer, exporter).
#include <system_error>

#include "base/error.hpp"

namespace converge::unixfs {

enum class unixfs_errc {
  malformed_pb = 1,     // bytes are not a valid dag-pb PBNode (detail names field and offset)
  malformed_unixfs,     // the PBNode's Data is not a valid UnixFS Data message
  unsupported,          // valid but not handled here (HAMT shards, metadata nodes, unknown codecs)
  inconsistent,         // sizes in a node disagree with its children or with the content
  too_large,            // a bound was crossed (node size, links, depth, total size)
  not_a_file,           // a file operation on a directory or symlink
  not_a_directory,      // a path step through a non-directory
  not_found,            // a path component that the directory does not have
  invalid_argument,
  io,
};

const std::error_category& unixfs_category() noexcept;
inline std::error_code make_error_code(unixfs_errc e) noexcept { return {static_cast<int>(e), unixfs_category()}; }

}  // namespace converge::unixfs

template <>
struct std::is_error_code_enum<converge::unixfs::unixfs_errc> : std::true_type {};
