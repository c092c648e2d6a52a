#pragma once
// Per-protocol conversion of multiaddr values between text and binary. Both
// directions validate: a binary value that cannot be printed as text that
// parses back to the same bytes is refused, so every accepted multiaddr
// round-trips exactly.
#include <string>
#include <string_view>

#include "base/bytes.hpp"
#include "multiformats/multiaddr.hpp"

namespace converge::mf::detail {

result<bytes> value_from_text(const protocol_info& p, std::string_view text);
result<std::string> value_to_text(const protocol_info& p, bytes_view value);

// Helpers shared with tests and the CLI.
std::string format_ip6(bytes_view addr16);
std::string percent_encode(bytes_view raw);  // as JavaScript's encodeURIComponent
result<bytes> percent_decode(std::string_view text);
bool valid_utf8(bytes_view s);

}  // namespace converge::mf::detail
