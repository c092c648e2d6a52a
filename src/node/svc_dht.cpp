#include "node/svc_dht.hpp"

#include <filesystem>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/thread_pool.hpp>

#include "dnslink/dnslink.hpp"
#include "ipns/record.hpp"
#include "kad/sqlite_store.hpp"
#include "multiformats/cid.hpp"
#include "multiformats/multibase.hpp"
#include "node/services.hpp"
#include "node/trust_roots.hpp"

namespace converge::node {
namespace {

namespace io = p2p::io;
using io::task;

constexpr std::uint64_t max_lifetime_s = 365ull * 24 * 3600;

json peer_json(const kad::peer_info& p) {
  json addrs = json::array();
  for (const auto& b : p.addrs)
    if (auto a = mf::multiaddr::from_bytes(b)) addrs.push_back(a->to_string());
  return json{{"id", p.id.to_string()}, {"addrs", addrs}};
}

// "/ipns/<name>" and "/pk/<peer id>" in text become binary routing keys; other keys are taken as they are.
result<bytes> routing_key_arg(const rpc_call& c) {
  auto key = arg_string(c, "key");
  if (!key) return std::unexpected(key.error());
  for (std::string_view ns : {"/ipns/", "/pk/"}) {
    if (!key->starts_with(ns)) continue;
    auto id = crypto::peer_id::parse(std::string_view(*key).substr(ns.size()));
    if (!id) return fail(node_errc::bad_request, "argument 'key': " + id.error().message());
    return concat(as_bytes(ns), id->to_bytes());
  }
  if (key->empty() || key->front() != '/') return fail(node_errc::bad_request, "argument 'key': must start with '/'");
  return to_bytes(*key);
}

result<bytes> cid_key_arg(const rpc_call& c) {
  auto text = arg_string(c, "cid");
  if (!text) return std::unexpected(text.error());
  auto cid = mf::cid::parse(*text);
  if (!cid) return fail(node_errc::bad_request, "argument 'cid': " + cid.error().message());
  // Provider records are keyed by the multihash (as go and js do), not the whole CID.
  return cid->hash().bytes();
}

rpc_result failed(std::string_view what, const error& e) {
  return fail(node_errc::bad_request, std::string(what) + ": " + e.message());
}

// Resolves one IPNS name through the DHT to its record's value (a path).
task<result<std::string>> resolve_ipns(std::shared_ptr<kad::io::driver> d, crypto::peer_id name) {
  auto r = co_await d->get_value(ipns::routing_key(name), 1);
  if (!r) co_return fail(r.error());
  if (r->failure) co_return fail(*r->failure);
  // The DHT holds the marshalled record; its value is the path (validated again: the store may be older).
  auto rec = ipns::validate(name, *r->value, std::chrono::system_clock::now());
  if (!rec) co_return fail(rec.error());
  // Paths are printable ASCII; anything else (binary, control characters) is not followed or echoed.
  for (auto ch : rec->value)
    if (ch < 0x21 || ch > 0x7e) co_return fail(node_errc::bad_request, "the record's value is not a path");
  co_return std::string(as_chars(rec->value));
}

// "ip:port" or "[ipv6]:port" with a port in 1..65535.
bool valid_dns_server(const std::string& s) {
  auto colon = s.rfind(':');
  if (colon == std::string::npos || colon + 1 == s.size()) return false;
  std::string host = s.substr(0, colon), port = s.substr(colon + 1);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  else if (host.find(':') != std::string::npos) return false;  // IPv6 needs brackets
  if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos) return false;
  const int p = std::stoi(port);
  boost::system::error_code ec;
  (void)boost::asio::ip::make_address(host, ec);
  return !ec && p >= 1 && p <= 65535;
}

// DNS lookups run here, one at a time, off the node's thread.
boost::asio::thread_pool& dns_thread() {
  static boost::asio::thread_pool pool(1);
  return pool;
}

task<result<dnslink::link>> lookup_dnslink(std::string domain, dnslink::resolver_options dns) {
  auto resolver = dnslink::txt_resolver::create(dns);
  if (!resolver) co_return fail(resolver.error());
  co_return dnslink::resolve(**resolver, domain);
}

}  // namespace

