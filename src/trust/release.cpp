#include "trust/release.hpp"

#include <openssl/evp.h>
#include <sodium.h>

#include <algorithm>

#include "multiformats/cid.hpp"
#include "trust/json_fields.hpp"
#include "trust/tuf_builder.hpp"

namespace converge::trust {
namespace {

using nlohmann::json;

bool is_token(std::string_view s, std::size_t max, std::string_view extra) {
  if (s.empty() || s.size() > max) return false;
  return std::all_of(s.begin(), s.end(), [&](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || extra.find(c) != std::string_view::npos;
  });
}

bool is_dotted_decimal(std::string_view s) {
  if (s.empty() || s.size() > 32 || s.front() == '.' || s.back() == '.') return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '.') {
      if (s[i - 1] == '.') return false;
    } else if (s[i] < '0' || s[i] > '9') {
      return false;
    }
  }
  return true;
}

constexpr std::size_t max_cid_text = 256;

// A CID as the multiformats parser reads it (v0 "Qm...", or v1 in any
// multibase), so a release can only name content the block layer can fetch.
result<void> check_cid(std::string_view s, const std::string& path) {
  if (s.size() > max_cid_text) return field_error(path, "must be a CID of at most " + std::to_string(max_cid_text) + " characters");
  auto c = mf::cid::parse(s);
  if (!c) return field_error(path, "must be a CID (" + c.error().detail + ")");
  return ok();
}

result<bytes> require_sha256(const json& obj, std::string_view key, std::string_view path) {
  auto s = require_string(obj, key, path);
  if (!s) return fail(s.error());
  auto b = from_hex(*s);
  if (!b || b->size() != 32 || to_hex(*b) != *s)
    return field_error(field_path(path, key), "must be 64 lower-case hex characters (sha256)");
  return *b;
}

result<std::string> require_token(const json& obj, std::string_view key, std::string_view path, std::size_t max,
                                  std::string_view extra, std::string_view what) {
  auto s = require_string(obj, key, path);
  if (!s) return fail(s.error());
  if (!is_token(*s, max, extra)) return field_error(field_path(path, key), what);
  return *s;
}

result<platform_spec> parse_platform(const json& custom, std::string_view path) {
  auto p = require_object(custom, "platform", path);
  if (!p) return fail(p.error());
  std::string pp = field_path(path, "platform");
  for (auto it = (*p)->begin(); it != (*p)->end(); ++it)
    if (it.key() != "os" && it.key() != "arch" && it.key() != "min_os")
      return field_error(field_path(pp, it.key()), "unknown field");
  platform_spec out;
  auto os = require_string(**p, "os", pp);
  if (!os) return fail(os.error());
  if (*os != "android" && *os != "harmonyos" && *os != "ios" && *os != "linux")
    return field_error(field_path(pp, "os"), "must be one of android, harmonyos, ios, linux");
  out.os = *os;
  auto arch = require_token(**p, "arch", pp, 32, "_", "must be 1-32 characters of [a-z0-9_]");
  if (!arch) return fail(arch.error());
  out.arch = *arch;
  auto min_os = require_string(**p, "min_os", pp);
  if (!min_os) return fail(min_os.error());
  if (!is_dotted_decimal(*min_os)) return field_error(field_path(pp, "min_os"), "must be dotted decimal, e.g. \"12.4\"");
  out.min_os = *min_os;
  return out;
}

result<delta_entry> parse_delta(const json& d, std::string_view p) {
  if (!d.is_object()) return field_error(p, "must be an object");
  static constexpr std::string_view known[] = {"base_version", "base_cid", "algorithm", "cid", "size", "sha256"};
  for (auto it = d.begin(); it != d.end(); ++it)
    if (std::find(std::begin(known), std::end(known), it.key()) == std::end(known))
      return field_error(field_path(p, it.key()), "unknown field");
  delta_entry e;
  auto bv = require_string(d, "base_version", p);
  if (!bv) return fail(bv.error());
  if (!valid_semver(*bv)) return field_error(field_path(p, "base_version"), "must be a semantic version");
  e.base_version = *bv;
  for (auto [key, dst] : {std::pair{"base_cid", &e.base_cid}, std::pair{"cid", &e.cid}}) {
    auto c = require_string(d, key, p);
    if (!c) return fail(c.error());
    if (auto v = check_cid(*c, field_path(p, key)); !v) return fail(v.error());
    *dst = *c;
  }
  auto alg = require_token(d, "algorithm", p, 64, "-_.", "must be 1-64 characters of [a-z0-9-_.]");
  if (!alg) return fail(alg.error());
  e.algorithm = *alg;
  auto size = require_uint(d, "size", p, 1);
  if (!size) return fail(size.error());
  e.size = *size;
  auto h = require_sha256(d, "sha256", p);
  if (!h) return fail(h.error());
  e.sha256 = *h;
  return e;
}

