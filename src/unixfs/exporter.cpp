#include "unixfs/exporter.hpp"

#include <algorithm>
#include <fstream>

#include "blocks/block.hpp"
#include "multiformats/multicodec.hpp"
#include "unixfs/errors.hpp"

namespace converge::unixfs {

namespace {

result<bytes> fetch_verified(const block_getter& get, const mf::cid& id) {
  auto data = get(id);
  if (!data) return fail(data.error());
  if (auto v = blocks::verify_block(id, *data); !v) return fail(v.error());
  return data;
}

struct decoded {
  pb_node node;
  unixfs_data data;
};

result<decoded> decode_node(const mf::cid& id, bytes_view block, const pb_limits& limits) {
  auto node = decode_pb(block, limits);
  if (!node) return fail(with_context(node.error(), id.to_string()));
  if (!node->data) return fail(unixfs_errc::malformed_unixfs, id.to_string() + ": dag-pb node without UnixFS Data");
  auto d = decode_unixfs(*node->data);
  if (!d) return fail(with_context(d.error(), id.to_string()));
  return decoded{std::move(*node), std::move(*d)};
}

std::string sz(std::uint64_t v) { return std::to_string(v); }

}  // namespace

result<file_reader> file_reader::open(const mf::cid& root, block_getter get, reader_limits limits) {
  file_reader r(std::move(get), limits);
  auto first = r.enter(root, std::nullopt);
  if (!first) return fail(first.error());
  r.pending_ = std::move(*first);
  return r;
}

result<std::optional<bytes>> file_reader::enter(const mf::cid& id, std::optional<std::uint64_t> expect) {
  bool is_root = !expect.has_value();
  auto block = fetch_verified(get_, id);
  if (!block) return fail(block.error());
  if (id.codec() == mf::codec::raw) {
    if (expect && *expect != block->size())
      return fail(unixfs_errc::inconsistent, "raw leaf " + id.to_string() + " has " + sz(block->size()) + " bytes, parent says " + sz(*expect));
    if (is_root) size_ = block->size();
    if (block->empty()) return std::optional<bytes>{};
    return std::optional<bytes>(std::move(*block));
  }
  if (id.codec() != mf::codec::dag_pb) return fail(unixfs_errc::unsupported, id.to_string() + ": codec " + sz(id.codec()) + " is not a UnixFS codec");
  auto d = decode_node(id, *block, limits_.pb);
  if (!d) return fail(d.error());
  if (d->data.type != data_type::file && d->data.type != data_type::raw)
    return fail(unixfs_errc::not_a_file, id.to_string() + " is a UnixFS node of type " + sz(static_cast<unsigned>(d->data.type)));
  if (d->node.links.size() != d->data.blocksizes.size())
    return fail(unixfs_errc::inconsistent, id.to_string() + ": " + sz(d->node.links.size()) + " links but " + sz(d->data.blocksizes.size()) + " blocksizes");
  std::uint64_t own = d->data.data ? d->data.data->size() : 0;
  std::uint64_t total = own;
  for (auto b : d->data.blocksizes) {
    if (b > limits_.max_file_size || total + b > limits_.max_file_size)
      return fail(unixfs_errc::too_large, id.to_string() + ": file over " + sz(limits_.max_file_size) + " bytes");
    total += b;
  }
  if (d->data.filesize && *d->data.filesize != total)
    return fail(unixfs_errc::inconsistent, id.to_string() + ": filesize " + sz(*d->data.filesize) + " but data and blocksizes add to " + sz(total));
  if (expect && *expect != total)
    return fail(unixfs_errc::inconsistent, id.to_string() + " holds " + sz(total) + " bytes, parent says " + sz(*expect));
  if (is_root) size_ = total;
  if (!d->node.links.empty()) {
    if (stack_.size() >= limits_.max_depth) return fail(unixfs_errc::too_large, "file DAG deeper than " + sz(limits_.max_depth) + " at " + id.to_string());
    frame f;
    f.sizes = std::move(d->data.blocksizes);
    f.children.reserve(d->node.links.size());
    for (auto& l : d->node.links) f.children.push_back(std::move(l.hash));
    stack_.push_back(std::move(f));
  }
  if (own == 0) return std::optional<bytes>{};
  return std::optional<bytes>(std::move(*d->data.data));
}

result<std::optional<bytes>> file_reader::next() {
  for (;;) {
    if (pending_) {
      auto out = std::move(pending_);
      pending_.reset();
      if (!out->empty()) {
        offset_ += out->size();
        return out;
      }
      continue;
    }
    if (stack_.empty()) {
      if (!done_ && offset_ != size_)
        return fail(unixfs_errc::inconsistent, "delivered " + sz(offset_) + " bytes of a " + sz(size_) + "-byte file");
      done_ = true;
      return std::optional<bytes>{};
    }
    auto& top = stack_.back();
    if (top.next == top.children.size()) {
      stack_.pop_back();
      continue;
    }
    std::size_t i = top.next++;
    auto child = top.children[i];
    auto expect = top.sizes[i];
    auto got = enter(child, expect);
    if (!got) return fail(got.error());
    pending_ = std::move(*got);
  }
}

result<bytes> read_file(const mf::cid& root, const block_getter& get, std::uint64_t max_bytes) {
  auto r = file_reader::open(root, get);
  if (!r) return fail(r.error());
  if (r->size() > max_bytes) return fail(unixfs_errc::too_large, root.to_string() + " is " + sz(r->size()) + " bytes, limit " + sz(max_bytes));
  bytes out;
  out.reserve(static_cast<std::size_t>(r->size()));
  for (;;) {
    auto piece = r->next();
    if (!piece) return fail(piece.error());
    if (!*piece) break;
    append(out, **piece);
  }
  return out;
}

result<stat_result> stat(const mf::cid& id, const block_getter& get) {
  auto block = fetch_verified(get, id);
  if (!block) return fail(block.error());
  if (id.codec() == mf::codec::raw) return stat_result{node_kind::raw, block->size(), {}};
  if (id.codec() != mf::codec::dag_pb) return fail(unixfs_errc::unsupported, id.to_string() + ": not a UnixFS codec");
  auto d = decode_node(id, *block, {});
  if (!d) return fail(d.error());
  switch (d->data.type) {
    case data_type::file:
    case data_type::raw: {
      std::uint64_t total = d->data.data ? d->data.data->size() : 0;
      for (auto b : d->data.blocksizes) total += b;
      return stat_result{node_kind::file, total, {}};
    }
    case data_type::directory: return stat_result{node_kind::directory, 0, {}};
    case data_type::symlink: {
      std::string target = d->data.data ? std::string(as_chars(*d->data.data)) : std::string();
      return stat_result{node_kind::symlink, target.size(), target};
    }
    default: return fail(unixfs_errc::unsupported, id.to_string() + ": UnixFS type " + sz(static_cast<unsigned>(d->data.type)) + " (HAMT shards and metadata are not supported)");
  }
}

result<std::vector<dir_link>> list_directory(const mf::cid& id, const block_getter& get) {
  if (id.codec() != mf::codec::dag_pb) return fail(unixfs_errc::not_a_directory, id.to_string());
  auto block = fetch_verified(get, id);
  if (!block) return fail(block.error());
  auto d = decode_node(id, *block, {});
  if (!d) return fail(d.error());
  if (d->data.type == data_type::hamt_shard) return fail(unixfs_errc::unsupported, id.to_string() + ": sharded directories are not supported");
  if (d->data.type != data_type::directory) return fail(unixfs_errc::not_a_directory, id.to_string());
  std::vector<dir_link> out;
  for (auto& l : d->node.links) {
    if (!l.name) return fail(unixfs_errc::inconsistent, id.to_string() + ": directory link without a name");
    out.push_back({std::move(*l.name), std::move(l.hash), l.tsize.value_or(0)});
  }
  return out;
}

result<mf::cid> resolve_path(const mf::cid& root, std::string_view path, const block_getter& get) {
  mf::cid cur = root;
  std::size_t steps = 0;
  while (!path.empty()) {
    auto slash = path.find('/');
    auto part = path.substr(0, slash);
    path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash + 1);
    if (part.empty()) continue;
    if (++steps > 256) return fail(unixfs_errc::too_large, "path of more than 256 components");
    auto entries = list_directory(cur, get);
    if (!entries) return fail(entries.error());
    auto it = std::find_if(entries->begin(), entries->end(), [&](const dir_link& l) { return l.name == part; });
    if (it == entries->end()) return fail(unixfs_errc::not_found, "'" + std::string(part) + "' in " + cur.to_string());
    cur = it->cid;
  }
  return cur;
}

