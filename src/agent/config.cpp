#include "agent/config.hpp"

#include <algorithm>
#include <initializer_list>
#include <set>

namespace converge::agent {
namespace {

using json = nlohmann::json;

std::unexpected<error> bad(const std::string& field, const std::string& what) {
  return fail(agent_errc::bad_config, "update." + field + ": " + what);
}

// Unknown fields are errors: a typo must not silently keep a default.
result<void> only_fields(const json& obj, const std::string& where, std::initializer_list<std::string_view> known) {
  for (const auto& [k, v] : obj.items()) {
    if (std::find(known.begin(), known.end(), k) == known.end())
      return fail(agent_errc::bad_config, "update" + (where.empty() ? "" : "." + where) + ": unknown field \"" + k + "\"");
  }
  return ok();
}

result<const json*> object_field(const json& obj, const std::string& prefix, const char* key, bool required) {
  auto it = obj.find(key);
  if (it == obj.end()) {
    if (required) return bad(prefix + key, "required");
    return static_cast<const json*>(nullptr);
  }
  if (!it->is_object()) return bad(prefix + key, "must be an object");
  return &*it;
}

result<std::optional<std::string>> string_field(const json& obj, const std::string& prefix, const char* key,
                                                std::size_t max_len) {
  auto it = obj.find(key);
  if (it == obj.end()) return std::optional<std::string>{};
  if (!it->is_string()) return bad(prefix + key, "must be a string");
  auto s = it->get<std::string>();
  if (s.empty() || s.size() > max_len)
    return bad(prefix + key, "must be 1 to " + std::to_string(max_len) + " characters");
  return std::optional<std::string>{std::move(s)};
}

result<std::optional<std::uint64_t>> uint_field(const json& obj, const std::string& prefix, const char* key,
                                                std::uint64_t lo, std::uint64_t hi) {
  auto it = obj.find(key);
  if (it == obj.end()) return std::optional<std::uint64_t>{};
  auto range = "must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi);
  if (!it->is_number_unsigned() && !(it->is_number_integer() && it->get<std::int64_t>() >= 0)) return bad(prefix + key, range);
  auto v = it->get<std::uint64_t>();
  if (v < lo || v > hi) return bad(prefix + key, range);
  return std::optional<std::uint64_t>{v};
}

result<std::optional<bool>> bool_field(const json& obj, const std::string& prefix, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end()) return std::optional<bool>{};
  if (!it->is_boolean()) return bad(prefix + key, "must be true or false");
  return std::optional<bool>{it->get<bool>()};
}

bool valid_channel(std::string_view c) {
  if (c.empty() || c.size() > 64) return false;
  return std::all_of(c.begin(), c.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-';
  });
}

// "HH:MM", 00:00 to 23:59, two digits each.
std::optional<int> parse_hhmm(std::string_view s) {
  if (s.size() != 5 || s[2] != ':') return std::nullopt;
  for (std::size_t i : {0u, 1u, 3u, 4u})
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
  int h = (s[0] - '0') * 10 + (s[1] - '0');
  int m = (s[3] - '0') * 10 + (s[4] - '0');
  if (h > 23 || m > 59) return std::nullopt;
  return h * 60 + m;
}

std::string hhmm(int minutes) {
  std::string out = std::to_string(minutes / 60 + 100).substr(1) + ":" + std::to_string(minutes % 60 + 100).substr(1);
  return out;
}

result<void> parse_device(const json& d, agent_config& c) {
  if (auto r = only_fields(d, "device", {"os", "arch", "os_version", "salt"}); !r) return r;
  auto os = string_field(d, "device.", "os", 32);
  if (!os) return fail(os.error());
  if (!*os) return bad("device.os", "required");
  static const std::set<std::string> oses{"android", "harmonyos", "ios", "linux"};
  if (!oses.contains(**os)) return bad("device.os", "must be one of android, harmonyos, ios, linux");
  c.os = **os;
  auto arch = string_field(d, "device.", "arch", 32);
  if (!arch) return fail(arch.error());
  if (!*arch) return bad("device.arch", "required");
  c.arch = **arch;
  auto ver = string_field(d, "device.", "os_version", 32);
  if (!ver) return fail(ver.error());
  if (*ver) {
    if (!trust::os_version_at_least(**ver, "0")) return bad("device.os_version", "must be dotted decimal, e.g. \"12\" or \"12.4\"");
    c.os_version = **ver;
  }
  auto salt = string_field(d, "device.", "salt", 128);
  if (!salt) return fail(salt.error());
  if (*salt) {
    auto b = from_hex(**salt);
    if (!b || b->size() < 8 || b->size() > 64) return bad("device.salt", "must be 8 to 64 bytes in hex");
    c.salt = std::move(*b);
  }
  return ok();
}