// Release-wide fields as one target states them.
struct release_fields {
  std::string channel, semver, previous;
  std::uint64_t sequence = 0;
  json rollout, metadata;
};

result<release_fields> parse_release_fields(const json& c, std::string_view path, const release_limits& lim,
                                            std::vector<rollout_step>& steps) {
  release_fields f;
  auto ch = require_token(c, "channel", path, 64, "-_", "must be 1-64 characters of [a-z0-9-_]");
  if (!ch) return fail(ch.error());
  f.channel = *ch;
  auto sv = require_string(c, "semver", path);
  if (!sv) return fail(sv.error());
  if (!valid_semver(*sv)) return field_error(field_path(path, "semver"), "must be a semantic version like 1.4.0");
  f.semver = *sv;
  auto seq = require_uint(c, "sequence", path, 1);
  if (!seq) return fail(seq.error());
  f.sequence = *seq;
  auto prev = require_string(c, "previous", path);
  if (!prev) return fail(prev.error());
  if (!prev->empty()) {
    auto b = require_sha256(c, "previous", path);
    if (!b) return fail(b.error());
  }
  f.previous = *prev;
  auto ro = require_array(c, "rollout", path);
  if (!ro) return fail(ro.error());
  std::string rp = field_path(path, "rollout");
  if ((*ro)->size() > lim.max_rollout_steps)
    return fail(trust_errc::too_large, rp + ": more than " + std::to_string(lim.max_rollout_steps) + " steps");
  steps.clear();
  for (std::size_t i = 0; i < (*ro)->size(); ++i) {
    const auto& s = (**ro)[i];
    std::string sp = rp + "[" + std::to_string(i) + "]";
    if (!s.is_object() || s.size() != 2) return field_error(sp, "must be {\"start\", \"percent\"}");
    auto start = require_string(s, "start", sp);
    if (!start) return fail(start.error());
    auto when = tuf::parse_expires(*start);
    if (!when) return field_error(field_path(sp, "start"), when.error().detail);
    auto pct = require_uint(s, "percent", sp, 1);
    if (!pct) return fail(pct.error());
    if (*pct > 100) return field_error(field_path(sp, "percent"), "must be 1..100");
    if (!steps.empty() && (*when <= steps.back().start || *pct < steps.back().percent))
      return field_error(sp, "steps must have increasing start and non-decreasing percent");
    steps.push_back({*when, static_cast<std::uint32_t>(*pct)});
  }
  f.rollout = **ro;
  auto md = require_object(c, "metadata", path);
  if (!md) return fail(md.error());
  auto enc = encode_canonical(**md);
  if (!enc) return field_error(field_path(path, "metadata"), enc.error().detail);
  if (enc->size() > lim.max_metadata_bytes)
    return fail(trust_errc::too_large, field_path(path, "metadata") + ": over " +
                                           std::to_string(lim.max_metadata_bytes) + " bytes");
  f.metadata = **md;
  return f;
}

json rollout_json(const std::vector<rollout_step>& steps) {
  json a = json::array();
  for (const auto& s : steps) a.push_back({{"start", tuf::format_expires(s.start)}, {"percent", s.percent}});
  return a;
}

}  // namespace

std::string_view to_string(artifact_kind k) {
  switch (k) {
    case artifact_kind::full: return "full";
    case artifact_kind::delta: return "delta";
    case artifact_kind::resource: return "resource";
  }
  return "full";
}

