#include "blocks/blockstore.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <string>
#include <system_error>
#include <unordered_set>

#include "multiformats/multicodec.hpp"

namespace converge::blocks {
namespace fs = std::filesystem;

namespace {

constexpr std::size_t max_pins_file_bytes = 64 * 1024 * 1024;

auto io_fail(const fs::path& p, std::string_view what, int err) {
  return fail(blocks_errc::io, p.string() + ": " + std::string(what) + ": " + std::strerror(err));
}

void fsync_dir(const fs::path& dir) {
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

// Writes `data` to `tmp`, fsyncs, renames to `final_path`, fsyncs its directory.
result<void> write_durably(const fs::path& tmp, const fs::path& final_path, bytes_view data, bool sync) {
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return io_fail(tmp, "open", errno);
  auto bail = [&](const char* what) {
    int e = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    return io_fail(tmp, what, e);
  };
  std::size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return bail("write");
    }
    off += static_cast<std::size_t>(n);
  }
  if (sync && ::fsync(fd) != 0) return bail("fsync");
  ::close(fd);
  if (::rename(tmp.c_str(), final_path.c_str()) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    return io_fail(final_path, "rename", e);
  }
  if (sync) fsync_dir(final_path.parent_path());
  return ok();
}

const char* mode_name(pin_mode m) { return m == pin_mode::direct ? "direct" : "recursive"; }

}  // namespace

fs::path blockstore::path_of(const mf::multihash& mh) const {
  std::string hex = to_hex(mh.bytes());
  // Shard on the next-to-last two hex digits (flatfs's next-to-last/2): the
  // last digits of a digest are uniform, and a prefix would be the hash code.
  std::string shard = hex.substr(hex.size() - 3, 2);
  return dir_ / "blocks" / shard / (hex + ".data");
}

result<std::unique_ptr<blockstore>> blockstore::open(const fs::path& dir, blockstore_options options) {
  std::error_code ec;
  fs::create_directories(dir / "blocks", ec);
  if (ec) return fail(blocks_errc::io, (dir / "blocks").string() + ": " + ec.message());
  fs::create_directories(dir / "tmp", ec);
  if (ec) return fail(blocks_errc::io, (dir / "tmp").string() + ": " + ec.message());
  // Temporaries are blocks a crash interrupted before their rename: never visible, now removed.
  for (auto it = fs::directory_iterator(dir / "tmp", ec); !ec && it != fs::directory_iterator(); it.increment(ec))
    fs::remove(it->path(), ec);
  std::unique_ptr<blockstore> s(new blockstore(dir, options));
  if (auto r = s->scan(); !r) return fail(r.error());
  if (auto r = s->load_pins(); !r) return fail(r.error());
  return s;
}

result<void> blockstore::scan() {
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir_ / "blocks", ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    const auto& p = it->path();
    if (p.extension() != ".data") continue;
    auto raw = from_hex(p.stem().string());
    if (!raw) continue;  // not ours
    auto mh = mf::multihash::parse(*raw);
    if (!mh) continue;
    auto size = it->file_size(ec);
    if (ec) return fail(blocks_errc::io, p.string() + ": " + ec.message());
    total_bytes_ += size;
    index_.emplace(std::move(*mh), static_cast<std::size_t>(size));
  }
  if (ec) return fail(blocks_errc::io, (dir_ / "blocks").string() + ": " + ec.message());
  return ok();
}

