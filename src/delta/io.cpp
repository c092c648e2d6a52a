#include "delta/io.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace converge::delta {

namespace {
std::string errno_text(const std::string& what) { return what + ": " + std::strerror(errno); }

result<void> pwrite_all(int fd, bytes_view data, std::uint64_t off, const std::string& name) {
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::pwrite(fd, data.data() + done, data.size() - done, static_cast<off_t>(off + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(delta_errc::io, errno_text(name));
    }
    done += static_cast<std::size_t>(n);
  }
  return ok();
}
}  // namespace

// ---- sha256 ----
static_assert(sizeof(crypto_hash_sha256_state) <= 128);

sha256::sha256() { crypto_hash_sha256_init(reinterpret_cast<crypto_hash_sha256_state*>(state_.data())); }
void sha256::update(bytes_view data) {
  crypto_hash_sha256_update(reinterpret_cast<crypto_hash_sha256_state*>(state_.data()), data.data(), data.size());
}
digest sha256::finish() {
  digest d{};
  crypto_hash_sha256_final(reinterpret_cast<crypto_hash_sha256_state*>(state_.data()), d.data());
  return d;
}
digest sha256_of(bytes_view data) {
  sha256 h;
  h.update(data);
  return h.finish();
}

// ---- input_source ----
struct input_source::state {
  int fd = -1;
  std::string name;
  bytes owned;
  bytes_view mem;
  mutable const std::uint8_t* map = nullptr;
  std::uint64_t size = 0;
  ~state() {
    if (map != nullptr) ::munmap(const_cast<std::uint8_t*>(map), size);
    if (fd >= 0) ::close(fd);
  }
};

result<input_source> input_source::from_fd(int fd, std::string name) {
  struct stat sb{};
  if (::fstat(fd, &sb) != 0) {
    auto e = fail(delta_errc::io, errno_text(name));
    ::close(fd);
    return e;
  }
  input_source s;
  s.st_ = std::make_shared<state>();
  s.st_->fd = fd;
  s.st_->name = std::move(name);
  s.st_->size = static_cast<std::uint64_t>(sb.st_size);
  s.size_ = s.st_->size;
  return s;
}

result<input_source> input_source::open_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(delta_errc::io, errno_text(path));
  return from_fd(fd, path);
}

input_source input_source::from_memory(bytes_view data) {
  input_source s;
  s.st_ = std::make_shared<state>();
  s.st_->mem = data;
  s.st_->name = "<memory>";
  s.st_->size = data.size();
  s.size_ = data.size();
  return s;
}

input_source input_source::from_owned(bytes data) {
  input_source s;
  s.st_ = std::make_shared<state>();
  s.st_->owned = std::move(data);
  s.st_->mem = s.st_->owned;
  s.st_->name = "<memory>";
  s.st_->size = s.st_->owned.size();
  s.size_ = s.st_->size;
  return s;
}

const std::string& input_source::name() const { return st_->name; }

result<void> input_source::read_at(std::uint64_t off, std::span<std::uint8_t> out) const {
  if (off > size_ || out.size() > size_ - off)
    return fail(delta_errc::truncated, st_->name + ": read of " + std::to_string(out.size()) + " bytes at offset " +
                                           std::to_string(off) + " past its end (" + std::to_string(size_) + ")");
  if (out.empty()) return ok();
  if (st_->fd < 0) {
    std::memcpy(out.data(), st_->mem.data() + off, out.size());
    return ok();
  }
  std::size_t done = 0;
  while (done < out.size()) {
    ssize_t n = ::pread(st_->fd, out.data() + done, out.size() - done, static_cast<off_t>(off + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(delta_errc::io, errno_text(st_->name));
    }
    if (n == 0) return fail(delta_errc::io, st_->name + ": file shrank while reading");
    done += static_cast<std::size_t>(n);
  }
  return ok();
}

result<bytes_view> input_source::map() const {
  if (st_->fd < 0) return st_->mem;
  if (size_ == 0) return bytes_view{};
  if (st_->map == nullptr) {
    void* p = ::mmap(nullptr, size_, PROT_READ, MAP_SHARED, st_->fd, 0);
    if (p == MAP_FAILED) return fail(delta_errc::io, errno_text(st_->name + ": mmap"));
    st_->map = static_cast<const std::uint8_t*>(p);
  }
  return bytes_view{st_->map, size_};
}

void input_source::drop_mapped_pages() const {
  if (st_->map != nullptr) ::madvise(const_cast<std::uint8_t*>(st_->map), size_, MADV_DONTNEED);
}

result<digest> input_source::hash() const {
  sha256 h;
  bytes buf(1 << 16);
  for (std::uint64_t off = 0; off < size_;) {
    auto n = static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), size_ - off));
    if (auto r = read_at(off, {buf.data(), n}); !r) return fail(r.error());
    h.update({buf.data(), n});
    off += n;
  }
  return h.finish();
}

