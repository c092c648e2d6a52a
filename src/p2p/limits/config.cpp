#include "p2p/limits/config.hpp"

#include <initializer_list>
#include <nlohmann/json.hpp>

namespace converge::p2p::limits {
namespace {

using json = nlohmann::json;
constexpr std::uint64_t KiB = 1024;
constexpr std::uint64_t MiB = 1024 * KiB;

result<void> bad(const std::string& path, const std::string& what) {
  return fail(limits_errc::invalid_config, path + ": " + what);
}

// Depth of [ and { nesting outside strings; checked before parsing so that
// hostile input cannot drive the parser or the destructor deep.
bool nesting_within(std::string_view text, std::size_t max_depth) {
  std::size_t depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"')
      in_string = true;
    else if (c == '[' || c == '{') {
      if (++depth > max_depth) return false;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return true;
}

result<void> only_fields(const json& obj, const std::string& path, std::initializer_list<std::string_view> allowed) {
  if (!obj.is_object()) return bad(path, "must be an object");
  for (const auto& [key, _] : obj.items()) {
    bool known = false;
    for (auto a : allowed) known = known || key == a;
    if (!known) {
      std::string list;
      for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      return bad(path + "." + key.substr(0, 64), "unknown field (expected one of: " + list + ")");
    }
  }
  return ok();
}

result<std::uint64_t> positive(const json& v, const std::string& path, bool allow_unlimited) {
  if (allow_unlimited && v.is_string() && v.get_ref<const std::string&>() == "unlimited") return unlimited;
  if (v.is_number_unsigned() && v.get<std::uint64_t>() > 0) return v.get<std::uint64_t>();
  if (v.is_number_integer() && !v.is_number_unsigned() && v.get<std::int64_t>() > 0)
    return static_cast<std::uint64_t>(v.get<std::int64_t>());
  return fail(limits_errc::invalid_config,
              path + ": must be a positive integer" + (allow_unlimited ? " or \"unlimited\"" : ""));
}

result<duration> millis(const json& v, const std::string& path, bool allow_zero) {
  bool integer = v.is_number_unsigned() || (v.is_number_integer() && v.get<std::int64_t>() >= 0);
  std::uint64_t ms = integer ? v.get<std::uint64_t>() : 0;
  if (!integer || ms > max_config_millis || (!allow_zero && ms == 0))
    return fail(limits_errc::invalid_config, path + ": must be an integer number of milliseconds, " +
                                                 (allow_zero ? "0" : "1") + ".." + std::to_string(max_config_millis));
  return std::chrono::milliseconds{ms};
}

// Stores a parsed value, or passes its error on.
template <class T, class U>
result<void> assign(T& dst, result<U> parsed) {
  if (!parsed) return fail(parsed.error());
  dst = static_cast<T>(*parsed);
  return ok();
}

result<void> read_scope(const json& obj, const std::string& path, scope_limits& s) {
  if (auto r = only_fields(
          obj, path,
          {"conns_inbound", "conns_outbound", "conns", "streams_inbound", "streams_outbound", "streams", "memory"});
      !r)
    return r;
  struct field {
    const char* name;
    std::uint64_t* dst;
  };
  for (auto f :
       {field{"conns_inbound", &s.conns_inbound}, field{"conns_outbound", &s.conns_outbound}, field{"conns", &s.conns},
        field{"streams_inbound", &s.streams_inbound}, field{"streams_outbound", &s.streams_outbound},
        field{"streams", &s.streams}, field{"memory", &s.memory}}) {
    if (auto it = obj.find(f.name); it != obj.end())
      if (auto v_ = assign(*f.dst, positive(*it, path + "." + f.name, true)); !v_) return v_;
  }
  return ok();
}

result<void> read_memory_only(const json& obj, const std::string& path, std::uint64_t& memory) {
  if (auto r = only_fields(obj, path, {"memory"}); !r) return r;
  if (auto it = obj.find("memory"); it != obj.end())
    if (auto v_ = assign(memory, positive(*it, path + ".memory", true)); !v_) return v_;
  return ok();
}

// Overrides keyed by protocol ID or service name; missing fields take `base`.
result<void> read_overrides(const json& obj, const std::string& path, const scope_limits& base,
                            std::map<std::string, scope_limits, std::less<>>& out) {
  if (!obj.is_object()) return bad(path, "must be an object mapping names to limits");
  if (obj.size() > max_config_overrides)
    return bad(path, "at most " + std::to_string(max_config_overrides) + " entries");
  for (const auto& [name, v] : obj.items()) {
    if (name.empty() || name.size() > max_protocol_name)
      return bad(path, "names must be 1.." + std::to_string(max_protocol_name) + " characters");
    scope_limits s = base;
    if (auto r = read_scope(v, path + "[\"" + name + "\"]", s); !r) return r;
    out[name] = s;
  }
  return ok();
}

result<void> read_peer_overrides(const json& obj, const std::string& path, const scope_limits& base,
                                 std::map<crypto::peer_id, scope_limits>& out) {
  if (!obj.is_object()) return bad(path, "must be an object mapping peer IDs to limits");
  if (obj.size() > max_config_overrides)
    return bad(path, "at most " + std::to_string(max_config_overrides) + " entries");
  for (const auto& [name, v] : obj.items()) {
    auto item = path + "[\"" + name.substr(0, crypto::max_peer_id_text) + "\"]";
    auto p = crypto::peer_id::parse(name);
    if (!p) return bad(item, p.error().detail);
    scope_limits s = base;
    if (auto r = read_scope(v, item, s); !r) return r;
    out[*p] = s;  // two spellings of one peer: the later entry wins
  }
  return ok();
}

result<rate_limit> read_rate(const json& v, const std::string& path) {
  if (v.is_string() && v.get_ref<const std::string&>() == "unlimited") return rate_limit{};
  if (auto r = only_fields(v, path, {"bytes_per_second", "burst"}); !r)
    return fail(limits_errc::invalid_config, r.error().detail + " (or write \"unlimited\")");
  auto rate = v.find("bytes_per_second");
  if (rate == v.end()) return fail(limits_errc::invalid_config, path + ".bytes_per_second: required");
  rate_limit out;
  if (auto v_ = assign(out.bytes_per_second, positive(*rate, path + ".bytes_per_second", false)); !v_)
    return fail(v_.error());
  out.burst = out.bytes_per_second;  // one second's worth unless set
  if (auto b = v.find("burst"); b != v.end())
    if (auto v_ = assign(out.burst, positive(*b, path + ".burst", false)); !v_) return fail(v_.error());
  return out;
}

result<void> read_directional(const json& v, const std::string& path, directional_limit& out) {
  if (auto r = only_fields(v, path, {"inbound", "outbound"}); !r) return r;
  if (auto it = v.find("inbound"); it != v.end())
    if (auto v_ = assign(out.inbound, read_rate(*it, path + ".inbound")); !v_) return v_;
  if (auto it = v.find("outbound"); it != v.end())
    if (auto v_ = assign(out.outbound, read_rate(*it, path + ".outbound")); !v_) return v_;
  return ok();
}

result<void> read_bandwidth(const json& v, const std::string& path, bandwidth_config& out) {
  if (auto r = only_fields(
          v, path,
          {"global", "peer", "protocols", "rate_time_constant_ms", "max_tracked_peers", "max_tracked_protocols"});
      !r)
    return r;
  if (auto it = v.find("global"); it != v.end())
    if (auto r = read_directional(*it, path + ".global", out.global); !r) return r;
  if (auto it = v.find("peer"); it != v.end())
    if (auto r = read_directional(*it, path + ".peer", out.peer); !r) return r;
  if (auto it = v.find("protocols"); it != v.end()) {
    if (!it->is_object()) return bad(path + ".protocols", "must be an object mapping protocol IDs to limits");
    if (it->size() > max_config_overrides)
      return bad(path + ".protocols", "at most " + std::to_string(max_config_overrides) + " entries");
    for (const auto& [name, lim] : it->items()) {
      if (name.empty() || name.size() > max_protocol_name)
        return bad(path + ".protocols", "protocol IDs must be 1.." + std::to_string(max_protocol_name) + " characters");
      directional_limit d;
      if (auto r = read_directional(lim, path + ".protocols[\"" + name + "\"]", d); !r) return r;
      out.protocols[name] = d;
    }
  }
  if (auto it = v.find("rate_time_constant_ms"); it != v.end())
    if (auto v_ = assign(out.rate_time_constant, millis(*it, path + ".rate_time_constant_ms", false)); !v_) return v_;
  if (auto it = v.find("max_tracked_peers"); it != v.end())
    if (auto v_ = assign(out.max_tracked_peers, positive(*it, path + ".max_tracked_peers", false)); !v_) return v_;
  if (auto it = v.find("max_tracked_protocols"); it != v.end())
    if (auto v_ = assign(out.max_tracked_protocols, positive(*it, path + ".max_tracked_protocols", false)); !v_)
      return v_;
  return ok();
}

result<void> read_connmgr(const json& v, const std::string& path, connmgr_config& out) {
  if (auto r = only_fields(v, path,
                           {"low_water", "high_water", "grace_period_ms", "silence_period_ms", "max_tracked_peers",
                            "max_tags_per_peer"});
      !r)
    return r;
  if (auto it = v.find("low_water"); it != v.end()) {
    bool integer = it->is_number_unsigned() || (it->is_number_integer() && it->get<std::int64_t>() >= 0);
    if (!integer) return bad(path + ".low_water", "must be a non-negative integer");
    out.low_water = it->get<std::uint64_t>();
  }
  if (auto it = v.find("high_water"); it != v.end())
    if (auto v_ = assign(out.high_water, positive(*it, path + ".high_water", false)); !v_) return v_;
  if (out.low_water >= out.high_water)
    return bad(path + ".low_water", "must be less than high_water (" + std::to_string(out.high_water) + ")");
  if (auto it = v.find("grace_period_ms"); it != v.end())
    if (auto v_ = assign(out.grace_period, millis(*it, path + ".grace_period_ms", true)); !v_) return v_;
  if (auto it = v.find("silence_period_ms"); it != v.end())
    if (auto v_ = assign(out.silence_period, millis(*it, path + ".silence_period_ms", true)); !v_) return v_;
  if (auto it = v.find("max_tracked_peers"); it != v.end())
    if (auto v_ = assign(out.max_tracked_peers, positive(*it, path + ".max_tracked_peers", false)); !v_) return v_;
  if (auto it = v.find("max_tags_per_peer"); it != v.end())
    if (auto v_ = assign(out.max_tags_per_peer, positive(*it, path + ".max_tags_per_peer", false)); !v_) return v_;
  return ok();
}

template <class T, class Parse>
result<void> read_list(const json& v, const std::string& path, std::vector<T>& out, Parse parse) {
  if (!v.is_array()) return bad(path, "must be an array of strings");
  if (v.size() > max_gater_rules) return bad(path, "at most " + std::to_string(max_gater_rules) + " entries");
  out.clear();
  for (std::size_t i = 0; i < v.size(); ++i) {
    auto item = path + "[" + std::to_string(i) + "]";
    if (!v[i].is_string()) return bad(item, "must be a string");
    auto parsed = parse(v[i].template get_ref<const std::string&>());
    if (!parsed) return bad(item, parsed.error().detail);
    out.push_back(std::move(*parsed));
  }
  return ok();
}

result<void> read_gater(const json& v, const std::string& path, gater_rules& out) {
  if (auto r = only_fields(v, path, {"allow_peers", "deny_peers", "allow_cidrs", "deny_cidrs"}); !r) return r;
  auto peer = [](const std::string& s) { return crypto::peer_id::parse(s); };
  auto net = [](const std::string& s) { return cidr::parse(s); };
  if (auto it = v.find("allow_peers"); it != v.end())
    if (auto r = read_list(*it, path + ".allow_peers", out.allow_peers, peer); !r) return r;
  if (auto it = v.find("deny_peers"); it != v.end())
    if (auto r = read_list(*it, path + ".deny_peers", out.deny_peers, peer); !r) return r;
  if (auto it = v.find("allow_cidrs"); it != v.end())
    if (auto r = read_list(*it, path + ".allow_cidrs", out.allow_cidrs, net); !r) return r;
  if (auto it = v.find("deny_cidrs"); it != v.end())
    if (auto r = read_list(*it, path + ".deny_cidrs", out.deny_cidrs, net); !r) return r;
  return ok();
}

// ---- writing ----

json count(std::uint64_t v) { return v == unlimited ? json("unlimited") : json(v); }

json scope_json(const scope_limits& s) {
  return {{"conns_inbound", count(s.conns_inbound)},
          {"conns_outbound", count(s.conns_outbound)},
          {"conns", count(s.conns)},
          {"streams_inbound", count(s.streams_inbound)},
          {"streams_outbound", count(s.streams_outbound)},
          {"streams", count(s.streams)},
          {"memory", count(s.memory)}};
}

json rate_json(const rate_limit& r) {
  if (!r.limited()) return "unlimited";
  return {{"bytes_per_second", r.bytes_per_second}, {"burst", r.burst}};
}

json directional_json(const directional_limit& d) {
  return {{"inbound", rate_json(d.inbound)}, {"outbound", rate_json(d.outbound)}};
}

std::uint64_t ms(duration d) {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
}

}  // namespace

connection_gater limits_config::make_gater() const {
  connection_gater g;
  // Bounded by validation (max_gater_rules per list), so these cannot fail.
  for (const auto& p : gater.allow_peers) (void)g.allow_peer(p);
  for (const auto& p : gater.deny_peers) (void)g.deny_peer(p);
  for (const auto& c : gater.allow_cidrs) (void)g.allow_cidr(c);
  for (const auto& c : gater.deny_cidrs) (void)g.deny_cidr(c);
  return g;
}

limits_config default_limits() {
  limits_config c;
  auto& r = c.resources;
  r.system = {128, 256, 256, 2048, 4096, 4096, 256 * MiB};
  r.transient = {32, 64, 64, 128, 256, 256, 32 * MiB};
  r.peer = {8, 8, 8, 256, 512, 512, 32 * MiB};
  r.protocol = {unlimited, unlimited, unlimited, 512, 1024, 1024, 64 * MiB};
  r.service = {unlimited, unlimited, unlimited, 1024, 2048, 2048, 128 * MiB};
  r.connection_memory = 16 * MiB;
  r.stream_memory = 16 * MiB;
  return c;
}

result<limits_config> parse_limits_config(std::string_view json_text) {
  const std::string root = "limits";
  if (json_text.size() > max_config_text)
    return fail(limits_errc::invalid_config,
                root + ": configuration text over " + std::to_string(max_config_text) + " bytes");
  if (!nesting_within(json_text, max_config_depth))
    return fail(limits_errc::invalid_config, root + ": nested deeper than " + std::to_string(max_config_depth));
  json doc = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return fail(limits_errc::invalid_config, root + ": not valid JSON");

  limits_config c = default_limits();
  auto& r = c.resources;
  if (auto v = only_fields(doc, root,
                           {"system", "transient", "peer", "protocol", "service", "peers", "protocols", "services",
                            "connection", "stream", "connmgr", "gater", "bandwidth"});
      !v)
    return fail(v.error());
  struct scope_field {
    const char* name;
    scope_limits* dst;
  };
  for (auto f : {scope_field{"system", &r.system}, scope_field{"transient", &r.transient}, scope_field{"peer", &r.peer},
                 scope_field{"protocol", &r.protocol}, scope_field{"service", &r.service}}) {
    if (auto it = doc.find(f.name); it != doc.end())
      if (auto v = read_scope(*it, root + "." + f.name, *f.dst); !v) return fail(v.error());
  }
  if (auto it = doc.find("peers"); it != doc.end())
    if (auto v = read_peer_overrides(*it, root + ".peers", r.peer, r.peers); !v) return fail(v.error());
  if (auto it = doc.find("protocols"); it != doc.end())
    if (auto v = read_overrides(*it, root + ".protocols", r.protocol, r.protocols); !v) return fail(v.error());
  if (auto it = doc.find("services"); it != doc.end())
    if (auto v = read_overrides(*it, root + ".services", r.service, r.services); !v) return fail(v.error());
  if (auto it = doc.find("connection"); it != doc.end())
    if (auto v = read_memory_only(*it, root + ".connection", r.connection_memory); !v) return fail(v.error());
  if (auto it = doc.find("stream"); it != doc.end())
    if (auto v = read_memory_only(*it, root + ".stream", r.stream_memory); !v) return fail(v.error());
  if (auto it = doc.find("connmgr"); it != doc.end())
    if (auto v = read_connmgr(*it, root + ".connmgr", c.connmgr); !v) return fail(v.error());
  if (auto it = doc.find("gater"); it != doc.end())
    if (auto v = read_gater(*it, root + ".gater", c.gater); !v) return fail(v.error());
  if (auto it = doc.find("bandwidth"); it != doc.end())
    if (auto v = read_bandwidth(*it, root + ".bandwidth", c.bandwidth); !v) return fail(v.error());
  return c;
}

std::string to_json(const limits_config& c) {
  const auto& r = c.resources;
  json doc;
  doc["system"] = scope_json(r.system);
  doc["transient"] = scope_json(r.transient);
  doc["peer"] = scope_json(r.peer);
  doc["protocol"] = scope_json(r.protocol);
  doc["service"] = scope_json(r.service);
  doc["peers"] = json::object();
  for (const auto& [p, s] : r.peers) doc["peers"][p.to_string()] = scope_json(s);
  doc["protocols"] = json::object();
  for (const auto& [name, s] : r.protocols) doc["protocols"][name] = scope_json(s);
  doc["services"] = json::object();
  for (const auto& [name, s] : r.services) doc["services"][name] = scope_json(s);
  doc["connection"] = {{"memory", count(r.connection_memory)}};
  doc["stream"] = {{"memory", count(r.stream_memory)}};
  doc["connmgr"] = {{"low_water", c.connmgr.low_water},
                    {"high_water", c.connmgr.high_water},
                    {"grace_period_ms", ms(c.connmgr.grace_period)},
                    {"silence_period_ms", ms(c.connmgr.silence_period)},
                    {"max_tracked_peers", c.connmgr.max_tracked_peers},
                    {"max_tags_per_peer", c.connmgr.max_tags_per_peer}};
  auto strings = [](const auto& list) {
    json a = json::array();
    for (const auto& x : list) a.push_back(x.to_string());
    return a;
  };
  doc["gater"] = {{"allow_peers", strings(c.gater.allow_peers)},
                  {"deny_peers", strings(c.gater.deny_peers)},
                  {"allow_cidrs", strings(c.gater.allow_cidrs)},
                  {"deny_cidrs", strings(c.gater.deny_cidrs)}};
  json protocols = json::object();
  for (const auto& [name, d] : c.bandwidth.protocols) protocols[name] = directional_json(d);
  doc["bandwidth"] = {{"global", directional_json(c.bandwidth.global)},
                      {"peer", directional_json(c.bandwidth.peer)},
                      {"protocols", protocols},
                      {"rate_time_constant_ms", ms(c.bandwidth.rate_time_constant)},
                      {"max_tracked_peers", c.bandwidth.max_tracked_peers},
                      {"max_tracked_protocols", c.bandwidth.max_tracked_protocols}};
  return doc.dump(2);
}

}  // namespace converge::p2p::limits
