#pragma once
// DNSLink (dnslink.dev, ipfs/specs DNSLink): a domain names content through
// TXT records at _dnslink.<domain> of the form "dnslink=/<ns>/<identifier>".
// converge accepts the /ipfs/ (a CID, optionally a path after it) and /ipns/
// (an IPNS name, or another DNSLink domain) namespaces.
//
// parse_txt() picks the answer from a TXT record set as the spec says:
// entries not starting with "dnslink=" are ignored, invalid dnslink entries
// are ignored, and of several valid ones the lexicographically smallest wins
// (deterministic across resolvers). Bounds: 64 entries, 4096 bytes each.
//
// txt_resolver asks DNS with c-ares (asynchronous; wrapped here in a bounded
// poll loop, since DNSLink resolution is a rare, short operation), against
// the system's servers or explicit ones ("127.0.0.1:5353" for tests).
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/error.hpp"

namespace converge::dnslink {

enum class dnslink_errc {
  no_dnslink = 1,   // the TXT set holds no valid dnslink= entry
  invalid_domain,   // not a DNS name
  dns_failure,      // the query failed (detail: c-ares status); includes NXDOMAIN
  timeout,          // no answer within the timeout
  too_deep,         // /ipns/<domain> chains longer than max_depth
  invalid_argument,
};
const std::error_category& dnslink_category() noexcept;
inline std::error_code make_error_code(dnslink_errc e) noexcept { return {static_cast<int>(e), dnslink_category()}; }

inline constexpr std::size_t max_txt_entries = 64;
inline constexpr std::size_t max_txt_length = 4096;
inline constexpr unsigned max_depth = 8;

struct link {
  std::string ns;          // "ipfs" or "ipns"
  std::string identifier;  // CID, IPNS name or domain
  std::string path;        // remainder after the identifier, "" or "/a/b"
  [[nodiscard]] std::string to_string() const { return "/" + ns + "/" + identifier + path; }
};

// One TXT string: the link, or why it is not a usable dnslink entry.
result<link> parse_entry(std::string_view txt);
// A whole TXT record set (see above).
result<link> parse_txt(const std::vector<std::string>& txts);
// "example.com" -> true; labels 1..63 of [A-Za-z0-9-_], total <= 253, not starting/ending with '-'.
bool valid_domain(std::string_view d);

struct resolver_options {
  std::vector<std::string> servers;  // "ip:port"; empty: the system's resolv.conf
  std::chrono::milliseconds timeout{3000};
  int tries = 2;
};

class txt_resolver {
 public:
  static result<std::unique_ptr<txt_resolver>> create(const resolver_options& o = {});
  ~txt_resolver();
  txt_resolver(const txt_resolver&) = delete;
  txt_resolver& operator=(const txt_resolver&) = delete;
  // TXT strings of `name` (each record's character-strings joined, as the spec reads them).
  result<std::vector<std::string>> query_txt(std::string_view name);

 private:
  struct impl;
  explicit txt_resolver(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
  std::chrono::milliseconds timeout_;
};

// Resolves _dnslink.<domain>, following /ipns/<domain> links up to max_depth;
// stops at /ipfs/ or at an /ipns/<IPNS name> (the caller resolves IPNS).
result<link> resolve(txt_resolver& r, std::string_view domain);

}  // namespace converge::dnslink

template <>
struct std::is_error_code_enum<converge::dnslink::dnslink_errc> : std::true_type {};
