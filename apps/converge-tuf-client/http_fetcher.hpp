#pragma once
// Plain-HTTP GET for the TUF conformance client: one connection per request,
// the body bounded by the caller's maximum. HTTP is just another untrusted
// metadata transport: everything fetched is checked by the TUF workflow.
#include <cstdint>
#include <string>
#include <string_view>

#include "base/error.hpp"

namespace converge::tufcli {

struct http_response {
  unsigned status = 0;
  std::string body;
};

// The transport interface the updater uses; tests or other carriers (gossip,
// IPFS) can stand in for HTTP.
class fetcher {
 public:
  virtual ~fetcher() = default;
  // A body longer than max_length is an error (TUF "endless data").
  virtual result<http_response> get(std::string_view url, std::uint64_t max_length) = 0;
};

class http_fetcher final : public fetcher {
 public:
  result<http_response> get(std::string_view url, std::uint64_t max_length) override;
};

}  // namespace converge::tufcli
