#include "agent/installer_archive.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "agent/installer_support.hpp"
#include "agent/libarchive_api.hpp"

namespace converge::agent {
namespace {

constexpr std::size_t max_path_length = 4096;
constexpr std::size_t max_component_length = 255;
constexpr int max_symlink_hops = 40;

struct fd_guard {
  int fd = -1;
  explicit fd_guard(int f) : fd(f) {}
  fd_guard(const fd_guard&) = delete;
  fd_guard& operator=(const fd_guard&) = delete;
  fd_guard(fd_guard&& o) noexcept : fd(o.fd) { o.fd = -1; }
  ~fd_guard() {
    if (fd >= 0) ::close(fd);
  }
};

std::unexpected<error> bad(const std::string& entry, const std::string& why) {
  return fail(installer_errc::bad_package, "entry \"" + entry + "\": " + why);
}

std::unexpected<error> io_fail(const std::string& what, int e) {
  return fail(installer_errc::io, what + ": " + std::strerror(e));
}

std::string join(const std::vector<std::string>& parts, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    if (i) out += '/';
    out += parts[i];
  }
  return out;
}

// Splits a relative entry path into components, dropping "" and "."; fails on
// absolute paths and "..".
result<std::vector<std::string>> split_entry_path(const std::string& path) {
  if (path.empty()) return bad(path, "empty path");
  if (path.size() > max_path_length) return bad(path.substr(0, 64) + "...", "path longer than 4096 bytes");
  if (path[0] == '/') return bad(path, "absolute path");
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= path.size()) {
    auto end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    std::string c = path.substr(start, end - start);
    if (c == "..") return bad(path, "\"..\" in the path");
    if (c.size() > max_component_length) return bad(path, "a path component is longer than 255 bytes");
    if (!c.empty() && c != ".") parts.push_back(std::move(c));
    start = end + 1;
  }
  return parts;
}

// The lexical check of a symlink target, relative to the link's directory at
// depth `depth` below the slot; the resolution check after unpacking is the real one.
bool lexically_inside(std::string_view target, std::size_t depth) {
  long d = static_cast<long>(depth);
  std::size_t start = 0;
  while (start <= target.size()) {
    auto end = target.find('/', start);
    if (end == std::string_view::npos) end = target.size();
    auto c = target.substr(start, end - start);
    if (c == "..") {
      if (--d < 0) return false;
    } else if (!c.empty() && c != ".") {
      ++d;
    }
    start = end + 1;
  }
  return true;
}

// Opens (creating as needed) the directory parts[0..n) below root, never following a symlink.
result<fd_guard> open_dirs(int root_fd, const std::vector<std::string>& parts, std::size_t n, const std::string& entry) {
  fd_guard cur(::dup(root_fd));
  if (cur.fd < 0) return io_fail("dup", errno);
  for (std::size_t i = 0; i < n; ++i) {
    if (::mkdirat(cur.fd, parts[i].c_str(), 0755) != 0 && errno != EEXIST)
      return io_fail(join(parts, i + 1), errno);
    int next = ::openat(cur.fd, parts[i].c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (next < 0) {
      if (errno == ELOOP || errno == ENOTDIR) return bad(entry, "\"" + join(parts, i + 1) + "\" is not a directory (a symlink or a file)");
      return io_fail(join(parts, i + 1), errno);
    }
    fd_guard nf(next);
    std::swap(cur.fd, nf.fd);
  }
  return cur;
}

// Resolves the link at `parts` inside root, following every link on the way as
// the kernel would, and fails when the resolution leaves root.
result<void> check_link_resolution(int root_fd, const std::vector<std::string>& parts) {
  std::deque<std::string> pending(parts.begin(), parts.end());
  std::vector<std::string> stack;
  int hops = 0;
  const std::string name = join(parts, parts.size());
  while (!pending.empty()) {
    std::string c = std::move(pending.front());
    pending.pop_front();
    if (c.empty() || c == ".") continue;
    if (c == "..") {
      if (stack.empty()) return bad(name, "symlink resolves outside the package");
      stack.pop_back();
      continue;
    }
    stack.push_back(std::move(c));
    std::string here = join(stack, stack.size());
    struct stat st{};
    if (::fstatat(root_fd, here.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;   // dangling: the rest is lexical
    if (!S_ISLNK(st.st_mode)) continue;
    if (++hops > max_symlink_hops) return bad(name, "too many levels of symlinks");
    std::array<char, max_path_length + 1> buf{};
    ssize_t n = ::readlinkat(root_fd, here.c_str(), buf.data(), max_path_length);
    if (n < 0) return io_fail(here, errno);
    std::string target(buf.data(), static_cast<std::size_t>(n));
    if (target.empty() || target[0] == '/') return bad(name, "symlink resolves to an absolute path");
    stack.pop_back();
    std::vector<std::string> tparts;
    std::size_t start = 0;
    while (start <= target.size()) {
      auto end = target.find('/', start);
      if (end == std::string::npos) end = target.size();
      tparts.push_back(target.substr(start, end - start));
      start = end + 1;
    }
    pending.insert(pending.begin(), tparts.begin(), tparts.end());
  }
  return ok();
}

result<void> fsync_tree(const std::filesystem::path& dir) {
  std::error_code ec;
  if (auto r = fsync_dir(dir); !r) return r;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec); !ec && it != std::filesystem::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->is_directory(ec) && !it->is_symlink(ec)) {
      if (auto r = fsync_dir(it->path()); !r) return r;
    }
  }
  if (ec) return fail(installer_errc::io, dir.string() + ": " + ec.message());
  return ok();
}

