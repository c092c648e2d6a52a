#include "node/config.hpp"

#include <nlohmann/json.hpp>

#include "multiformats/multicodec.hpp"

namespace converge::node {
namespace {

using json = nlohmann::json;

std::unexpected<error> bad(const std::string& path, const std::string& what) {
  return fail(node_errc::invalid_config, path + ": " + what);
}

result<mf::multiaddr> parse_addr(const json& v, const std::string& path) {
  if (!v.is_string()) return bad(path, "must be a multiaddr string");
  auto m = mf::multiaddr::parse(v.get_ref<const std::string&>());
  if (!m) return bad(path, m.error().message());
  return m;
}

result<std::vector<mf::multiaddr>> parse_addrs(const json& v, const std::string& path) {
  if (!v.is_array()) return bad(path, "must be an array of multiaddr strings");
  if (v.size() > max_config_addrs) return bad(path, "more than " + std::to_string(max_config_addrs) + " addresses");
  std::vector<mf::multiaddr> out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    auto m = parse_addr(v[i], path + "[" + std::to_string(i) + "]");
    if (!m) return std::unexpected(m.error());
    out.push_back(std::move(*m));
  }
  return out;
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

json addrs_json(const std::vector<mf::multiaddr>& v) {
  json a = json::array();
  for (const auto& m : v) a.push_back(m.to_string());
  return a;
}

result<crypto::peer_id> parse_identity(const json& value, std::string& key_file) {
  const std::string path = "config.identity";
  if (auto r = only_fields(value, path, {"peer_id", "key_file"}); !r) return std::unexpected(r.error());
  if (!value.contains("peer_id") || !value["peer_id"].is_string()) return bad(path + ".peer_id", "must be a peer ID string");
  auto id = crypto::peer_id::parse(value["peer_id"].get_ref<const std::string&>());
  if (!id) return bad(path + ".peer_id", id.error().message());
  if (value.contains("key_file")) {
    if (!value["key_file"].is_string() || value["key_file"].get_ref<const std::string&>().empty())
      return bad(path + ".key_file", "must be a non-empty file name");
    key_file = value["key_file"].get<std::string>();
    if (key_file.find('/') != std::string::npos || key_file.starts_with("."))
      return bad(path + ".key_file", "must name a file directly inside the repository");
  }
  return id;
}

result<node_config> parse_object(const json& root) {
  if (!root.is_object()) return bad("config", "must be a JSON object");
  if (!root.contains("identity")) return bad("config.identity", "missing (every node has an identity)");
  std::string key_file = "identity.key";
  auto id = parse_identity(root["identity"], key_file);
  if (!id) return std::unexpected(id.error());
  node_config c(std::move(*id));
  c.key_file = std::move(key_file);
  c.limits = p2p::limits::default_limits();
  bool have_api = false;
  for (const auto& [key, value] : root.items()) {
    const std::string path = "config." + key.substr(0, 64);
    if (key == "identity") {
      continue;
    } else if (key == "addresses") {
      if (auto r = only_fields(value, path, {"swarm", "api", "announce"}); !r) return std::unexpected(r.error());
      if (value.contains("swarm")) {
        auto v = parse_addrs(value["swarm"], path + ".swarm");
        if (!v) return std::unexpected(v.error());
        c.swarm = std::move(*v);
      }
      if (value.contains("announce")) {
        auto v = parse_addrs(value["announce"], path + ".announce");
        if (!v) return std::unexpected(v.error());
        c.announce = std::move(*v);
      }
      if (value.contains("api")) {
        auto v = parse_addr(value["api"], path + ".api");
        if (!v) return std::unexpected(v.error());
        if (!is_loopback_tcp(*v))
          return bad(path + ".api", "must be a loopback address such as /ip4/127.0.0.1/tcp/5001 (the RPC API never "
                                    "listens beyond this machine)");
        c.api = std::move(*v);
        have_api = true;
      }
    } else if (key == "bootstrap") {
      auto v = parse_addrs(value, path);
      if (!v) return std::unexpected(v.error());
      for (std::size_t i = 0; i < v->size(); ++i)
        if (!(*v)[i].value_for(mf::codec::p2p))
          return bad(path + "[" + std::to_string(i) + "]", "must end in /p2p/<peer id>");
      c.bootstrap = std::move(*v);
    } else if (key == "limits") {
      auto l = p2p::limits::parse_limits_config(value.dump());
      if (!l) return bad(path, l.error().detail.empty() ? l.error().message() : l.error().detail);
      c.limits = std::move(*l);
    } else {
      bool service = false;
      for (auto s : service_sections) service = service || key == s;
      if (!service) {
        std::string list = "identity, addresses, bootstrap, limits";
        for (auto s : service_sections) list += ", " + std::string(s);
        return bad(path, "unknown field (expected one of: " + list + ")");
      }
      if (!value.is_object()) return bad(path, "must be an object");
      c.services[key] = value;
    }
  }
  if (!have_api) return bad("config.addresses.api", "missing");
  return c;
}

}  // namespace

json node_config::service(std::string_view name) const {
  auto it = services.find(std::string(name));
  return it == services.end() ? json::object() : it->second;
}

bool is_loopback_tcp(const mf::multiaddr& addr) {
  const auto& cs = addr.components();
  if (cs.size() != 2 || cs[1].code != mf::codec::tcp) return false;
  if (cs[0].code == mf::codec::ip4) return cs[0].value.size() == 4 && cs[0].value[0] == 127;
  if (cs[0].code == mf::codec::ip6) {
    if (cs[0].value.size() != 16) return false;
    for (std::size_t i = 0; i < 15; ++i)
      if (cs[0].value[i] != 0) return false;
    return cs[0].value[15] == 1;
  }
  return false;
}

node_config default_config(const crypto::peer_id& id) {
  node_config c(id);
  c.swarm = {*mf::multiaddr::parse("/ip4/0.0.0.0/tcp/4001")};
  c.api = *mf::multiaddr::parse("/ip4/127.0.0.1/tcp/5001");
  c.limits = p2p::limits::default_limits();
  return c;
}

result<node_config> parse_config(std::string_view text) {
  if (text.size() > max_config_text)
    return bad("config", "larger than " + std::to_string(max_config_text) + " bytes");
  // The limits parser bounds nesting for its own section; the whole text is
  // bounded here before nlohmann recurses into it.
  std::size_t depth = 0, max_depth = 0;
  bool in_string = false, escaped = false;
  for (char ch : text) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (ch == '\\') escaped = true;
      else if (ch == '"') in_string = false;
    } else if (ch == '"') {
      in_string = true;
    } else if (ch == '{' || ch == '[') {
      max_depth = std::max(max_depth, ++depth);
    } else if ((ch == '}' || ch == ']') && depth > 0) {
      --depth;
    }
  }
  if (max_depth > 32) return bad("config", "nested deeper than 32 levels");
  json root = json::parse(text, nullptr, false);
  if (root.is_discarded()) return bad("config", "not valid JSON");
  return parse_object(root);
}

std::string to_json_text(const node_config& c) {
  json root;
  root["identity"] = {{"peer_id", c.peer_id.to_string()}, {"key_file", c.key_file}};
  root["addresses"] = {{"swarm", addrs_json(c.swarm)}, {"api", c.api.to_string()}, {"announce", addrs_json(c.announce)}};
  root["bootstrap"] = addrs_json(c.bootstrap);
  root["limits"] = json::parse(p2p::limits::to_json(c.limits));
  for (const auto& [name, section] : c.services) root[name] = section;
  return root.dump(2) + "\n";
}

}  // namespace converge::node