result<void> parse_windows(const json& w, agent_config& c) {
  if (!w.is_array()) return bad("windows", "must be an array");
  if (w.size() > max_windows) return bad("windows", "at most " + std::to_string(max_windows) + " windows");
  for (std::size_t i = 0; i < w.size(); ++i) {
    auto at = "windows[" + std::to_string(i) + "]";
    if (!w[i].is_object()) return bad(at, "must be an object {\"start\": \"HH:MM\", \"end\": \"HH:MM\"}");
    if (auto r = only_fields(w[i], at, {"start", "end"}); !r) return r;
    time_window tw;
    for (auto [key, out] : {std::pair{"start", &tw.start_min}, std::pair{"end", &tw.end_min}}) {
      auto it = w[i].find(key);
      if (it == w[i].end()) return bad(at + "." + key, "required");
      auto m = it->is_string() ? parse_hhmm(it->get<std::string>()) : std::nullopt;
      if (!m) return bad(at + "." + key, "must be a UTC time \"HH:MM\" (00:00 to 23:59)");
      *out = *m;
    }
    if (tw.start_min == tw.end_min) return bad(at, "start and end are equal (omit \"windows\" to allow any time)");
    c.windows.push_back(tw);
  }
  return ok();
}

result<void> parse_periods(const json& s, agent_config& c) {
  auto poll = uint_field(s, "", "poll_interval_s", 1, max_period_s);
  if (!poll) return fail(poll.error());
  if (*poll) c.poll_interval = std::chrono::seconds(**poll);
  auto jitter = uint_field(s, "", "jitter_s", 0, max_period_s);
  if (!jitter) return fail(jitter.error());
  if (*jitter) c.jitter = std::chrono::seconds(**jitter);
  if (auto ro = object_field(s, "", "retry", false); !ro) {
    return fail(ro.error());
  } else if (*ro) {
    if (auto r = only_fields(**ro, "retry", {"initial_s", "max_s"}); !r) return r;
    auto ini = uint_field(**ro, "retry.", "initial_s", 1, max_period_s);
    if (!ini) return fail(ini.error());
    if (*ini) c.retry_initial = std::chrono::seconds(**ini);
    auto mx = uint_field(**ro, "retry.", "max_s", 1, max_period_s);
    if (!mx) return fail(mx.error());
    if (*mx) c.retry_max = std::chrono::seconds(**mx);
    if (c.retry_max < c.retry_initial)
      return bad("retry.max_s", "must be >= update.retry.initial_s (" + std::to_string(c.retry_initial.count()) + ")");
  }
  return ok();
}

result<void> parse_conditions(const json& s, agent_config& c) {
  if (auto no = object_field(s, "", "network", false); !no) {
    return fail(no.error());
  } else if (*no) {
    if (auto r = only_fields(**no, "network", {"allow_metered"}); !r) return r;
    auto m = bool_field(**no, "network.", "allow_metered");
    if (!m) return fail(m.error());
    if (*m) c.allow_metered = **m;
  }
  if (auto bo = object_field(s, "", "battery", false); !bo) {
    return fail(bo.error());
  } else if (*bo) {
    if (auto r = only_fields(**bo, "battery", {"require_charging", "min_percent"}); !r) return r;
    auto ch = bool_field(**bo, "battery.", "require_charging");
    if (!ch) return fail(ch.error());
    if (*ch) c.require_charging = **ch;
    auto mp = uint_field(**bo, "battery.", "min_percent", 0, 100);
    if (!mp) return fail(mp.error());
    if (*mp) c.min_battery_percent = static_cast<int>(**mp);
  }
  constexpr std::uint64_t max_rate = std::uint64_t{1} << 50;
  auto down = uint_field(s, "", "download_bytes_per_second", 0, max_rate);
  if (!down) return fail(down.error());
  if (*down) c.download_bytes_per_second = **down;
  auto up = uint_field(s, "", "upload_bytes_per_day", 0, max_rate);
  if (!up) return fail(up.error());
  if (*up) c.upload_bytes_per_day = **up;
  return ok();
}

}  // namespace

