#pragma once
// The libarchive functions the Linux directory installer calls, resolved from
// the shared library on first use instead of linked into converge.
//
// Reason: libarchive brings libxml2, ICU, nettle, lz4, bzip2 and acl with it,
// about 1.4 MiB of resident pages in every process that merely links it (their
// relocations and initialisers), and most devices never unpack an archive
// (Android, HarmonyOS and iOS hand packages to the OS installer through the
// command hook). A process pays for them only once it installs an archive.
#include <archive.h>
#include <archive_entry.h>

#include "base/error.hpp"

namespace converge::agent {

#define CONVERGE_LIBARCHIVE_FUNCTIONS(X)                                                                    \
  X(archive_read_new) X(archive_read_free) X(archive_read_support_format_tar)                             \
  X(archive_read_support_format_zip) X(archive_read_support_filter_gzip) X(archive_read_support_filter_zstd) \
  X(archive_read_open_filename) X(archive_read_next_header) X(archive_read_data) X(archive_error_string)    \
  X(archive_entry_pathname) X(archive_entry_pathname_utf8) X(archive_entry_hardlink)                       \
  X(archive_entry_filetype) X(archive_entry_symlink) X(archive_entry_symlink_utf8)                         \
  X(archive_entry_size_is_set) X(archive_entry_size) X(archive_entry_perm)

struct libarchive_api {
#define CONVERGE_LIBARCHIVE_MEMBER(name) decltype(&::name) name = nullptr;
  CONVERGE_LIBARCHIVE_FUNCTIONS(CONVERGE_LIBARCHIVE_MEMBER)
#undef CONVERGE_LIBARCHIVE_MEMBER
};

// Loads the library once per process (thread-safe); later calls return the
// same table, or the same error (installer_errc::io, naming the library and
// what dlopen or dlsym said).
result<const libarchive_api*> libarchive();

}  // namespace converge::agent
