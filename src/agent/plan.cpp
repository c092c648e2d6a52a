#include "agent/plan.hpp"

namespace converge::agent {

std::optional<trust::artifact> pick_target(const std::vector<trust::artifact>& for_device) {
  for (const auto& a : for_device)
    if (a.kind == trust::artifact_kind::full) return a;
  return std::nullopt;
}

std::optional<trust::delta_entry> pick_delta(const trust::artifact& target, std::string_view installed_semver,
                                             std::string_view installed_cid) {
  if (installed_semver.empty()) return std::nullopt;
  for (const auto& d : target.deltas) {
    if (d.base_version != installed_semver) continue;
    if (!installed_cid.empty() && !d.base_cid.empty() && d.base_cid != installed_cid) continue;
    return d;
  }
  return std::nullopt;
}

namespace {
nlohmann::json delta_json(const trust::delta_entry& d) {
  return {{"base_version", d.base_version}, {"base_cid", d.base_cid}, {"algorithm", d.algorithm},
          {"cid", d.cid}, {"size", d.size}, {"sha256", to_hex(d.sha256)}};
}

nlohmann::json artifact_json(const trust::artifact& a) {
  auto deltas = nlohmann::json::array();
  for (const auto& d : a.deltas) deltas.push_back(delta_json(d));
  return {{"path", a.path}, {"length", a.length}, {"sha256", to_hex(a.sha256)},
          {"os", a.platform.os}, {"arch", a.platform.arch}, {"min_os", a.platform.min_os},
          {"kind", trust::to_string(a.kind)}, {"cid", a.cid}, {"deltas", deltas}};
}

// Reads what encode_plan wrote; the text came from our own DB, so any
// mismatch means a damaged or foreign row: bad_state naming the field.
struct reader {
  const nlohmann::json& j;
  std::string where;
  std::optional<error> err;

  const nlohmann::json* field(const char* k, bool (nlohmann::json::*is)() const noexcept) {
    if (err) return nullptr;
    auto it = j.find(k);
    if (it == j.end() || !((*it).*is)()) {
      err = error{make_error_code(agent_errc::bad_state), "attempt plan " + where + k + ": missing or mistyped"};
      return nullptr;
    }
    return &*it;
  }
  std::string str(const char* k) {
    auto* v = field(k, &nlohmann::json::is_string);
    return v ? v->get<std::string>() : std::string{};
  }
  std::uint64_t num(const char* k) {
    auto* v = field(k, &nlohmann::json::is_number_unsigned);
    return v ? v->get<std::uint64_t>() : 0;
  }
  bytes hex(const char* k) {
    auto h = from_hex(str(k));
    if (!h && !err) err = error{make_error_code(agent_errc::bad_state), "attempt plan " + where + k + ": not hex"};
    return h ? *h : bytes{};
  }
};

trust::artifact read_artifact(const nlohmann::json& j, std::optional<error>& err) {
  reader r{j, "target.", {}};
  trust::artifact a;
  a.path = r.str("path");
  a.length = r.num("length");
  a.sha256 = r.hex("sha256");
  a.platform = {r.str("os"), r.str("arch"), r.str("min_os")};
  auto kind = r.str("kind");
  a.kind = kind == "delta" ? trust::artifact_kind::delta
           : kind == "resource" ? trust::artifact_kind::resource : trust::artifact_kind::full;
  a.cid = r.str("cid");
  if (auto* ds = r.field("deltas", &nlohmann::json::is_array)) {
    for (const auto& dj : *ds) {
      if (!dj.is_object()) { r.err = error{make_error_code(agent_errc::bad_state), "attempt plan target.deltas: not objects"}; break; }
      reader d{dj, "target.deltas[].", {}};
      trust::delta_entry e{d.str("base_version"), d.str("base_cid"), d.str("algorithm"), d.str("cid"),
                           d.num("size"), d.hex("sha256")};
      if (d.err) { r.err = d.err; break; }
      a.deltas.push_back(std::move(e));
    }
  }
  err = r.err;
  return a;
}
}  // namespace

std::string encode_plan(const release_plan& p) {
  auto rollout = nlohmann::json::array();
  for (const auto& s : p.rollout) rollout.push_back({{"start", s.start}, {"percent", s.percent}});
  nlohmann::json j{{"channel", p.channel}, {"semver", p.semver}, {"sequence", p.sequence},
                   {"rollout", rollout}, {"halt", p.halt}, {"target", artifact_json(p.target)}};
  return j.dump();
}

result<release_plan> decode_plan(std::string_view text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return fail(agent_errc::bad_state, "attempt plan: not a JSON object");
  reader r{j, "", {}};
  release_plan p;
  p.channel = r.str("channel");
  p.semver = r.str("semver");
  p.sequence = r.num("sequence");
  if (auto* h = r.field("halt", &nlohmann::json::is_boolean)) p.halt = h->get<bool>();
  if (auto* ro = r.field("rollout", &nlohmann::json::is_array)) {
    for (const auto& s : *ro) {
      if (!s.is_object() || !s.contains("start") || !s["start"].is_number_integer() || !s.contains("percent") ||
          !s["percent"].is_number_unsigned())
        return fail(agent_errc::bad_state, "attempt plan rollout: malformed step");
      p.rollout.push_back({s["start"].get<std::int64_t>(), s["percent"].get<std::uint32_t>()});
    }
  }
  if (auto* t = r.field("target", &nlohmann::json::is_object)) {
    std::optional<error> e;
    p.target = read_artifact(*t, e);
    if (e) return fail(*e);
  }
  if (r.err) return fail(*r.err);
  return p;
}

}  // namespace converge::agent