namespace {
result<void> export_rec(const mf::cid& id, const std::filesystem::path& out, const block_getter& get, std::size_t depth) {
  namespace fs = std::filesystem;
  if (depth > 64) return fail(unixfs_errc::too_large, "directory tree deeper than 64");
  auto st = stat(id, get);
  if (!st) return fail(st.error());
  std::error_code ec;
  if (fs::exists(fs::symlink_status(out, ec))) return fail(unixfs_errc::io, out.string() + ": already exists");
  switch (st->kind) {
    case node_kind::directory: {
      auto entries = list_directory(id, get);
      if (!entries) return fail(entries.error());
      fs::create_directory(out, ec);
      if (ec) return fail(unixfs_errc::io, out.string() + ": " + ec.message());
      for (const auto& e : *entries) {
        if (e.name.empty() || e.name == "." || e.name == ".." || e.name.find('/') != std::string::npos || e.name.find('\0') != std::string::npos)
          return fail(unixfs_errc::inconsistent, id.to_string() + ": unsafe entry name '" + e.name + "'");
        if (auto r = export_rec(e.cid, out / e.name, get, depth + 1); !r) return r;
      }
      return ok();
    }
    case node_kind::symlink:
      fs::create_symlink(st->symlink_target, out, ec);
      if (ec) return fail(unixfs_errc::io, out.string() + ": " + ec.message());
      return ok();
    case node_kind::file:
    case node_kind::raw: {
      auto r = file_reader::open(id, get);
      if (!r) return fail(r.error());
      std::ofstream f(out, std::ios::binary);
      if (!f) return fail(unixfs_errc::io, out.string() + ": cannot create");
      for (;;) {
        auto piece = r->next();
        if (!piece) return fail(piece.error());
        if (!*piece) break;
        f.write(reinterpret_cast<const char*>((*piece)->data()), static_cast<std::streamsize>((*piece)->size()));
        if (!f) return fail(unixfs_errc::io, out.string() + ": write failed");
      }
      return ok();
    }
  }
  return ok();
}
}  // namespace

result<void> export_to_path(const mf::cid& root, const std::filesystem::path& out, const block_getter& get) {
  return export_rec(root, out, get, 0);
}

}  // namespace converge::unixfs
