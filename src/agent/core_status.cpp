// core::status(): the JSON `converge status` shows. Field names are an
// interface (the CLI and the demo summary read them): add, never rename.
#include "agent/core.hpp"

namespace converge::agent {

nlohmann::json core::status() const {
  using json = nlohmann::json;
  json s{{"channel", cfg_.channel}, {"phase", to_string(current_phase())}};
  if (installed_) {
    const auto& i = *installed_;
    s["installed"] = {{"semver", i.semver},         {"sequence", i.sequence},
                      {"hash", i.release_hash},     {"heard_via", to_string(i.via)},
                      {"fetched_as", i.fetched_as}, {"bytes_fetched", i.bytes_fetched},
                      {"heard_at", i.heard_at},     {"installed_at", i.installed_at},
                      {"package_path", i.package_path}};
    if (!installed_revoked_.empty()) s["installed"]["revoked"] = installed_revoked_;
  } else {
    s["installed"] = nullptr;
  }
  if (attempt_ && attempt_->ph != phase::announced) {
    const auto& a = *attempt_;
    s["pending"] = {{"semver", a.semver}, {"sequence", a.sequence}, {"hash", a.release_hash}};
    s["heard_via"] = to_string(a.via);
    s["attempts"] = a.attempts;
    s["next_attempt_at"] = a.next_attempt_at ? json(*a.next_attempt_at) : json(nullptr);
    s["last_error"] = a.last_error;
    s["fetched_as"] = a.fetched_as;
    s["progress"] = {{"done", a.ph == phase::downloading ? progress_done_ : a.bytes_fetched},
                     {"total", a.ph == phase::downloading ? progress_total_ : a.bytes_fetched}};
  } else {
    s["pending"] = nullptr;
  }
  if (!waiting_.empty()) s["waiting"] = waiting_;
  if (wakeup_)
    s["next_wakeup"] = std::chrono::duration_cast<std::chrono::seconds>(wakeup_->time_since_epoch()).count();
  if (!store_error_.empty()) s["store_error"] = store_error_;
  auto history = json::array();
  if (auto h = db_->history(lim_.status_history)) {
    for (const auto& e : *h)
      history.push_back({{"at", e.at}, {"kind", e.kind}, {"hash", e.release_hash}, {"detail", e.detail}});
  }
  s["history"] = std::move(history);
  return s;
}

}  // namespace converge::agent
