#include "node/svc_blocks.hpp"

#include <fstream>

#include "bitswap/errors.hpp"
#include "car/car.hpp"
#include "multiformats/multibase.hpp"
#include "unixfs/dag_pb.hpp"
#include "unixfs/exporter.hpp"
#include "unixfs/importer.hpp"

namespace converge::node {
namespace {

namespace io = p2p::io;
using io::task;

result<mf::cid> cid_arg(const rpc_call& c) {
  auto text = arg_string(c, "cid");
  if (!text) return std::unexpected(text.error());
  auto id = mf::cid::parse(*text);
  if (!id) return fail(node_errc::bad_request, "argument 'cid': " + id.error().message());
  return id;
}

result<bool> arg_bool(const rpc_call& c, std::string_view name, bool def) {
  if (!c.args.contains(name)) return def;
  const auto& v = c.args[std::string(name)];
  if (!v.is_boolean()) return fail(node_errc::bad_request, "argument '" + std::string(name) + "' must be true or false");
  return v.get<bool>();
}

// Every connected peer is offered a Bitswap stream (peers without Bitswap refuse it).
task<void> add_connected_peers(std::shared_ptr<io::host> h, std::shared_ptr<bitswap::service> bs) {
  for (const auto& conn : h->connections()) {
    if (bs->key_of(conn->remote_peer())) continue;
    (void)co_await bs->add_peer(conn->remote_peer());
  }
}

}  // namespace

task<result<bitswap::session_stats>> fetch_dag(std::shared_ptr<io::host> h, std::shared_ptr<bitswap::service> bs,
                                               mf::cid root, bitswap::service::progress_fn progress) {
  co_await add_connected_peers(h, bs);
  const bool had_peers = !h->connections().empty();
  auto r = co_await bs->fetch(root, progress);
  if (r || had_peers || r.error().code != make_error_code(bitswap::bitswap_errc::not_found)) co_return r;
  // Not found with no connection at all: a node that has just started may be
  // dialling its bootstrap peers. Wait (bounded) for a first connection and
  // try once more, rather than fail a fetch that a second later would not.
  p2p::io::asio::steady_timer t(h->executor());
  for (int i = 0; i < 100 && h->connections().empty(); ++i) {
    t.expires_after(std::chrono::milliseconds(100));
    co_await t.async_wait(p2p::io::use_tuple);
  }
  if (h->connections().empty()) co_return r;
  co_await add_connected_peers(h, bs);
  co_return co_await bs->fetch(root, std::move(progress));
}

namespace {

std::string base64(bytes_view b) { return mf::base_encode(mf::multibase::base64, b); }

}  // namespace

result<std::optional<blocks_service_config>> blocks_config(const nlohmann::json& section) {
  blocks_service_config cfg;
  if (!section.is_object()) return fail(node_errc::invalid_config, "blocks: must be an object");
  for (const auto& [k, v] : section.items()) {
    if (k == "enabled") {
      if (!v.is_boolean()) return fail(node_errc::invalid_config, "blocks.enabled: must be true or false");
      if (!v.get<bool>()) return std::optional<blocks_service_config>{};
    } else if (k == "max_total_bytes") {
      if (!v.is_number_unsigned()) return fail(node_errc::invalid_config, "blocks.max_total_bytes: must be a byte count");
      cfg.store.max_total_bytes = v.get<std::uint64_t>();
    } else if (k == "upload_bytes_per_second") {
      if (!v.is_number_unsigned()) return fail(node_errc::invalid_config, "blocks.upload_bytes_per_second: must be a byte rate");
      auto rate = v.get<std::uint64_t>();
      cfg.bitswap.engine.upload_total = {rate, rate};
    } else {
      return fail(node_errc::invalid_config, "blocks." + k + ": unknown field");
    }
  }
  return std::optional<blocks_service_config>(cfg);
}

result<void> add_blocks_service(node& n) {
  auto cfg = blocks_config(n.config().service("blocks"));
  if (!cfg) return std::unexpected(cfg.error());
  if (*cfg) n.add_service(std::make_shared<blocks_service>(std::move(**cfg)));
  return ok();
}

void blocks_service::stop() {
  if (bitswap_) bitswap_->stop();
}

result<void> blocks_service::start(node& n, rpc_registry& rpc) {
  auto s = blocks::blockstore::open(n.repository().dir() / "blocks", cfg_.store);
  if (!s) return fail(node_errc::io, "opening the block store: " + s.error().message());
  store_ = std::move(*s);
  bitswap_ = bitswap::service::create(n.host(), *store_, cfg_.bitswap);
  bitswap_->start();
  auto store = store_;
  auto bs = bitswap_;
  auto h = n.host();

  rpc.add("add", [store, bs](rpc_call c) -> task<rpc_result> {
    auto path = arg_string(c, "path");
    if (!path) co_return std::unexpected(path.error());
    unixfs::import_options o;
    auto version = arg_uint(c, "cid_version", 1, 1);
    if (!version) co_return std::unexpected(version.error());
    o.cid_version = static_cast<unsigned>(*version);
    auto raw = arg_bool(c, "raw_leaves", o.cid_version == 1);
    if (!raw) co_return std::unexpected(raw.error());
    o.raw_leaves = *raw;
    auto pin = arg_bool(c, "pin", true);
    if (!pin) co_return std::unexpected(pin.error());
    auto r = unixfs::import_path(*path, o, [&](const mf::cid& id, bytes_view b) -> result<void> {
      auto put = store->put(id, b);
      if (!put) return fail(put.error());
      if (*put) bs->block_added(id);
      return ok();
    });
    if (!r) co_return fail(node_errc::rpc_failed, "add " + *path + ": " + r.error().message());
    if (*pin) {
      if (auto p = store->pin(r->cid, blocks::pin_mode::recursive); !p) co_return fail(p.error());
    }
    co_return json{{"cid", r->cid.to_string()}, {"size", r->file_size}, {"tsize", r->tsize}};
  });

  rpc.add("get", [store, bs, h](rpc_call c) -> task<rpc_result> {
    auto id = cid_arg(c);
    if (!id) co_return std::unexpected(id.error());
    auto out = arg_string(c, "out");
    if (!out) co_return std::unexpected(out.error());
    auto stats = co_await fetch_dag(h, bs, *id);
    if (!stats) co_return fail(node_errc::rpc_failed, "get " + id->to_string() + ": " + stats.error().message());
    auto w = unixfs::export_to_path(*id, *out, [&](const mf::cid& x) { return store->get(x); });
    if (!w) co_return fail(node_errc::rpc_failed, "writing " + *out + ": " + w.error().message());
    co_return json{{"path", *out}, {"blocks_fetched", stats->blocks_fetched}, {"bytes_fetched", stats->bytes_fetched},
                   {"blocks_local", stats->blocks_local}};
  });

  rpc.add_stream("cat", [store, bs, h](rpc_call c, rpc_emit emit) -> task<result<void>> {
    auto id = cid_arg(c);
    if (!id) co_return std::unexpected(id.error());
    auto stats = co_await fetch_dag(h, bs, *id);
    if (!stats) co_return fail(node_errc::rpc_failed, "cat " + id->to_string() + ": " + stats.error().message());
    auto r = unixfs::file_reader::open(*id, [&](const mf::cid& x) { return store->get(x); });
    if (!r) co_return fail(node_errc::rpc_failed, r.error().message());
    while (!c.client_gone()) {
      auto piece = r->next();
      if (!piece) co_return fail(node_errc::rpc_failed, piece.error().message());
      if (!*piece) break;
      if (!emit(json{{"data_base64", base64(**piece)}})) break;
    }
    co_return ok();
  });

  rpc.add("block/get", [store, bs, h](rpc_call c) -> task<rpc_result> {
    auto id = cid_arg(c);
    if (!id) co_return std::unexpected(id.error());
    if (!store->has(*id)) {
      // A single block: fetch its DAG root only when it is missing.
      auto stats = co_await fetch_dag(h, bs, *id);
      if (!stats && !store->has(*id)) co_return fail(node_errc::rpc_failed, stats.error().message());
    }
    auto data = store->get(*id);
    if (!data) co_return fail(node_errc::rpc_failed, data.error().message());
    co_return json{{"data_base64", base64(*data)}, {"size", data->size()}};
  });

  rpc.add("block/stat", [store, bs](rpc_call) -> task<rpc_result> {
    const auto& t = bs->core().totals();
    co_return json{{"blocks", store->block_count()}, {"bytes", store->total_bytes()},
                   {"max_bytes", store->options().max_total_bytes}, {"pins", store->pins().size()},
                   {"bitswap", {{"peers", bs->core().peer_count()}, {"blocks_sent", t.blocks_sent},
                                {"bytes_sent", t.bytes_sent}, {"blocks_received", t.blocks_received},
                                {"bytes_received", t.bytes_received}, {"budget_refusals", t.budget_refusals}}}};
  });

  rpc.add("dag/export", [store, bs, h](rpc_call c) -> task<rpc_result> {
    auto id = cid_arg(c);
    if (!id) co_return std::unexpected(id.error());
    auto out = arg_string(c, "out");
    if (!out) co_return std::unexpected(out.error());
    auto stats = co_await fetch_dag(h, bs, *id);
    if (!stats) co_return fail(node_errc::rpc_failed, "dag/export " + id->to_string() + ": " + stats.error().message());
    std::string tmp = *out + ".part";
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) co_return fail(node_errc::io, tmp + ": cannot create");
    auto w = car::car_writer::create({*id}, [&](bytes_view b) -> result<void> {
      f.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
      if (!f) return fail(node_errc::io, tmp + ": write failed");
      return ok();
    });
    if (!w) co_return fail(w.error());
    auto e = car::export_dag(*id, [&](const mf::cid& x) { return store->get(x); }, unixfs::block_links, *w);
    if (!e) co_return fail(node_errc::rpc_failed, e.error().message());
    f.close();
    std::error_code ec;
    std::filesystem::rename(tmp, *out, ec);
    if (ec) co_return fail(node_errc::io, *out + ": " + ec.message());
    co_return json{{"blocks", w->blocks_written()}, {"bytes", w->bytes_written()}};
  });

