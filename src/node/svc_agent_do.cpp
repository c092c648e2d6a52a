// The update agent's work: fetching a package (or its delta) by Bitswap and
// exporting it from the block store, then staging it (delta applied, length
// and sha256 checked) on the worker thread.
#include <chrono>
#include <cstdio>
#include <fstream>

#include "delta/delta.hpp"
#include "delta/io.hpp"
#include "multiformats/cid.hpp"
#include "node/svc_agent.hpp"
#include "node/svc_blocks.hpp"
#include "unixfs/exporter.hpp"

namespace converge::node {
namespace io = p2p::io;

namespace {

wall_time now() { return std::chrono::system_clock::now(); }

// Length and sha256 of a file, read in bounded chunks.
result<std::pair<std::uint64_t, delta::digest>> hash_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return fail(node_errc::io, "opening " + p.string());
  delta::sha256 h;
  std::vector<char> buf(1 << 16);
  std::uint64_t n = 0;
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    auto got = static_cast<std::size_t>(in.gcount());
    h.update(bytes_view(reinterpret_cast<const std::uint8_t*>(buf.data()), got));
    n += got;
  }
  if (in.bad()) return fail(node_errc::io, "reading " + p.string());
  return std::pair{n, h.finish()};
}

// Checks the staged package against the release, then gives it its final name.
result<std::string> stage_package(const agent::stage_action& a, const std::filesystem::path& packages) {
  if (a.target.sha256.size() != 32) return fail(node_errc::bad_request, "the release's sha256 is not 32 bytes");
  delta::digest want{};
  std::copy(a.target.sha256.begin(), a.target.sha256.end(), want.begin());
  const auto final_path = packages / to_hex(a.target.sha256);
  if (a.is_delta) {
    auto r = delta::apply_patch_file(a.base_package, a.fetched_path, final_path.string(), {}, want);
    if (!r) return fail(with_context(r.error(), "applying the delta to " + a.base_package));
  } else {
    std::error_code ec;
    std::filesystem::rename(a.fetched_path, final_path, ec);
    if (ec) return fail(node_errc::io, "moving " + a.fetched_path + " to " + final_path.string() + ": " + ec.message());
  }
  auto h = hash_file(final_path);
  if (!h) return fail(h.error());
  if (h->first != a.target.length || h->second != want) {
    std::error_code ec;
    std::filesystem::remove(final_path, ec);
    return fail(node_errc::bad_request, "the package does not match the release: " + std::to_string(h->first) +
                                            " bytes, sha256 " + to_hex(h->second) + "; want " +
                                            std::to_string(a.target.length) + " bytes, sha256 " + to_hex(want));
  }
  if (a.is_delta) {
    std::error_code ec;
    std::filesystem::remove(a.fetched_path, ec);
  }
  return final_path.string();
}

}  // namespace

io::task<void> agent_service::fetch(std::shared_ptr<agent_service> self, agent::fetch_action a) {
  const std::string hash = a.release_hash;
  const bool is_delta = a.delta.has_value();
  const std::string cid_text = is_delta ? a.delta->cid : a.target.cid;
  const std::uint64_t total = is_delta ? a.delta->size : a.target.length;
  auto cid = mf::cid::parse(cid_text);
  if (!cid) {
    self->core_->on_fetch_failed(hash, "the release's CID " + cid_text + ": " + cid.error().message(), false, now());
    self->pump();
    co_return;
  }
  std::weak_ptr<agent_service> weak = self;
  bitswap::service::progress_fn progress = [weak, hash, total](const bitswap::session_stats& st) {
    auto s = weak.lock();
    if (!s || s->stopped_ || s->cancelled_.contains(hash)) return false;
    s->core_->on_fetch_progress(hash, std::min(st.bytes_fetched, total), total);
    return true;
  };
  auto got = co_await fetch_dag(self->node_->host(), self->bitswap_, *cid, std::move(progress));
  if (self->stopped_ || self->cancelled_.erase(hash)) co_return;
  if (!got) {
    self->core_->on_fetch_failed(hash, "fetching " + cid_text + ": " + got.error().message(), true, now());
    self->pump();
    co_return;
  }
  const auto out = self->staging_ / (hash + (is_delta ? ".delta" : ".full"));
  auto* store = self->store_;
  std::error_code ec;
  std::filesystem::remove(out, ec);
  auto r = unixfs::export_to_path(*cid, out, [store](const mf::cid& c) { return store->get(c); });
  if (!r) {
    self->core_->on_fetch_failed(hash, "writing " + out.string() + ": " + r.error().message(), true, now());
  } else {
    // What this session took from the network (blocks already stored, e.g. from
    // before a crash, are not fetched again and not counted).
    self->core_->on_fetch_progress(hash, got->bytes_fetched, total);
    self->core_->on_fetched(hash, out.string(), now());
  }
  self->pump();
}

void agent_service::stage(agent::stage_action a) {
  auto packages = packages_;
  const std::string hash = a.release_hash;
  on_worker([a = std::move(a), packages] { return stage_package(a, packages); },
            [this, hash](result<std::string> r) {
              if (r) core_->on_staged(hash, *r, now());
              else core_->on_stage_failed(hash, r.error().message(), now());
            });
}

}  // namespace converge::node
