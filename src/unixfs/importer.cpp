#include "unixfs/importer.hpp"

#include <algorithm>
#include <fstream>
#include <set>

#include "multiformats/multicodec.hpp"
#include "unixfs/dag_pb.hpp"
#include "unixfs/errors.hpp"
#include "unixfs/unixfs_data.hpp"

namespace converge::unixfs {

namespace {
result<void> check_options(const import_options& o) {
  if (o.cid_version > 1) return fail(unixfs_errc::invalid_argument, "cid version " + std::to_string(o.cid_version) + " (0 or 1)");
  if (o.chunk_size < 1 || o.chunk_size > 1024 * 1024)
    return fail(unixfs_errc::invalid_argument, "chunk size " + std::to_string(o.chunk_size) + " outside 1 .. 1048576");
  if (o.max_children < 2 || o.max_children > 8192)
    return fail(unixfs_errc::invalid_argument, "max children " + std::to_string(o.max_children) + " outside 2 .. 8192");
  return ok();
}

mf::cid make_cid(unsigned version, std::uint64_t codec, bytes_view block) {
  auto mh = mf::multihash::sum(mf::codec::sha2_256, block);
  if (version == 0 && codec == mf::codec::dag_pb) return *mf::cid::v0(std::move(mh));
  return mf::cid::v1(codec, std::move(mh));
}

result<imported> emit_pb(const pb_node& node, std::uint64_t file_size, std::uint64_t children_tsize,
                         const import_options& o, const block_sink& sink) {
  bytes block = encode_pb(node);
  auto c = make_cid(o.cid_version, mf::codec::dag_pb, block);
  if (auto r = sink(c, block); !r) return fail(r.error());
  return imported{std::move(c), file_size, block.size() + children_tsize};
}
}  // namespace

result<file_importer> file_importer::create(import_options options, block_sink sink) {
  if (auto r = check_options(options); !r) return fail(r.error());
  return file_importer(options, std::move(sink));
}

mf::cid file_importer::node_cid(std::uint64_t codec, bytes_view block) const {
  return make_cid(options_.cid_version, codec, block);
}

result<void> file_importer::write(bytes_view data) {
  if (finished_) return fail(unixfs_errc::invalid_argument, "write after finish");
  while (!data.empty()) {
    if (buffer_.empty() && data.size() >= options_.chunk_size) {
      if (auto r = emit_leaf(data.first(options_.chunk_size)); !r) return r;
      data = data.subspan(options_.chunk_size);
      continue;
    }
    std::size_t take = std::min(data.size(), options_.chunk_size - buffer_.size());
    append(buffer_, data.first(take));
    data = data.subspan(take);
    if (buffer_.size() == options_.chunk_size) {
      if (auto r = emit_leaf(buffer_); !r) return r;
      buffer_.clear();
    }
  }
  return ok();
}

result<void> file_importer::emit_leaf(bytes_view chunk) {
  ++leaves_;
  if (options_.raw_leaves) {
    auto c = mf::cid::v1(mf::codec::raw, mf::multihash::sum(mf::codec::sha2_256, chunk));
    if (auto r = sink_(c, chunk); !r) return r;
    return push(0, imported{std::move(c), chunk.size(), chunk.size()});
  }
  unixfs_data d{.type = data_type::file, .filesize = chunk.size()};
  if (!chunk.empty()) d.data = bytes(chunk.begin(), chunk.end());
  auto r = emit_pb(pb_node{{}, encode_unixfs(d)}, chunk.size(), 0, options_, sink_);
  if (!r) return fail(r.error());
  return push(0, std::move(*r));
}

result<imported> file_importer::reduce(std::vector<imported>& children) {
  unixfs_data d{.type = data_type::file};
  pb_node node;
  std::uint64_t size = 0, tsize = 0;
  for (auto& c : children) {
    d.blocksizes.push_back(c.file_size);
    size += c.file_size;
    tsize += c.tsize;
    node.links.push_back(pb_link{c.cid, std::string(), c.tsize});
  }
  d.filesize = size;
  node.data = encode_unixfs(d);
  children.clear();
  return emit_pb(node, size, tsize, options_, sink_);
}

result<void> file_importer::push(std::size_t level, imported node) {
  if (levels_.size() <= level) levels_.resize(level + 1);
  levels_[level].push_back(std::move(node));
  if (levels_[level].size() == options_.max_children) {
    auto parent = reduce(levels_[level]);
    if (!parent) return fail(parent.error());
    return push(level + 1, std::move(*parent));
  }
  return ok();
}

result<imported> file_importer::finish() {
  if (finished_) return fail(unixfs_errc::invalid_argument, "finish called twice");
  finished_ = true;
  // An empty file is one empty chunk, as the reference chunker yields.
  if (!buffer_.empty() || leaves_ == 0) {
    if (auto r = emit_leaf(buffer_); !r) return fail(r.error());
    buffer_.clear();
  }
  if (leaves_ == 1 && options_.reduce_single_leaf_to_self) return levels_[0].front();
  for (std::size_t level = 0; level < levels_.size(); ++level) {
    auto& pending = levels_[level];
    bool top = level + 1 == levels_.size();
    if (top && pending.size() == 1) return pending.front();
    if (pending.empty()) continue;
    auto parent = reduce(pending);
    if (!parent) return fail(parent.error());
    if (levels_.size() <= level + 1) levels_.resize(level + 2);
    levels_[level + 1].push_back(std::move(*parent));
  }
  return fail(unixfs_errc::inconsistent, "importer ended without a root");
}

result<imported> import_bytes(bytes_view data, const import_options& options, const block_sink& sink) {
  auto imp = file_importer::create(options, sink);
  if (!imp) return fail(imp.error());
  if (auto r = imp->write(data); !r) return fail(r.error());
  return imp->finish();
}

result<imported> build_directory(std::vector<directory_entry> entries, const import_options& options, const block_sink& sink) {
  if (auto r = check_options(options); !r) return fail(r.error());
  // dag-pb sorts links by the bytes of their names.
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  pb_node node;
  std::uint64_t tsize = 0;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const auto& e = entries[i];
    if (e.name.empty() || e.name.find('/') != std::string::npos || e.name == "." || e.name == "..")
      return fail(unixfs_errc::invalid_argument, "directory entry name '" + e.name + "'");
    if (i > 0 && entries[i - 1].name == e.name) return fail(unixfs_errc::invalid_argument, "duplicate directory entry '" + e.name + "'");
    node.links.push_back(pb_link{e.node.cid, e.name, e.node.tsize});
    tsize += e.node.tsize;
  }
  node.data = encode_unixfs(unixfs_data{.type = data_type::directory});
  bytes block = encode_pb(node);
  if (block.size() > options.max_directory_bytes)
    return fail(unixfs_errc::too_large, "directory node of " + std::to_string(block.size()) + " bytes (" +
                                            std::to_string(entries.size()) + " entries), limit " +
                                            std::to_string(options.max_directory_bytes) + "; sharded directories are not supported");
  return emit_pb(node, 0, tsize, options, sink);
}