  rpc.add("dag/import", [store, bs](rpc_call c) -> task<rpc_result> {
    auto path = arg_string(c, "path");
    if (!path) co_return std::unexpected(path.error());
    auto pin = arg_bool(c, "pin", true);
    if (!pin) co_return std::unexpected(pin.error());
    std::ifstream in(*path, std::ios::binary);
    if (!in) co_return fail(node_errc::io, *path + ": cannot open");
    car::car_parser p;
    bytes buf(256 * 1024);
    std::uint64_t count = 0;
    for (;;) {
      in.read(reinterpret_cast<char*>(buf.data()), static_cast<std::streamsize>(buf.size()));
      auto got = static_cast<std::size_t>(in.gcount());
      if (got == 0) break;
      if (auto f = p.feed(bytes_view(buf).first(got)); !f) co_return fail(node_errc::rpc_failed, *path + ": " + f.error().message());
      for (;;) {
        auto b = p.next();
        if (!b) co_return fail(node_errc::rpc_failed, *path + ": " + b.error().message());
        if (!*b) break;
        auto put = store->put(**b);
        if (!put) co_return fail(node_errc::rpc_failed, put.error().message());
        if (*put) bs->block_added((*b)->id);
        ++count;
      }
    }
    if (auto f = p.finish(); !f) co_return fail(node_errc::rpc_failed, *path + ": " + f.error().message());
    json roots = json::array();
    for (const auto& r : p.header()->roots) {
      roots.push_back(r.to_string());
      if (*pin && store->has(r)) (void)store->pin(r, blocks::pin_mode::recursive);
    }
    co_return json{{"roots", roots}, {"blocks", count}};
  });
  return ok();
}

}  // namespace converge::node