struct archive_deleter {
  const libarchive_api* la;
  void operator()(archive* a) const { la->archive_read_free(a); }
};

result<void> write_all(int fd, const char* data, std::size_t size, const std::string& what) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_fail(what, errno);
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return ok();
}

}  // namespace

archive_kind archive_kind_for(std::string_view name) {
  auto ends = [&](std::string_view suffix) {
    return name.size() > suffix.size() && name.substr(name.size() - suffix.size()) == suffix;
  };
  if (ends(".tar")) return archive_kind::tar;
  if (ends(".tar.gz") || ends(".tgz")) return archive_kind::tar_gz;
  if (ends(".tar.zst") || ends(".tzst")) return archive_kind::tar_zst;
  if (ends(".zip")) return archive_kind::zip;
  return archive_kind::none;
}

std::string_view to_string(archive_kind k) {
  switch (k) {
    case archive_kind::none: return "none";
    case archive_kind::tar: return "tar";
    case archive_kind::tar_gz: return "tar.gz";
    case archive_kind::tar_zst: return "tar.zst";
    case archive_kind::zip: return "zip";
  }
  return "?";
}

result<void> unpack_archive(const std::filesystem::path& path, archive_kind kind, const std::filesystem::path& dir,
                            const unpack_limits& limits) {
  auto loaded = libarchive();
  if (!loaded) return fail(loaded.error());
  const libarchive_api* la = *loaded;
  std::unique_ptr<archive, archive_deleter> a(la->archive_read_new(), archive_deleter{la});
  if (!a) return fail(installer_errc::io, "archive_read_new failed");
  // Only the formats and filters the file name announces: a smaller attack surface,
  // and a mislabelled package fails clearly.
  switch (kind) {
    case archive_kind::none: return fail(installer_errc::bad_request, "not an archive");
    case archive_kind::tar: la->archive_read_support_format_tar(a.get()); break;
    case archive_kind::tar_gz:
      la->archive_read_support_format_tar(a.get());
      la->archive_read_support_filter_gzip(a.get());
      break;
    case archive_kind::tar_zst:
      la->archive_read_support_format_tar(a.get());
      la->archive_read_support_filter_zstd(a.get());
      break;
    case archive_kind::zip: la->archive_read_support_format_zip(a.get()); break;
  }
  if (la->archive_read_open_filename(a.get(), path.c_str(), 65536) != ARCHIVE_OK)
    return fail(installer_errc::bad_package, path.string() + ": " + la->archive_error_string(a.get()));

  fd_guard root(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (root.fd < 0) return io_fail(dir.string(), errno);

  std::uint64_t entries = 0, total = 0;
  std::vector<std::vector<std::string>> links;
  std::vector<char> buf(65536);
  for (;;) {
    archive_entry* e = nullptr;
    int rc = la->archive_read_next_header(a.get(), &e);
    if (rc == ARCHIVE_EOF) break;
    if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN)
      return fail(installer_errc::bad_package, path.string() + ": " + la->archive_error_string(a.get()));
    if (++entries > limits.max_entries)
      return fail(installer_errc::bad_package, "more than " + std::to_string(limits.max_entries) + " entries");
    const char* raw = la->archive_entry_pathname(e);
    if (raw == nullptr) raw = la->archive_entry_pathname_utf8(e);
    if (raw == nullptr) return fail(installer_errc::bad_package, "an entry without a path");
    std::string name(raw);
    auto parts = split_entry_path(name);
    if (!parts) return std::unexpected(parts.error());
    if (la->archive_entry_hardlink(e) != nullptr) return bad(name, "hard links are not supported");
    auto type = la->archive_entry_filetype(e);
    if (parts->empty()) {
      if (type == AE_IFDIR) continue;   // "./": the slot itself
      return bad(name, "empty path");
    }
    auto parent = open_dirs(root.fd, *parts, parts->size() - 1, name);
    if (!parent) return std::unexpected(parent.error());
    const std::string& leaf = parts->back();
    if (type == AE_IFDIR) {
      if (::mkdirat(parent->fd, leaf.c_str(), 0755) != 0) {
        struct stat st{};
        if (errno != EEXIST) return io_fail(name, errno);
        if (::fstatat(parent->fd, leaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISDIR(st.st_mode))
          return bad(name, "duplicate entry");
      }
    } else if (type == AE_IFLNK) {
      const char* t = la->archive_entry_symlink(e);
      if (t == nullptr) t = la->archive_entry_symlink_utf8(e);
      std::string target = t ? t : "";
      if (target.empty()) return bad(name, "symlink without a target");
      if (target[0] == '/') return bad(name, "symlink to an absolute path");
      if (!lexically_inside(target, parts->size() - 1)) return bad(name, "symlink points outside the package");
      if (::symlinkat(target.c_str(), parent->fd, leaf.c_str()) != 0) {
        if (errno == EEXIST) return bad(name, "duplicate entry");
        return io_fail(name, errno);
      }
      links.push_back(*parts);
    } else if (type == AE_IFREG) {
      if (la->archive_entry_size_is_set(e) && la->archive_entry_size(e) > 0 &&
          static_cast<std::uint64_t>(la->archive_entry_size(e)) > limits.max_bytes - total)
        return bad(name, "unpacked size exceeds " + std::to_string(limits.max_bytes) + " bytes");
      mode_t mode = (la->archive_entry_perm(e) & 0111) ? 0755 : 0644;
      fd_guard f(::openat(parent->fd, leaf.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode));
      if (f.fd < 0) {
        if (errno == EEXIST || errno == ELOOP) return bad(name, "duplicate entry");
        return io_fail(name, errno);
      }
      for (;;) {
        la_ssize_t n = la->archive_read_data(a.get(), buf.data(), buf.size());
        if (n < 0) return fail(installer_errc::bad_package, name + ": " + la->archive_error_string(a.get()));
        if (n == 0) break;
        total += static_cast<std::uint64_t>(n);
        if (total > limits.max_bytes) return bad(name, "unpacked size exceeds " + std::to_string(limits.max_bytes) + " bytes");
        if (auto w = write_all(f.fd, buf.data(), static_cast<std::size_t>(n), name); !w) return w;
      }
      if (::fchmod(f.fd, mode) != 0) return io_fail(name, errno);   // the umask may have narrowed it
      if (::fsync(f.fd) != 0) return io_fail(name + ": fsync", errno);
    } else {
      return bad(name, "unsupported entry type (only files, directories and symlinks)");
    }
  }
  for (const auto& link : links)
    if (auto r = check_link_resolution(root.fd, link); !r) return r;
  return fsync_tree(dir);
}

result<void> copy_package(const std::filesystem::path& file, const std::filesystem::path& dir, const std::string& name,
                          const unpack_limits& limits) {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos)
    return fail(installer_errc::bad_request, "package file name \"" + name + "\" is not a plain file name");
  fd_guard in(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (in.fd < 0) return io_fail(file.string(), errno);
  struct stat st{};
  if (::fstat(in.fd, &st) != 0) return io_fail(file.string(), errno);
  if (!S_ISREG(st.st_mode)) return fail(installer_errc::bad_request, file.string() + ": not a regular file");
  if (static_cast<std::uint64_t>(st.st_size) > limits.max_bytes)
    return fail(installer_errc::bad_package, file.string() + ": larger than " + std::to_string(limits.max_bytes) + " bytes");
  mode_t mode = (st.st_mode & 0111) ? 0755 : 0644;
  auto out_path = dir / name;
  fd_guard out(::open(out_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode));
  if (out.fd < 0) return io_fail(out_path.string(), errno);
  auto copied = read_all(in.fd, file, [&](std::string_view chunk) {
    return write_all(out.fd, chunk.data(), chunk.size(), out_path.string());
  });
  if (!copied) return copied;
  if (::fchmod(out.fd, mode) != 0) return io_fail(out_path.string(), errno);
  if (::fsync(out.fd) != 0) return io_fail(out_path.string() + ": fsync", errno);
  return fsync_dir(dir);
}

}  // namespace converge::agent
