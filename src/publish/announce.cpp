#include "publish/announce.hpp"

#include "multiformats/multibase.hpp"
#include "publish/car_merge.hpp"
#include "publish/errors.hpp"

namespace converge::publish {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string b64(bytes_view b) { return mf::base_encode(mf::multibase::base64, b); }

result<bytes> from_b64(std::string s) {
  while (!s.empty() && s.back() == '=') s.pop_back();
  return mf::base_decode(mf::multibase::base64, s);
}

// Every CID a release makes available: the bundle first, then artifacts and deltas.
std::vector<std::string> release_cids(const stored_release& s, const std::string& bundle_cid) {
  std::vector<std::string> out{bundle_cid};
  for (const auto& a : s.rel.artifacts) {
    out.push_back(a.cid);
    for (const auto& d : a.deltas) out.push_back(d.cid);
  }
  return out;
}

}  // namespace

std::string channel_dht_key(std::string_view channel) { return "/unimaker/version/" + std::string(channel); }

result<std::string> import_file(const rpc_fn& rpc, const fs::path& file) {
  auto r = rpc("add", json{{"path", fs::absolute(file).string()}, {"cid_version", 1}, {"raw_leaves", true}, {"pin", true}});
  if (!r) return fail(publish_errc::network, "importing " + file.string() + ": " + r.error().message());
  if (!r->contains("cid") || !(*r)["cid"].is_string())
    return fail(publish_errc::network, "importing " + file.string() + ": the daemon's answer has no cid");
  return (*r)["cid"].get<std::string>();
}

std::optional<network_release> read_network(const rpc_fn& rpc, const workspace& ws, step_result& step) {
  step.step = "network-read";
  auto r = rpc("dht/get", json{{"key", channel_dht_key(ws.channel())}});
  if (!r) {
    step.detail = "no current release read from the DHT: " + r.error().message();
    return std::nullopt;
  }
  if (!r->contains("value_base64") || !(*r)["value_base64"].is_string()) {
    step.detail = "dht/get answered without a value";
    return std::nullopt;
  }
  auto value = from_b64((*r)["value_base64"].get<std::string>());
  if (!value) {
    step.detail = "dht/get value is not base64";
    return std::nullopt;
  }
  auto n = read_network_bundle(*value, ws.root(), ws.channel());
  if (!n) {
    step.detail = "the DHT value is ignored: " + n.error().detail;
    return std::nullopt;
  }
  step.ok = true;
  step.detail = "sequence " + std::to_string(n->sequence) + " (" + n->semver + ")";
  return std::move(*n);
}

result<std::string> import_release(const rpc_fn& rpc, const stored_release& s) {
  for (const auto& [cid, path] : s.files) {
    auto got = import_file(rpc, path);
    if (!got) return fail(got.error());
    if (*got != cid)
      return fail(publish_errc::workspace, path.string() + ": imports as " + *got + ", the release says " + cid);
  }
  return import_file(rpc, s.dir / "bundle.bin");
}

void announce(const rpc_fn& rpc, const workspace& ws, const stored_release& s, const std::string& bundle_cid,
              const publish_request& req, publish_report& report) {
  auto step = [&](std::string name, std::string_view cmd, const json& args, auto describe) {
    step_result st{std::move(name), false, {}};
    auto r = rpc(cmd, args);
    if (r) {
      st.ok = true;
      st.detail = describe(*r);
    } else {
      st.detail = r.error().message();
    }
    report.steps.push_back(std::move(st));
  };
  auto peers = [](const json& r) {
    return std::to_string(r.is_object() && r.contains("peers") && r["peers"].is_number() ? r["peers"].get<std::uint64_t>() : 0);
  };
  step("pubsub", "pubsub/pub", json{{"topic", req.topic}, {"data_base64", b64(s.bundle)}},
       [&](const json& r) { return "topic " + req.topic + ", " + peers(r) + " peer(s)"; });
  step("ipns", "name/publish", json{{"path", "/ipfs/" + bundle_cid}}, [&](const json& r) {
    return "/ipns/" + r.value("name", std::string("?")) + " -> /ipfs/" + bundle_cid + ", " + peers(r) + " peer(s)";
  });
  step("dht-put", "dht/put", json{{"key", channel_dht_key(ws.channel())}, {"value_base64", b64(s.bundle)}},
       [&](const json& r) { return channel_dht_key(ws.channel()) + " stored on " + peers(r) + " peer(s)"; });
  step_result prov{"provide", true, {}};
  std::size_t done = 0;
  auto cids = release_cids(s, bundle_cid);
  for (const auto& c : cids) {
    auto r = rpc("dht/provide", json{{"cid", c}});
    if (r) {
      ++done;
    } else if (prov.ok) {
      prov.ok = false;
      prov.detail = r.error().message() + "; ";
    }
  }
  prov.detail += std::to_string(done) + " of " + std::to_string(cids.size()) + " CIDs announced";
  report.steps.push_back(std::move(prov));
}

step_result export_car(const rpc_fn& rpc, const stored_release& s, const std::string& bundle_cid, const fs::path& out) {
  step_result st{"car", false, {}};
  auto cids = release_cids(s, bundle_cid);
  std::vector<fs::path> parts;
  std::vector<mf::cid> roots;
  auto cleanup = [&] {
    std::error_code ec;
    for (const auto& p : parts) fs::remove(p, ec);
  };
  auto abs = fs::absolute(out);
  for (std::size_t i = 0; i < cids.size(); ++i) {
    auto id = mf::cid::parse(cids[i]);
    if (!id) {
      st.detail = cids[i] + ": " + id.error().message();
      cleanup();
      return st;
    }
    roots.push_back(*id);
    fs::path part = abs;
    part += ".root" + std::to_string(i);
    parts.push_back(part);
    auto r = rpc("dag/export", json{{"cid", cids[i]}, {"out", part.string()}});
    if (!r) {
      st.detail = "dag/export " + cids[i] + ": " + r.error().message();
      cleanup();
      return st;
    }
  }
  auto m = merge_cars(parts, roots, abs);
  cleanup();
  if (!m) {
    st.detail = m.error().message();
    return st;
  }
  st.ok = true;
  st.detail = abs.string() + ": " + std::to_string(roots.size()) + " roots, " + std::to_string(m->blocks) + " blocks, " +
              std::to_string(m->bytes) + " bytes";
  return st;
}

}  // namespace converge::publish