result<bool> blockstore::put(const mf::cid& id, bytes_view data) {
  if (data.size() > options_.max_block_size)
    return fail(blocks_errc::too_large, "block " + id.to_string() + " is " + std::to_string(data.size()) +
                                            " bytes, limit " + std::to_string(options_.max_block_size));
  if (auto v = verify_block(id, data); !v) return fail(v.error());
  if (id.hash().code() == mf::codec::identity) return false;
  if (index_.contains(id.hash())) return false;
  if (total_bytes_ + data.size() > options_.max_total_bytes)
    return fail(blocks_errc::store_full, "storing " + std::to_string(data.size()) + " bytes would pass the limit of " +
                                             std::to_string(options_.max_total_bytes) + " (" +
                                             std::to_string(total_bytes_) + " used)");
  auto final_path = path_of(id.hash());
  std::error_code ec;
  fs::create_directories(final_path.parent_path(), ec);
  if (ec) return fail(blocks_errc::io, final_path.parent_path().string() + ": " + ec.message());
  auto tmp = dir_ / "tmp" / (std::to_string(::getpid()) + "." + std::to_string(tmp_counter_++));
  if (auto w = write_durably(tmp, final_path, data, options_.fsync); !w) return fail(w.error());
  index_.emplace(id.hash(), data.size());
  total_bytes_ += data.size();
  return true;
}

result<bytes> blockstore::get(const mf::cid& id) {
  if (id.hash().code() == mf::codec::identity) {
    auto d = id.hash().digest();
    return bytes(d.begin(), d.end());
  }
  auto it = index_.find(id.hash());
  if (it == index_.end()) return fail(blocks_errc::not_found, id.to_string());
  auto p = path_of(id.hash());
  auto data = read_file(p.string());
  if (!data) {
    // Someone removed the file behind our back: forget it.
    total_bytes_ -= it->second;
    index_.erase(it);
    return fail(blocks_errc::not_found, id.to_string() + ": " + data.error().detail);
  }
  if (auto v = verify_block(id, *data); !v) {
    // Bit rot or tampering: the block is useless, drop it so it can be fetched again.
    std::error_code ec;
    fs::remove(p, ec);
    total_bytes_ -= it->second;
    index_.erase(it);
    return fail(blocks_errc::corrupt, p.string() + ": " + v.error().detail + " (removed)");
  }
  return std::move(*data);
}

bool blockstore::has(const mf::cid& id) const {
  return id.hash().code() == mf::codec::identity || index_.contains(id.hash());
}

std::optional<std::size_t> blockstore::size_of(const mf::cid& id) const {
  if (id.hash().code() == mf::codec::identity) return id.hash().digest().size();
  auto it = index_.find(id.hash());
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

result<void> blockstore::remove(const mf::cid& id) {
  auto it = index_.find(id.hash());
  if (it == index_.end()) return ok();
  auto p = path_of(id.hash());
  if (::unlink(p.c_str()) != 0 && errno != ENOENT) return io_fail(p, "unlink", errno);
  total_bytes_ -= it->second;
  index_.erase(it);
  return ok();
}

std::vector<mf::cid> blockstore::list() const {
  std::vector<mf::cid> out;
  out.reserve(index_.size());
  for (const auto& [mh, size] : index_) out.push_back(mf::cid::v1(mf::codec::raw, mh));
  std::sort(out.begin(), out.end());
  return out;
}

// Pins file: one "<mode> <cid>" per line, rewritten atomically on each change.
result<void> blockstore::load_pins() {
  auto p = dir_ / "pins";
  std::error_code ec;
  if (!fs::exists(p, ec)) return ok();
  auto size = fs::file_size(p, ec);
  if (ec) return fail(blocks_errc::io, p.string() + ": " + ec.message());
  if (size > max_pins_file_bytes) return fail(blocks_errc::invalid_argument, p.string() + ": over " + std::to_string(max_pins_file_bytes) + " bytes");
  auto data = read_file(p.string());
  if (!data) return fail(blocks_errc::io, data.error().detail);
  std::string_view text = as_chars(*data);
  std::size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    auto nl = text.find('\n');
    auto line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    if (line.empty()) continue;
    auto sp = line.find(' ');
    auto bad = [&](std::string why) {
      return fail(blocks_errc::invalid_argument, p.string() + ":" + std::to_string(line_no) + ": " + why);
    };
    if (sp == std::string_view::npos) return bad("expected '<mode> <cid>'");
    auto mode = line.substr(0, sp);
    pin_mode m;
    if (mode == "direct") m = pin_mode::direct;
    else if (mode == "recursive") m = pin_mode::recursive;
    else return bad("unknown pin mode '" + std::string(mode) + "'");
    auto c = mf::cid::parse(line.substr(sp + 1));
    if (!c) return bad(c.error().message());
    if (pins_.size() >= options_.max_pins) return bad("more than " + std::to_string(options_.max_pins) + " pins");
    pins_.push_back({std::move(*c), m});
  }
  return ok();
}