result<std::optional<dht_service_config>> dht_config(const json& section) {
  auto bad = [](const std::string& what) { return fail(node_errc::invalid_config, "config.dht" + what); };
  if (section.is_null()) return std::optional<dht_service_config>{dht_service_config{}};
  if (!section.is_object()) return bad(": must be an object");
  dht_service_config cfg;
  for (const auto& [key, value] : section.items()) {
    if (key == "enabled") {
      if (!value.is_boolean()) return bad(".enabled: must be true or false");
      if (!value.get<bool>()) return std::optional<dht_service_config>{};
    } else if (key == "mode") {
      if (!value.is_string() || (value != "server" && value != "client"))
        return bad(".mode: must be \"server\" or \"client\"");
      cfg.driver.dht.mode = value == "client" ? kad::mode::client : kad::mode::server;
    } else if (key == "dns_servers") {
      if (!value.is_array() || value.size() > 16) return bad(".dns_servers: must be an array of up to 16 \"ip:port\"");
      for (const auto& v : value) {
        if (!v.is_string() || !valid_dns_server(v.get<std::string>()))
          return bad(".dns_servers: " + v.dump() + " is not \"ip:port\" (IPv6: \"[ip]:port\")");
        cfg.dns.servers.push_back(v.get<std::string>());
      }
    } else if (key == "dns_timeout_ms") {
      if (!value.is_number_integer() || value.get<std::int64_t>() < 100 || value.get<std::int64_t>() > 60000)
        return bad(".dns_timeout_ms: must be an integer in 100..60000");
      cfg.dns.timeout = std::chrono::milliseconds(value.get<std::int64_t>());
    } else {
      return bad("." + key + ": unknown field (known: enabled, mode, dns_servers, dns_timeout_ms)");
    }
  }
  return std::optional<dht_service_config>{std::move(cfg)};
}

result<void> add_dht_service(node& n) {
  auto cfg = dht_config(n.config().service("dht"));
  if (!cfg) return std::unexpected(cfg.error());
  if (!*cfg) return ok();
  auto svc = std::make_shared<dht_service>(std::move(**cfg));
  // Channels with a trusted root: their /unimaker/version/<channel> records
  // are stored and served (verified with trust::check_bundle).
  auto roots = load_trusted_roots(n.config(), n.repository().dir());
  if (!roots) return std::unexpected(roots.error());
  if (!roots->empty()) svc->set_bundle_verifier(make_bundle_verifier(std::make_shared<const trusted_roots>(std::move(*roots))));
  n.add_service(std::move(svc));
  return ok();
}

