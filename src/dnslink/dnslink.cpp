#include "dnslink/dnslink.hpp"

#include <algorithm>

#include "multiformats/cid.hpp"

namespace converge::dnslink {

namespace {
struct dnslink_category_impl final : std::error_category {
  [[nodiscard]] const char* name() const noexcept override { return "dnslink"; }
  [[nodiscard]] std::string message(int ev) const override {
    switch (static_cast<dnslink_errc>(ev)) {
      case dnslink_errc::no_dnslink: return "no valid dnslink record";
      case dnslink_errc::invalid_domain: return "invalid domain";
      case dnslink_errc::dns_failure: return "DNS query failed";
      case dnslink_errc::timeout: return "DNS query timed out";
      case dnslink_errc::too_deep: return "DNSLink chain too deep";
      case dnslink_errc::invalid_argument: return "invalid argument";
    }
    return "unknown dnslink error";
  }
};
}  // namespace

const std::error_category& dnslink_category() noexcept {
  static const dnslink_category_impl c;
  return c;
}

bool valid_domain(std::string_view d) {
  if (!d.empty() && d.back() == '.') d.remove_suffix(1);
  if (d.empty() || d.size() > 253) return false;
  std::size_t start = 0;
  while (start <= d.size()) {
    auto dot = d.find('.', start);
    auto label = d.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    for (char c : label)
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
        return false;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return true;
}

result<link> parse_entry(std::string_view txt) {
  constexpr std::string_view prefix = "dnslink=";
  if (txt.size() > max_txt_length) return fail(dnslink_errc::no_dnslink, "TXT entry over 4096 bytes");
  if (!txt.starts_with(prefix)) return fail(dnslink_errc::no_dnslink, "entry does not start with \"dnslink=\"");
  auto v = txt.substr(prefix.size());
  for (unsigned char c : v)
    if (c <= 0x20 || c == 0x7f) return fail(dnslink_errc::no_dnslink, "whitespace or control character in the link");
  if (v.size() < 2 || v[0] != '/') return fail(dnslink_errc::no_dnslink, "link is not /<namespace>/<identifier>");
  auto ns_end = v.find('/', 1);
  if (ns_end == std::string_view::npos) return fail(dnslink_errc::no_dnslink, "link has no identifier");
  link l;
  l.ns = std::string(v.substr(1, ns_end - 1));
  auto id_end = v.find('/', ns_end + 1);
  l.identifier = std::string(v.substr(ns_end + 1, id_end == std::string_view::npos ? std::string_view::npos : id_end - ns_end - 1));
  if (id_end != std::string_view::npos) l.path = std::string(v.substr(id_end));
  if (l.identifier.empty()) return fail(dnslink_errc::no_dnslink, "empty identifier");
  if (l.ns == "ipfs") {
    if (!mf::cid::parse(l.identifier)) return fail(dnslink_errc::no_dnslink, "/ipfs/ identifier is not a CID");
  } else if (l.ns == "ipns") {
    if (!valid_domain(l.identifier)) return fail(dnslink_errc::no_dnslink, "/ipns/ identifier is neither a name nor a domain");
  } else {
    return fail(dnslink_errc::no_dnslink, "namespace \"" + l.ns.substr(0, 32) + "\" is not ipfs or ipns");
  }
  return l;
}

result<link> parse_txt(const std::vector<std::string>& txts) {
  if (txts.size() > max_txt_entries)
    return fail(dnslink_errc::no_dnslink, std::to_string(txts.size()) + " TXT entries exceed " + std::to_string(max_txt_entries));
  std::optional<std::string> best;
  for (const auto& t : txts)
    if (parse_entry(t) && (!best || t < *best)) best = t;
  if (!best) return fail(dnslink_errc::no_dnslink, "none of " + std::to_string(txts.size()) + " TXT entries is a valid dnslink");
  return parse_entry(*best);
}

result<link> resolve(txt_resolver& r, std::string_view domain) {
  std::string d(domain);
  for (unsigned depth = 0; depth < max_depth; ++depth) {
    if (!valid_domain(d)) return fail(dnslink_errc::invalid_domain, "\"" + d.substr(0, 80) + "\" is not a domain");
    auto txts = r.query_txt("_dnslink." + d);
    if (!txts) return fail(txts.error());
    auto l = parse_txt(*txts);
    if (!l) return fail(with_context(l.error(), "_dnslink." + d));
    // /ipns/<domain> (a dot, not a key) is another DNSLink; keys stop here.
    if (l->ns == "ipns" && l->identifier.find('.') != std::string::npos) {
      if (!l->path.empty()) return l;  // a path under another domain: the caller decides
      d = l->identifier;
      continue;
    }
    return l;
  }
  return fail(dnslink_errc::too_deep, "more than " + std::to_string(max_depth) + " DNSLink hops from " + std::string(domain));
}

}  // namespace converge::dnslink
