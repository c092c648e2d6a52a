#include "publish/publisher.hpp"

#include <algorithm>
#include <set>

#include "delta/io.hpp"
#include "publish/announce.hpp"
#include "publish/bundle_builder.hpp"
#include "publish/errors.hpp"
#include "publish/sequence.hpp"
#include "trust/canonical_json.hpp"
#include "trust/tuf_builder.hpp"

namespace converge::publish {

namespace fs = std::filesystem;
namespace tuf = trust::tuf;
using nlohmann::json;

namespace {

std::string platform_dir(const trust::platform_spec& p) {
  return p.os + "-" + p.arch + (p.min_os == "0" ? "" : "-" + p.min_os);
}

result<void> check_request(const publish_request& req, wall_time now) {
  if (!trust::valid_semver(req.semver)) return fail(publish_errc::bad_request, "semver '" + req.semver + "' is not a semantic version");
  if (req.artifacts.empty()) return fail(publish_errc::bad_request, "give at least one --artifact");
  std::set<std::string> seen;
  for (const auto& a : req.artifacts) {
    auto key = platform_dir(a.platform);
    if (!seen.insert(key).second) return fail(publish_errc::bad_request, "two artifacts for platform " + key);
    std::error_code ec;
    if (!fs::is_regular_file(a.file, ec)) return fail(publish_errc::bad_request, "artifact " + a.file.string() + ": not a file");
  }
  auto t = std::chrono::system_clock::to_time_t(now);
  if (req.targets_expires <= t || req.timestamp_expires <= t)
    return fail(publish_errc::bad_request, "the release and timestamp expiries must be in the future");
  return ok();
}

result<bytes> file_sha256(const fs::path& p) {
  auto in = delta::input_source::open_file(p.string());
  if (!in) return fail(publish_errc::io, p.string() + ": " + in.error().message());
  auto h = in->hash();
  if (!h) return fail(publish_errc::io, p.string() + ": " + h.error().message());
  return bytes(h->begin(), h->end());
}

// The signed targets text of a release.
result<std::string> sign_targets(const trust::release& rel, const workspace& ws, const signing_keys& keys, rng& r) {
  auto t = trust::release_to_targets(rel);
  if (!t) return fail(publish_errc::bad_request, "release: " + t.error().message());
  tuf::envelope env{tuf::to_json(*t), {}};
  if (auto s = sign_role(env, ws.root(), "targets", keys, r); !s) return fail(s.error());
  return tuf::to_json(env).dump(2) + "\n";
}

// Builds, signs and commits a new release; `report` gets the artifact summaries.
result<stored_release> build_release(workspace& ws, const publish_request& req, const signing_keys& keys,
                                     const rpc_fn& rpc, rng& r, const sequence_choice& seq,
                                     const std::vector<stored_release>& history, const std::string& key,
                                     const std::vector<bytes>& hashes, publish_report& report) {
  auto st = ws.stage(seq.sequence);
  if (!st) return fail(st.error());
  trust::release rel;
  rel.channel = ws.channel();
  rel.semver = req.semver;
  rel.sequence = seq.sequence;
  rel.previous = seq.previous;
  rel.rollout = req.rollout;
  rel.metadata = req.metadata;
  rel.expires = req.targets_expires;
  stored_release rec;
  for (std::size_t i = 0; i < req.artifacts.size(); ++i) {
    const auto& in = req.artifacts[i];
    auto dir = platform_dir(in.platform);
    auto name = in.file.filename().string();
    auto local = st->copy_in(in.file, "files/" + dir + "/" + name);
    if (!local) return fail(local.error());
    auto data = read_file(local->string());
    if (!data) return fail(publish_errc::io, data.error().message());
    trust::artifact art;
    art.path = ws.channel() + "/" + dir + "/" + name;
    art.length = data->size();
    art.sha256 = hashes[i];
    art.platform = in.platform;
    auto cid = import_file(rpc, *local);
    if (!cid) return fail(cid.error());
    art.cid = *cid;
    rec.files[art.cid] = *local;
    artifact_summary sum{art.path, art.cid, art.platform, art.length, {}, {}};
    auto plan = plan_deltas(*data, bases_for(history, in.platform, req.deltas.bases), req.deltas);
    if (!plan) return fail(plan.error());
    for (const auto& d : plan->deltas) {
      auto p = st->write("deltas/" + dir + "-from-" + std::to_string(d.base.sequence) + ".cvdelta", d.patch);
      if (!p) return fail(p.error());
      auto dcid = import_file(rpc, *p);
      if (!dcid) return fail(dcid.error());
      auto h = delta::sha256_of(d.patch);
      art.deltas.push_back({d.base.semver, d.base.cid, delta_algorithm(d.method), *dcid, d.patch.size(), bytes(h.begin(), h.end())});
      rec.files[*dcid] = *p;
      sum.deltas.push_back({d.base.semver, delta::to_string(d.method), *dcid, d.patch.size()});
    }
    sum.skipped = plan->skipped;
    rel.artifacts.push_back(std::move(art));
    report.artifacts.push_back(std::move(sum));
  }
  std::sort(rel.artifacts.begin(), rel.artifacts.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
  auto targets = sign_targets(rel, ws, keys, r);
  if (!targets) return fail(targets.error());
  bundle_inputs bi;
  bi.channel = ws.channel();
  bi.targets_text = *targets;
  bi.targets_version = seq.sequence;
  bi.roots.assign(ws.roots().begin() + 1, ws.roots().end());
  bi.revocation = req.revocation;
  bi.version = seq.sequence;
  bi.expires = req.timestamp_expires;
  auto bundle = build_bundle(bi, [&](tuf::envelope& e, std::string_view role) { return sign_role(e, ws.root(), role, keys, r); });
  if (!bundle) return fail(bundle.error());
  rec.semver = req.semver;
  rec.origin = "local";
  rec.content_key = key;
  rec.targets_text = *targets;
  rec.bundle = std::move(*bundle);
  return ws.commit(std::move(*st), rec);
}

result<void> adopt(workspace& ws, const network_release& n) {
  auto st = ws.stage(n.sequence);
  if (!st) return fail(st.error());
  stored_release rec;
  rec.semver = n.semver;
  rec.origin = "network";
  rec.targets_text = n.targets_text;
  rec.bundle = n.bundle;
  auto c = ws.commit(std::move(*st), rec);
  if (!c) return fail(c.error());
  return ok();
}

std::vector<artifact_summary> summaries(const stored_release& s) {
  std::vector<artifact_summary> out;
  for (const auto& a : s.rel.artifacts) {
    artifact_summary sum{a.path, a.cid, a.platform, a.length, {}, {}};
    for (const auto& d : a.deltas) {
      std::string m = d.algorithm.starts_with("converge-delta-") ? d.algorithm.substr(15) : d.algorithm;
      sum.deltas.push_back({d.base_version, m, d.cid, d.size});
    }
    out.push_back(std::move(sum));
  }
  return out;
}

}  // namespace

std::string content_key(const publish_request& req, const std::vector<bytes>& artifact_sha256) {
  json arts = json::array();
  for (std::size_t i = 0; i < req.artifacts.size(); ++i) {
    const auto& p = req.artifacts[i].platform;
    arts.push_back({{"os", p.os}, {"arch", p.arch}, {"min_os", p.min_os},
                    {"name", req.artifacts[i].file.filename().string()},
                    {"sha256", i < artifact_sha256.size() ? to_hex(artifact_sha256[i]) : ""}});
  }
  std::sort(arts.begin(), arts.end());
  json rollout = json::array();
  for (const auto& s : req.rollout) rollout.push_back({s.start, s.percent});
  json doc{{"semver", req.semver}, {"artifacts", arts}, {"rollout", rollout}, {"metadata", req.metadata}};
  auto canon = trust::encode_canonical(doc);
  return trust::sha256_hex(canon ? *canon : doc.dump());
}

json publish_report::to_json() const {
  json arts = json::array();
  for (const auto& a : artifacts) {
    json deltas = json::array();
    for (const auto& d : a.deltas)
      deltas.push_back({{"base_version", d.base_version}, {"method", d.method}, {"cid", d.cid}, {"size", d.size}});
    arts.push_back({{"path", a.path}, {"os", a.platform.os}, {"arch", a.platform.arch}, {"min_os", a.platform.min_os},
                    {"size", a.size}, {"cid", a.cid}, {"deltas", deltas}, {"skipped", a.skipped}});
  }
  json steps_j = json::array();
  for (const auto& s : steps) steps_j.push_back({{"step", s.step}, {"ok", s.ok}, {"detail", s.detail}});
  json j{{"channel", channel},          {"semver", semver},       {"sequence", sequence},
         {"release_hash", release_hash}, {"bundle_cid", bundle_cid}, {"bundle_size", bundle_size},
         {"resumed", resumed},          {"artifacts", arts},      {"steps", steps_j}};
  if (conflict) j["conflict"] = *conflict;
  return j;
}

result<publish_report> publish(workspace& ws, const publish_request& req, const signing_keys& keys, const rpc_fn& rpc,
                               rng& r, wall_time now) {
  if (auto c = check_request(req, now); !c) return fail(c.error());
  std::vector<bytes> hashes;
  for (const auto& a : req.artifacts) {
    auto h = file_sha256(a.file);
    if (!h) return fail(h.error());
    hashes.push_back(std::move(*h));
  }
  auto key = content_key(req, hashes);
  auto history = ws.releases();
  if (!history) return fail(history.error());
  publish_report report;
  report.channel = ws.channel();
  report.semver = req.semver;
  const stored_release* resume = nullptr;
  for (const auto& s : *history) {
    if (s.origin == "local" && s.content_key == key) resume = &s;
    else if (s.semver == req.semver)
      return fail(publish_errc::bad_request, "semver " + req.semver + " is already sequence " + std::to_string(s.sequence) +
                                                 " with other content; give a new version");
  }
  if (resume && resume->sequence != history->back().sequence)
    return fail(publish_errc::bad_request, "this content was published as sequence " + std::to_string(resume->sequence) +
                                               " and newer releases followed it");
  std::optional<network_release> net;
  if (req.read_network) {
    step_result st;
    net = read_network(rpc, ws, st);
    report.steps.push_back(std::move(st));
  }
  auto seq = choose_sequence(*history, net);
  if (!seq) {
    if (net) (void)ws.record_conflict(net->sequence, net->targets_text);
    return fail(seq.error());
  }
  std::optional<stored_release> done;
  if (resume) {
    done = *resume;
    report.resumed = true;
    report.artifacts = summaries(*done);
  } else {
    if (seq->adopt_network) {
      if (auto a = adopt(ws, *net); !a) return fail(a.error());
      auto h = ws.releases();
      if (!h) return fail(h.error());
      *history = std::move(*h);
    }
    auto built = build_release(ws, req, keys, rpc, r, *seq, *history, key, hashes, report);
    if (!built) return fail(built.error());
    done = std::move(*built);
  }
  report.sequence = done->sequence;
  report.release_hash = done->targets_hash;
  report.bundle_size = done->bundle.size();
  auto bundle_cid = import_release(rpc, *done);
  if (!bundle_cid) return fail(bundle_cid.error());
  report.bundle_cid = *bundle_cid;
  if (req.announce) announce(rpc, ws, *done, *bundle_cid, req, report);
  if (!req.car_out.empty()) report.steps.push_back(export_car(rpc, *done, *bundle_cid, req.car_out));
  if (req.announce && net) {
    // Another publisher may have taken the same sequence meanwhile: look again.
    step_result st;
    auto after = read_network(rpc, ws, st);
    step_result check{"conflict-check", true, "no other release with sequence " + std::to_string(done->sequence)};
    if (after && after->sequence == done->sequence && after->targets_hash != done->targets_hash) {
      auto evidence = ws.record_conflict(after->sequence, after->targets_text);
      report.conflict = "sequence " + std::to_string(done->sequence) + " was also published as " + after->semver +
                        " (targets sha256 " + after->targets_hash + ")" +
                        (evidence ? ", evidence in " + evidence->string() : "");
      check = {"conflict-check", false, *report.conflict};
    }
    report.steps.push_back(std::move(check));
  }
  return report;
}

}  // namespace converge::publish