result<void> blockstore::save_pins() const {
  std::string text;
  for (const auto& p : pins_) text += std::string(mode_name(p.mode)) + " " + p.root.to_string() + "\n";
  auto tmp = dir_ / "tmp" / "pins";
  return write_durably(tmp, dir_ / "pins", as_bytes(text), options_.fsync);
}

result<void> blockstore::pin(const mf::cid& root, pin_mode mode) {
  for (auto& p : pins_) {
    if (p.root == root) {
      if (p.mode == mode) return ok();
      auto old = p.mode;
      p.mode = mode;
      if (auto r = save_pins(); !r) {
        p.mode = old;
        return r;
      }
      return ok();
    }
  }
  if (pins_.size() >= options_.max_pins)
    return fail(blocks_errc::store_full, "pin limit of " + std::to_string(options_.max_pins) + " reached");
  pins_.push_back({root, mode});
  if (auto r = save_pins(); !r) {
    pins_.pop_back();
    return r;
  }
  return ok();
}

result<void> blockstore::unpin(const mf::cid& root) {
  auto it = std::find_if(pins_.begin(), pins_.end(), [&](const pin_entry& p) { return p.root == root; });
  if (it == pins_.end()) return fail(blocks_errc::not_found, "not pinned: " + root.to_string());
  auto saved = *it;
  pins_.erase(it);
  if (auto r = save_pins(); !r) {
    pins_.push_back(saved);
    return r;
  }
  return ok();
}

std::vector<pin_entry> blockstore::pins() const { return pins_; }

bool blockstore::is_pinned(const mf::cid& root) const {
  return std::any_of(pins_.begin(), pins_.end(), [&](const pin_entry& p) { return p.root == root; });
}

result<gc_report> blockstore::gc(const links_fn& links, const std::vector<mf::cid>& extra_roots) {
  std::unordered_set<mf::multihash> live, walked;
  std::deque<mf::cid> todo;
  for (const auto& p : pins_) {
    if (p.mode == pin_mode::direct) live.insert(p.root.hash());
    else todo.push_back(p.root);
  }
  for (const auto& r : extra_roots) todo.push_back(r);
  while (!todo.empty()) {
    auto c = std::move(todo.front());
    todo.pop_front();
    if (!walked.insert(c.hash()).second) continue;
    live.insert(c.hash());
    if (!has(c)) continue;  // a partial DAG keeps what it has
    auto data = get(c);
    if (!data) {
      if (data.error().code == make_error_code(blocks_errc::corrupt)) continue;
      return fail(data.error());
    }
    auto children = links(c, *data);
    if (!children) return fail(with_context(children.error(), "gc: links of " + c.to_string()));
    for (auto& child : *children) todo.push_back(std::move(child));
  }
  gc_report rep;
  std::vector<mf::multihash> dead;
  for (const auto& [mh, size] : index_) {
    if (live.contains(mh)) ++rep.blocks_kept;
    else dead.push_back(mh);
  }
  for (const auto& mh : dead) {
    auto size = index_.at(mh);
    if (auto r = remove(mf::cid::v1(mf::codec::raw, mh)); !r) return fail(r.error());
    ++rep.blocks_removed;
    rep.bytes_freed += size;
  }
  return rep;
}

}  // namespace converge::blocks