result<imported> build_symlink(std::string_view target, const import_options& options, const block_sink& sink) {
  unixfs_data d{.type = data_type::symlink, .data = to_bytes(target)};
  return emit_pb(pb_node{{}, encode_unixfs(d)}, 0, 0, options, sink);
}

result<imported> import_path(const std::filesystem::path& path, const import_options& options, const block_sink& sink) {
  namespace fs = std::filesystem;
  std::error_code ec;
  auto st = fs::symlink_status(path, ec);
  if (ec) return fail(unixfs_errc::io, path.string() + ": " + ec.message());
  if (fs::is_symlink(st)) {
    auto target = fs::read_symlink(path, ec);
    if (ec) return fail(unixfs_errc::io, path.string() + ": " + ec.message());
    return build_symlink(target.string(), options, sink);
  }
  if (fs::is_directory(st)) {
    std::set<std::string> names;
    for (auto it = fs::directory_iterator(path, ec); !ec && it != fs::directory_iterator(); it.increment(ec))
      names.insert(it->path().filename().string());
    if (ec) return fail(unixfs_errc::io, path.string() + ": " + ec.message());
    std::vector<directory_entry> entries;
    for (const auto& n : names) {
      auto child = import_path(path / n, options, sink);
      if (!child) return fail(child.error());
      entries.push_back({n, std::move(*child)});
    }
    return build_directory(std::move(entries), options, sink);
  }
  if (!fs::is_regular_file(st)) return fail(unixfs_errc::unsupported, path.string() + ": not a file, directory or symlink");
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(unixfs_errc::io, path.string() + ": cannot open");
  auto imp = file_importer::create(options, sink);
  if (!imp) return fail(imp.error());
  bytes buf(1 << 20);
  while (in) {
    in.read(reinterpret_cast<char*>(buf.data()), static_cast<std::streamsize>(buf.size()));
    auto n = static_cast<std::size_t>(in.gcount());
    if (n == 0) break;
    if (auto r = imp->write(bytes_view(buf).first(n)); !r) return fail(r.error());
  }
  if (in.bad()) return fail(unixfs_errc::io, path.string() + ": read error");
  return imp->finish();
}

}  // namespace converge::unixfs