result<void> dht_service::start(node& n, rpc_registry& rpc) {
  std::error_code ec;
  std::filesystem::create_directories(n.repository().datastore(), ec);
  if (ec) return fail(node_errc::invalid_config, "creating " + n.repository().datastore().string() + ": " + ec.message());
  auto seen = ipns::sequence_store::open(n.repository().datastore() / "ipns-sequences.db");
  if (!seen) return std::unexpected(seen.error());
  seen_ = std::move(*seen);
  auto reg = std::make_shared<kad::validator_registry>();
  reg->add("pk", std::make_shared<kad::public_key_validator>());
  reg->add("ipns", std::make_shared<ipns::ipns_validator>(seen_));
  if (verifier_) reg->add(std::string(kad::release_namespace), std::make_shared<kad::release_bundle_validator>(verifier_));
  auto store = kad::sqlite_record_store::open(n.repository().datastore() / "dht-records.db", reg);
  if (!store) return std::unexpected(store.error());
  store_ = std::move(*store);
  driver_ = kad::io::driver::create(n.host(), reg, store_, cfg_.driver);
  driver_->start();
  std::weak_ptr<kad::io::driver> weak = driver_;
  n.on_host_event([weak](const io::host_event& e) {
    if (auto d = weak.lock()) d->on_host_event(e);
  });
  driver_->bootstrap();

  auto d = driver_;
  auto self_key = n.host()->identity();
  auto seen_store = seen_;
  rpc.add("dht/findpeer", [d](rpc_call c) -> task<rpc_result> {
    auto text = arg_string(c, "peer");
    if (!text) co_return std::unexpected(text.error());
    auto id = crypto::peer_id::parse(*text);
    if (!id) co_return failed("dht/findpeer", id.error());
    auto r = co_await d->find_node(id->to_bytes());
    if (!r) co_return failed("dht/findpeer", r.error());
    if (!r->found) co_return fail(node_errc::bad_request, "dht/findpeer: " + id->to_string() + " not found");
    co_return peer_json(*r->found);
  });
  rpc.add("dht/findprovs", [d](rpc_call c) -> task<rpc_result> {
    auto key = cid_key_arg(c);
    if (!key) co_return std::unexpected(key.error());
    auto count = arg_uint(c, "count", 20, 100);
    if (!count) co_return std::unexpected(count.error());
    auto r = co_await d->get_providers(*key, *count);
    if (!r) co_return failed("dht/findprovs", r.error());
    json out = json::array();
    for (const auto& p : r->providers) out.push_back(peer_json(p));
    co_return out;
  });
  rpc.add("dht/provide", [d](rpc_call c) -> task<rpc_result> {
    auto key = cid_key_arg(c);
    if (!key) co_return std::unexpected(key.error());
    auto r = co_await d->provide(*key);
    if (!r) co_return failed("dht/provide", r.error());
    co_return json{{"peers", r->stored}};
  });
  rpc.add("dht/get", [d](rpc_call c) -> task<rpc_result> {
    auto key = routing_key_arg(c);
    if (!key) co_return std::unexpected(key.error());
    auto r = co_await d->get_value(*key, 1);
    if (!r) co_return failed("dht/get", r.error());
    if (r->failure) co_return failed("dht/get", *r->failure);
    json out{{"value_base64", mf::base_encode(mf::multibase::base64, *r->value)}, {"records", r->records}};
    co_return out;
  });
  rpc.add("dht/put", [d](rpc_call c) -> task<rpc_result> {
    auto key = routing_key_arg(c);
    if (!key) co_return std::unexpected(key.error());
    bytes value;
    if (c.args.contains("value_base64")) {
      auto t = arg_string(c, "value_base64");
      if (!t) co_return std::unexpected(t.error());
      auto s = *t;
      while (!s.empty() && s.back() == '=') s.pop_back();
      auto b = mf::base_decode(mf::multibase::base64, s);
      if (!b) co_return failed("dht/put: value_base64", b.error());
      value = std::move(*b);
    } else {
      auto t = arg_string(c, "value");
      if (!t) co_return std::unexpected(t.error());
      value = to_bytes(*t);
    }
    auto r = co_await d->put_value(*key, std::move(value));
    if (!r) co_return failed("dht/put", r.error());
    co_return json{{"peers", r->stored}};
  });
  rpc.add("name/publish", [d, self_key, seen_store](rpc_call c) -> task<rpc_result> {
    auto path = arg_string(c, "path");
    if (!path) co_return std::unexpected(path.error());
    if (!path->starts_with("/ipfs/") && !path->starts_with("/ipns/"))
      co_return fail(node_errc::bad_request, "argument 'path': must start with /ipfs/ or /ipns/");
    auto lifetime = arg_uint(c, "lifetime_s", 48 * 3600, max_lifetime_s);
    if (!lifetime) co_return std::unexpected(lifetime.error());
    auto ttl = arg_uint(c, "ttl_s", 300, max_lifetime_s);
    if (!ttl) co_return std::unexpected(ttl.error());
    auto name = crypto::peer_id::from_public_key(self_key.public_key());
    auto last = seen_store->highest(name);
    if (!last) co_return failed("name/publish", last.error());
    std::uint64_t seq = *last ? **last + 1 : 1;
    auto eol = std::chrono::system_clock::now() + std::chrono::seconds(*lifetime);
    auto rec = ipns::create(self_key, as_bytes(*path), seq, eol, ipns::create_options{*ttl * 1'000'000'000ull, true});
    if (!rec) co_return failed("name/publish", rec.error());
    auto r = co_await d->put_value(ipns::routing_key(name), std::move(*rec));
    if (!r) co_return failed("name/publish", r.error());
    co_return json{{"name", ipns::name_string(name)}, {"path", *path}, {"sequence", seq}, {"peers", r->stored}};
  });
  rpc.add("name/resolve", [d, dns = cfg_.dns](rpc_call c) -> task<rpc_result> {
    auto text = arg_string(c, "name");
    if (!text) co_return std::unexpected(text.error());
    auto path = co_await resolve_name(d, *text, dns);
    if (!path) co_return failed("name/resolve", path.error());
    co_return json{{"path", *path}};
  });
  return ok();
}

task<result<std::string>> resolve_name(std::shared_ptr<kad::io::driver> d, std::string text,
                                       dnslink::resolver_options dns) {
  std::string path = text.starts_with("/ipns/") ? text : "/ipns/" + text;
  // Follow /ipns/ links (names and DNSLink domains) up to a bound.
  for (unsigned hop = 0; hop < dnslink::max_depth && path.starts_with("/ipns/"); ++hop) {
    std::string_view rest = std::string_view(path).substr(6);
    auto slash = rest.find('/');
    std::string head(rest.substr(0, slash));
    std::string tail = slash == std::string_view::npos ? "" : std::string(rest.substr(slash));
    if (head.find('.') != std::string::npos) {
      // The blocking c-ares lookup runs on the DNS thread; we resume here.
      auto l = co_await io::asio::co_spawn(dns_thread().get_executor(), lookup_dnslink(head, dns),
                                           io::asio::use_awaitable);
      if (!l) co_return fail(l.error());
      path = l->to_string() + tail;
      continue;
    }
    auto name = ipns::parse_name(head);
    if (!name) co_return fail(name.error());
    auto v = co_await resolve_ipns(d, *name);
    if (!v) co_return fail(with_context(v.error(), head));
    path = *v + tail;
  }
  co_return path;
}

void dht_service::stop() {
  if (driver_) driver_->stop();
}

}  // namespace converge::node
