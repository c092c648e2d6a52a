// store::commit's body: the writes of one transition, inside its transaction.
#include "agent/sqlite_util.hpp"
#include "agent/store.hpp"

namespace converge::agent {
namespace {
std::int64_t i64(std::uint64_t v) { return static_cast<std::int64_t>(v); }

result<void> run(result<sql::statement> st, std::string_view what) {
  if (!st) return fail(st.error());
  if (auto r = st->step(what); !r) return fail(r.error());
  return ok();
}

result<void> write_attempt(sqlite3* db, const attempt_record& a) {
  auto st = sql::statement::prepare(db,
      "INSERT OR REPLACE INTO attempt (id, release_hash, phase, retry_from, bundle, heard_via, sequence, semver, plan, "
      "attempts, next_attempt_at, last_error, bytes_fetched, fetched_as, avoid_delta, fetched_path, package_path, "
      "created_at, updated_at) VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)");
  if (st) {
    st->bind(1, a.release_hash).bind(2, to_string(a.ph)).bind(3, to_string(a.retry_from)).bind(4, bytes_view(a.bundle));
    st->bind(5, to_string(a.via)).bind(6, i64(a.sequence)).bind(7, a.semver).bind(8, a.plan);
    st->bind(9, std::int64_t{a.attempts}).bind(10, a.next_attempt_at).bind(11, a.last_error);
    st->bind(12, i64(a.bytes_fetched)).bind(13, a.fetched_as).bind(14, std::int64_t{a.avoid_delta ? 1 : 0});
    st->bind(15, a.fetched_path).bind(16, a.package_path).bind(17, a.created_at).bind(18, a.updated_at);
  }
  return run(std::move(st), "writing the current attempt");
}

result<void> write_installed(sqlite3* db, const installed_release& r) {
  auto st = sql::statement::prepare(db,
      "INSERT OR REPLACE INTO installed (id, release_hash, channel, sequence, semver, artifact_path, sha256, cid, "
      "package_path, heard_via, fetched_as, bytes_fetched, heard_at, installed_at) "
      "VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
  if (st) {
    st->bind(1, r.release_hash).bind(2, r.channel).bind(3, i64(r.sequence)).bind(4, r.semver);
    st->bind(5, r.artifact_path).bind(6, r.sha256).bind(7, r.cid).bind(8, r.package_path);
    st->bind(9, to_string(r.via)).bind(10, r.fetched_as).bind(11, i64(r.bytes_fetched));
    st->bind(12, r.heard_at).bind(13, r.installed_at);
  }
  return run(std::move(st), "writing the installed release");
}
}  // namespace

result<void> store::apply(const transition& t) {
  if (t.clear_attempt)
    if (auto r = sql::exec(db_, "DELETE FROM attempt"); !r) return r;
  if (t.attempt)
    if (auto r = write_attempt(db_, *t.attempt); !r) return r;
  if (t.installed)
    if (auto r = write_installed(db_, *t.installed); !r) return r;
  for (const auto& [hash, reason] : t.mark_bad) {
    auto st = sql::statement::prepare(db_, "INSERT OR REPLACE INTO bad_releases (release_hash, reason) VALUES (?1, ?2)");
    if (st) st->bind(1, hash).bind(2, reason);
    if (auto r = run(std::move(st), "marking a release bad"); !r) return r;
  }
  for (const auto& e : t.events) {
    auto st = sql::statement::prepare(db_, "INSERT INTO history (at, kind, release_hash, detail) VALUES (?1, ?2, ?3, ?4)");
    if (st) st->bind(1, e.at).bind(2, e.kind).bind(3, e.release_hash).bind(4, e.detail);
    if (auto r = run(std::move(st), "appending to the history"); !r) return r;
  }
  if (!t.events.empty()) {
    // The history is bounded: keep the newest max_history_ events.
    auto st = sql::statement::prepare(db_,
        "DELETE FROM history WHERE id <= (SELECT MAX(id) FROM history) - ?1");
    if (st) st->bind(1, i64(max_history_));
    if (auto r = run(std::move(st), "trimming the history"); !r) return r;
  }
  return ok();
}

}  // namespace converge::agent
