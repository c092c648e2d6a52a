#pragma once
// Putting a package into a slot directory: unpacking an archive safely, or
// copying a single file. Internal to the linux-dir installer.
//
// Unpacking refuses (installer_errc::bad_package, detail naming the entry):
// absolute paths, `..` components, hard links, devices, FIFOs, sockets,
// duplicate entries, symlinks whose target is absolute or resolves outside the
// slot (checked by resolving every link inside the slot after unpacking, so
// chains of links cannot escape either), more than max_entries entries and more
// than max_bytes of file data. No entry is ever written through a symlink
// (every directory is opened with O_NOFOLLOW). Modes are normalised to 0755
// (any execute bit) or 0644; owners, setuid bits and times are not restored.
#include <cstdint>
#include <filesystem>
#include <string_view>

#include "agent/installer.hpp"

namespace converge::agent {

enum class archive_kind { none, tar, tar_gz, tar_zst, zip };

// By the file name's suffix: .tar, .tar.gz/.tgz, .tar.zst/.tzst, .zip; otherwise none.
archive_kind archive_kind_for(std::string_view file_name);
std::string_view to_string(archive_kind k);

struct unpack_limits {
  std::uint64_t max_bytes = 4ull << 30;   // file data summed over all entries
  std::uint64_t max_entries = 100'000;
};

// Unpacks `archive` (of the given kind, not none) into the existing, empty
// directory `dir`, fsyncing every file and directory written.
result<void> unpack_archive(const std::filesystem::path& archive, archive_kind kind,
                            const std::filesystem::path& dir, const unpack_limits& limits);

// Copies `file` to dir/name (mode 0755 when the source is executable, else 0644), fsynced.
result<void> copy_package(const std::filesystem::path& file, const std::filesystem::path& dir,
                          const std::string& name, const unpack_limits& limits);

}  // namespace converge::agent