// ---- output_sink ----
result<std::unique_ptr<output_sink>> output_sink::to_file(const std::string& path, std::uint64_t declared_size) {
  std::unique_ptr<output_sink> s(new output_sink());
  s->path_ = path;
  s->tmp_ = path + ".cvpart";
  s->declared_ = declared_size;
  s->fd_ = ::open(s->tmp_.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (s->fd_ < 0) return fail(delta_errc::io, errno_text(s->tmp_));
  return s;
}

std::unique_ptr<output_sink> output_sink::to_memory(std::uint64_t declared_size) {
  std::unique_ptr<output_sink> s(new output_sink());
  s->memory_ = true;
  s->declared_ = declared_size;
  return s;
}

output_sink::~output_sink() {
  if (map_ != nullptr) ::munmap(map_, declared_);
  if (fd_ >= 0) {
    ::close(fd_);
    if (!committed_) ::unlink(tmp_.c_str());
  }
}

result<void> output_sink::write(bytes_view data) {
  if (map_ != nullptr || (memory_ && mem_.size() != written_))
    return fail(delta_errc::invalid_argument, "sequential write after map_all");
  if (data.size() > declared_ - written_)
    return fail(delta_errc::corrupt, "patch writes past the declared output size " + std::to_string(declared_));
  if (memory_) {
    mem_.insert(mem_.end(), data.begin(), data.end());
  } else if (auto r = pwrite_all(fd_, data, written_, tmp_); !r) {
    return r;
  }
  hash_.update(data);
  written_ += data.size();
  return ok();
}

result<std::span<std::uint8_t>> output_sink::map_all() {
  if (written_ != 0) return fail(delta_errc::invalid_argument, "map_all after writes");
  if (memory_) {
    mem_.assign(declared_, 0);
    return std::span<std::uint8_t>(mem_);
  }
  if (declared_ == 0) return std::span<std::uint8_t>{};
  if (::ftruncate(fd_, static_cast<off_t>(declared_)) != 0) return fail(delta_errc::io, errno_text(tmp_));
  void* p = ::mmap(nullptr, declared_, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0);
  if (p == MAP_FAILED) return fail(delta_errc::io, errno_text(tmp_ + ": mmap"));
  map_ = static_cast<std::uint8_t*>(p);
  return std::span<std::uint8_t>(map_, declared_);
}

result<void> output_sink::advance_mapped(std::uint64_t upto) {
  if (upto < written_ || upto > declared_) return fail(delta_errc::invalid_argument, "advance_mapped out of range");
  const std::uint8_t* base = memory_ ? mem_.data() : map_;
  if (upto > written_) hash_.update({base + written_, static_cast<std::size_t>(upto - written_)});
  written_ = upto;
  // Dirty shared pages stay in the page cache when unmapped from this process.
  // Every whole page behind the write position is released, including pages
  // that back-references faulted in again since the last release.
  if (map_ != nullptr) {
    const std::uint64_t page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
    std::uint64_t end = written_ / page * page;
    if (end > dropped_ + (std::uint64_t{1} << 20)) {
      ::madvise(map_, end, MADV_DONTNEED);
      dropped_ = end;
    }
  }
  return ok();
}

result<void> output_sink::commit(const digest& expected) {
  if (written_ != declared_)
    return fail(delta_errc::corrupt, "output is " + std::to_string(written_) + " bytes, the patch declares " +
                                         std::to_string(declared_));
  digest got = hash_.finish();
  if (got != expected)
    return fail(delta_errc::hash_mismatch, "rebuilt output has sha256 " + to_hex(got) + ", expected " + to_hex(expected));
  if (memory_) {
    committed_ = true;
    return ok();
  }
  if (map_ != nullptr) {
    if (::msync(map_, declared_, MS_SYNC) != 0) return fail(delta_errc::io, errno_text(tmp_ + ": msync"));
    ::munmap(map_, declared_);
    map_ = nullptr;
  }
  if (::fsync(fd_) != 0) return fail(delta_errc::io, errno_text(tmp_ + ": fsync"));
  if (::rename(tmp_.c_str(), path_.c_str()) != 0) return fail(delta_errc::io, errno_text(path_ + ": rename"));
  committed_ = true;
  auto dir = std::filesystem::path(path_).parent_path();
  int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return ok();
}

// ---- scratch_writer ----
result<scratch_writer> scratch_writer::create(const std::string& dir, std::uint64_t limit) {
  scratch_writer w;
  w.limit_ = limit;
  if (dir.empty()) return w;
  w.fd_ = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (w.fd_ < 0) {
    std::string tmpl = dir + "/.converge-scratch-XXXXXX";
    w.fd_ = ::mkostemp(tmpl.data(), O_CLOEXEC);
    if (w.fd_ < 0) return fail(delta_errc::io, errno_text(tmpl));
    ::unlink(tmpl.c_str());
  }
  return w;
}

scratch_writer::scratch_writer(scratch_writer&& o) noexcept
    : fd_(std::exchange(o.fd_, -1)), mem_(std::move(o.mem_)), limit_(o.limit_), size_(o.size_), buf_(std::move(o.buf_)) {}

scratch_writer::~scratch_writer() {
  if (fd_ >= 0) ::close(fd_);
}

result<void> scratch_writer::write(bytes_view data) {
  if (data.size() > limit_ - size_) return fail(delta_errc::too_large, "scratch image exceeds " + std::to_string(limit_) + " bytes");
  if (fd_ < 0) {
    mem_.insert(mem_.end(), data.begin(), data.end());
  } else {
    buf_.insert(buf_.end(), data.begin(), data.end());
    if (buf_.size() >= (1u << 16)) {
      if (auto r = pwrite_all(fd_, buf_, size_ + data.size() - buf_.size(), "scratch file"); !r) return r;
      buf_.clear();
    }
  }
  size_ += data.size();
  return ok();
}

result<input_source> scratch_writer::finish() {
  if (fd_ < 0) return input_source::from_owned(std::move(mem_));
  if (auto r = pwrite_all(fd_, buf_, size_ - buf_.size(), "scratch file"); !r) return fail(r.error());
  buf_.clear();
  return input_source::from_fd(std::exchange(fd_, -1), "scratch file");
}

}  // namespace converge::delta