bool valid_semver(std::string_view v) {
  if (v.empty() || v.size() > 64) return false;
  std::size_t cut = v.find_first_of("-+");
  std::string_view core = v.substr(0, cut);
  int dots = 0;
  for (std::size_t i = 0; i < core.size(); ++i) {
    char c = core[i];
    if (c == '.') {
      if (i == 0 || core[i - 1] == '.') return false;
      ++dots;
    } else if (c < '0' || c > '9') {
      return false;
    } else if (c == '0' && (i == 0 || core[i - 1] == '.') && i + 1 < core.size() && core[i + 1] != '.') {
      return false;  // leading zero
    }
  }
  if (dots != 2 || core.back() == '.') return false;
  if (cut == std::string_view::npos) return true;
  std::string_view rest = v.substr(cut + 1);
  if (rest.empty()) return false;
  return std::all_of(rest.begin(), rest.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+';
  });
}

bool os_version_at_least(std::string_view have, std::string_view need) {
  if (!is_dotted_decimal(have) || !is_dotted_decimal(need)) return false;
  auto next = [](std::string_view& s) -> std::uint64_t {
    std::uint64_t v = 0;
    while (!s.empty() && s.front() != '.') {
      v = std::min<std::uint64_t>(v * 10 + static_cast<std::uint64_t>(s.front() - '0'), 1'000'000'000);
      s.remove_prefix(1);
    }
    if (!s.empty()) s.remove_prefix(1);
    return v;
  };
  while (!have.empty() || !need.empty()) {
    auto a = next(have), b = next(need);
    if (a != b) return a > b;
  }
  return true;
}

std::string sha256_hex(std::string_view data) {
  // OpenSSL's SHA-256 uses the CPU's SHA extensions; libsodium's is portable
  // C and, for whole bundles, a visible share of verification time.
  std::array<std::uint8_t, crypto_hash_sha256_BYTES> h;
  unsigned int n = 0;
  if (EVP_Digest(data.data(), data.size(), h.data(), &n, EVP_sha256(), nullptr) != 1)
    crypto_hash_sha256(h.data(), reinterpret_cast<const unsigned char*>(data.data()), data.size());
  return to_hex(h);
}

result<release> release_from_targets(const tuf::targets_metadata& t, const release_limits& lim) {
  if (t.targets.empty()) return field_error("targets.targets", "a release lists at least one artifact");
  if (t.targets.size() > lim.max_artifacts)
    return fail(trust_errc::too_large, "targets.targets: more than " + std::to_string(lim.max_artifacts) + " artifacts");
  if (t.delegations) return field_error("targets.delegations", "a release does not delegate");
  release r;
  r.expires = t.common.expires;
  std::optional<release_fields> first;
  for (const auto& [path, f] : t.targets) {
    std::string p = "targets.targets[\"" + path + "\"]";
    artifact a;
    a.path = path;
    a.length = f.length;
    auto h = f.hashes.find("sha256");
    if (h == f.hashes.end()) return field_error(field_path(p, "hashes"), "must include sha256");
    a.sha256 = h->second;
    if (!f.custom.is_object()) return field_error(field_path(p, "custom"), "must be an object");
    const json& c = f.custom;
    std::string cp = field_path(p, "custom");
    static constexpr std::string_view known[] = {"channel",  "semver",   "sequence", "platform", "kind",
                                                 "cid",      "deltas",   "previous", "rollout",  "metadata"};
    for (auto it = c.begin(); it != c.end(); ++it)
      if (std::find(std::begin(known), std::end(known), it.key()) == std::end(known))
        return field_error(field_path(cp, it.key()), "unknown field");
    std::vector<rollout_step> steps;
    auto rf = parse_release_fields(c, cp, lim, steps);
    if (!rf) return fail(rf.error());
    if (!first) {
      first = *rf;
      r.channel = rf->channel;
      r.semver = rf->semver;
      r.sequence = rf->sequence;
      r.previous = rf->previous;
      r.rollout = steps;
      r.metadata = rf->metadata;
      if (r.sequence != t.common.version)
        return field_error(field_path(cp, "sequence"), "must equal the targets version " +
                                                            std::to_string(t.common.version));
    } else {
      for (auto [key, same] : {std::pair{"channel", rf->channel == first->channel},
                               std::pair{"semver", rf->semver == first->semver},
                               std::pair{"sequence", rf->sequence == first->sequence},
                               std::pair{"previous", rf->previous == first->previous},
                               std::pair{"rollout", rf->rollout == first->rollout},
                               std::pair{"metadata", rf->metadata == first->metadata}})
        if (!same) return field_error(field_path(cp, key), "differs from the release's other artifacts");
    }
    if (!path.starts_with(r.channel + "/") || path.size() == r.channel.size() + 1)
      return field_error(p, "target path must start with the channel namespace \"" + r.channel + "/\"");
    auto plat = parse_platform(c, cp);
    if (!plat) return fail(plat.error());
    a.platform = *plat;
    auto kind = require_string(c, "kind", cp);
    if (!kind) return fail(kind.error());
    if (*kind == "full") a.kind = artifact_kind::full;
    else if (*kind == "delta") a.kind = artifact_kind::delta;
    else if (*kind == "resource") a.kind = artifact_kind::resource;
    else return field_error(field_path(cp, "kind"), "must be one of full, delta, resource");
    auto cid = require_string(c, "cid", cp);
    if (!cid) return fail(cid.error());
    if (auto v = check_cid(*cid, field_path(cp, "cid")); !v) return fail(v.error());
    a.cid = *cid;
    auto deltas = require_array(c, "deltas", cp);
    if (!deltas) return fail(deltas.error());
    std::string dp = field_path(cp, "deltas");
    if ((*deltas)->size() > lim.max_deltas)
      return fail(trust_errc::too_large, dp + ": more than " + std::to_string(lim.max_deltas) + " entries");
    for (std::size_t i = 0; i < (*deltas)->size(); ++i) {
      auto d = parse_delta((**deltas)[i], dp + "[" + std::to_string(i) + "]");
      if (!d) return fail(d.error());
      a.deltas.push_back(std::move(*d));
    }
    if (a.kind == artifact_kind::delta && a.deltas.empty())
      return field_error(dp, "a delta artifact lists at least one delta entry");
    r.artifacts.push_back(std::move(a));
  }
  return r;
}

result<release> parse_release(std::string_view targets_text, const release_limits& lim) {
  auto t = tuf::parse_targets(targets_text);
  if (!t) return fail(t.error());
  return release_from_targets(t->role, lim);
}

result<tuf::targets_metadata> release_to_targets(const release& r, const release_limits& lim) {
  tuf::targets_metadata t;
  t.common.spec_version = std::string(tuf::default_spec_version);
  t.common.version = r.sequence;
  t.common.expires = r.expires;
  for (const auto& a : r.artifacts) {
    json deltas = json::array();
    for (const auto& d : a.deltas)
      deltas.push_back({{"base_version", d.base_version}, {"base_cid", d.base_cid}, {"algorithm", d.algorithm},
                        {"cid", d.cid}, {"size", d.size}, {"sha256", to_hex(d.sha256)}});
    json custom = {{"channel", r.channel},
                   {"semver", r.semver},
                   {"sequence", r.sequence},
                   {"platform", {{"os", a.platform.os}, {"arch", a.platform.arch}, {"min_os", a.platform.min_os}}},
                   {"kind", to_string(a.kind)},
                   {"cid", a.cid},
                   {"deltas", deltas},
                   {"previous", r.previous},
                   {"rollout", rollout_json(r.rollout)},
                   {"metadata", r.metadata}};
    tuf::target_file f;
    f.length = a.length;
    f.hashes["sha256"] = a.sha256;
    f.custom = std::move(custom);
    if (!t.targets.emplace(a.path, std::move(f)).second)
      return field_error("targets.targets[\"" + a.path + "\"]", "listed twice");
  }
  if (r.sequence == 0) return field_error("release.sequence", "must be at least 1");
  if (auto check = release_from_targets(t, lim); !check) return fail(check.error());
  return t;
}

result<std::vector<const artifact*>> artifacts_for(const release& r, const device_profile& d) {
  if (r.channel != d.channel)
    return fail(trust_errc::not_for_device, "release is for channel \"" + r.channel + "\", device follows \"" +
                                                d.channel + "\"");
  // A min_os of zeros ("0", "0.0") sets no minimum: it fits a device that does not know its OS version too.
  auto no_minimum = [](std::string_view v) { return v.find_first_not_of("0.") == std::string_view::npos; };
  std::vector<const artifact*> out;
  for (const auto& a : r.artifacts)
    if (a.platform.os == d.os && a.platform.arch == d.arch &&
        (no_minimum(a.platform.min_os) || os_version_at_least(d.os_version, a.platform.min_os)))
      out.push_back(&a);
  if (out.empty())
    return fail(trust_errc::not_for_device, "release " + r.semver + " has no artifact for " + d.os + "/" + d.arch +
                                                " " + d.os_version);
  return out;
}

}  // namespace converge::trust