result<agent_config> parse_agent_config(const json& s, const std::filesystem::path& repo_dir) {
  if (!s.is_object()) return fail(agent_errc::bad_config, "update: must be an object");
  if (auto r = only_fields(s, "", {"channel", "root", "device", "topic", "ipns", "poll_interval_s", "retry",
                                   "jitter_s", "windows", "network", "battery", "download_bytes_per_second",
                                   "upload_bytes_per_day", "installer"});
      !r)
    return fail(r.error());
  agent_config c;
  auto ch = string_field(s, "", "channel", 64);
  if (!ch) return fail(ch.error());
  if (!*ch) return bad("channel", "required");
  if (!valid_channel(**ch)) return bad("channel", "must match [a-z0-9._-]{1,64}");
  c.channel = **ch;
  auto root = string_field(s, "", "root", 4096);
  if (!root) return fail(root.error());
  if (!*root) return bad("root", "required (the trusted root.json shipped with the device)");
  c.root = std::filesystem::path(**root);
  if (c.root.is_relative()) c.root = repo_dir / c.root;
  auto dev = object_field(s, "", "device", true);
  if (!dev) return fail(dev.error());
  if (auto r = parse_device(**dev, c); !r) return fail(r.error());
  auto topic = string_field(s, "", "topic", 256);
  if (!topic) return fail(topic.error());
  if (*topic) c.topic = **topic;
  if (auto it = s.find("ipns"); it != s.end()) {
    if (!it->is_array()) return bad("ipns", "must be an array of IPNS names or DNSLink domains");
    if (it->size() > max_ipns_names) return bad("ipns", "at most " + std::to_string(max_ipns_names) + " names");
    for (std::size_t i = 0; i < it->size(); ++i) {
      const auto& n = (*it)[i];
      if (!n.is_string() || n.get<std::string>().empty() || n.get<std::string>().size() > 255)
        return bad("ipns[" + std::to_string(i) + "]", "must be a name of 1 to 255 characters");
      c.ipns.push_back(n.get<std::string>());
    }
  }
  if (auto r = parse_periods(s, c); !r) return fail(r.error());
  if (auto it = s.find("windows"); it != s.end())
    if (auto r = parse_windows(*it, c); !r) return fail(r.error());
  if (auto r = parse_conditions(s, c); !r) return fail(r.error());
  if (auto it = s.find("installer"); it != s.end()) {
    if (!it->is_object()) return bad("installer", "must be an object");
    c.installer = *it;
  }
  return c;
}

json to_json(const agent_config& c) {
  json dev{{"os", c.os}, {"arch", c.arch}};
  if (!c.os_version.empty()) dev["os_version"] = c.os_version;
  if (c.salt) dev["salt"] = to_hex(*c.salt);
  auto windows = json::array();
  for (const auto& w : c.windows) windows.push_back({{"start", hhmm(w.start_min)}, {"end", hhmm(w.end_min)}});
  return {{"channel", c.channel},
          {"root", c.root.string()},
          {"device", dev},
          {"topic", c.topic},
          {"ipns", c.ipns},
          {"poll_interval_s", c.poll_interval.count()},
          {"retry", {{"initial_s", c.retry_initial.count()}, {"max_s", c.retry_max.count()}}},
          {"jitter_s", c.jitter.count()},
          {"windows", windows},
          {"network", {{"allow_metered", c.allow_metered}}},
          {"battery", {{"require_charging", c.require_charging}, {"min_percent", c.min_battery_percent}}},
          {"download_bytes_per_second", c.download_bytes_per_second},
          {"upload_bytes_per_day", c.upload_bytes_per_day},
          {"installer", c.installer}};
}

}  // namespace converge::agent
