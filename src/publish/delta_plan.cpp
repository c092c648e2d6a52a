#include "publish/delta_plan.hpp"

#include "publish/errors.hpp"

namespace converge::publish {

std::vector<delta_base> bases_for(const std::vector<stored_release>& history, const trust::platform_spec& p,
                                  unsigned n) {
  std::vector<delta_base> out;
  for (auto it = history.rbegin(); it != history.rend() && out.size() < n; ++it) {
    for (const auto& a : it->rel.artifacts) {
      if (a.kind != trust::artifact_kind::full || a.platform.os != p.os || a.platform.arch != p.arch) continue;
      auto f = it->files.find(a.cid);
      if (f == it->files.end()) continue;
      out.push_back({it->sequence, it->semver, a.cid, f->second, a.sha256});
      break;
    }
  }
  return out;
}

result<delta_plan> plan_deltas(bytes_view new_data, const std::vector<delta_base>& bases, const delta_options& o) {
  delta_plan plan;
  auto new_hash = delta::sha256_of(new_data);
  for (const auto& b : bases) {
    if (b.sha256.size() == new_hash.size() && std::equal(b.sha256.begin(), b.sha256.end(), new_hash.begin())) {
      plan.skipped.push_back(b.semver + ": same content as the new artifact");
      continue;
    }
    auto old_data = read_file(b.file.string());
    if (!old_data) return fail(publish_errc::io, "delta base " + b.semver + ": " + old_data.error().message());
    delta::make_options mo;
    mo.max_ratio = o.max_ratio;
    delta::make_report rep;
    auto patch = delta::make_patch(*old_data, new_data, mo, &rep);
    if (!patch) {
      if (patch.error().code == delta::delta_errc::no_benefit) {
        plan.skipped.push_back(b.semver + ": " + patch.error().message());
        continue;
      }
      return fail(publish_errc::bad_request, "delta from " + b.semver + ": " + patch.error().message());
    }
    plan.deltas.push_back({b, rep.chosen, std::move(*patch), rep.full_size});
  }
  return plan;
}

std::string delta_algorithm(delta::method m) { return "converge-delta-" + delta::to_string(m); }

}  // namespace converge::publish
