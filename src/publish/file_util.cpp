#include "publish/file_util.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "publish/errors.hpp"

namespace converge::publish {

namespace fs = std::filesystem;

namespace {
struct fd_guard {
  int fd = -1;
  ~fd_guard() {
    if (fd >= 0) ::close(fd);
  }
};
std::unexpected<error> io_fail(const fs::path& p, const char* what) {
  return fail(publish_errc::io, p.string() + ": " + what + ": " + std::strerror(errno));
}
}  // namespace

result<std::string> read_bounded(const fs::path& p, std::size_t max_bytes) {
  fd_guard f{::open(p.c_str(), O_RDONLY | O_CLOEXEC)};
  if (f.fd < 0) return io_fail(p, "open");
  std::string out;
  char buf[64 * 1024];
  for (;;) {
    ssize_t n = ::read(f.fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_fail(p, "read");
    }
    if (n == 0) break;
    if (out.size() + static_cast<std::size_t>(n) > max_bytes)
      return fail(publish_errc::bad_request, p.string() + ": larger than " + std::to_string(max_bytes) + " bytes");
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

result<void> copy_file_synced(const fs::path& src, const fs::path& dst) {
  fd_guard in{::open(src.c_str(), O_RDONLY | O_CLOEXEC)};
  if (in.fd < 0) return io_fail(src, "open");
  fs::path tmp = dst;
  tmp += ".part";
  fd_guard out{::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)};
  if (out.fd < 0) return io_fail(tmp, "create");
  std::vector<char> buf(1 << 20);
  for (;;) {
    ssize_t n = ::read(in.fd, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_fail(src, "read");
    }
    if (n == 0) break;
    for (ssize_t off = 0; off < n;) {
      ssize_t w = ::write(out.fd, buf.data() + off, static_cast<std::size_t>(n - off));
      if (w < 0) {
        if (errno == EINTR) continue;
        return io_fail(tmp, "write");
      }
      off += w;
    }
  }
  if (::fsync(out.fd) != 0) return io_fail(tmp, "fsync");
  if (::rename(tmp.c_str(), dst.c_str()) != 0) return io_fail(dst, "rename");
  return ok();
}

result<void> sync_dir(const fs::path& dir) {
  fd_guard d{::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (d.fd < 0) return io_fail(dir, "open");
  if (::fsync(d.fd) != 0) return io_fail(dir, "fsync");
  return ok();
}

result<void> sync_tree(const fs::path& dir) {
  std::error_code ec;
  for (const auto& e : fs::recursive_directory_iterator(dir, ec))
    if (e.is_directory(ec))
      if (auto s = sync_dir(e.path()); !s) return s;
  if (ec) return fail(publish_errc::io, dir.string() + ": " + ec.message());
  return sync_dir(dir);
}

}  // namespace converge::publish
