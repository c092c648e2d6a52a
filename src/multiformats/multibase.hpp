#pragma once
// Multibase (https://github.com/multiformats/multibase): a one-character
// prefix naming the base, then the data in that base.
//
// Encoding always produces the canonical form of the chosen base (lower case,
// no padding). Decoding accepts, besides the enum's prefixes, the variants
// 'F' base16upper, 'B' base32upper, 'K' base36upper, 'M' base64pad and
// 'U' base64urlpad; base16/32/36 decode case-insensitively, as the spec
// requires. Decoding rejects characters outside the alphabet, set trailing
// bits, impossible lengths and wrong padding, so every accepted text has
// exactly one byte string and re-encodes to the canonical text.
#include <cstddef>
#include <string>
#include <string_view>

#include "base/bytes.hpp"
#include "multiformats/errors.hpp"

namespace converge::mf {

enum class multibase : char {
  base16 = 'f',
  base32 = 'b',
  base36 = 'k',
  base58btc = 'z',
  base64 = 'm',
  base64url = 'u',
};

// Bounds on text to decode. The big-number bases (base36, base58btc) cost
// quadratic time, so their bound is much smaller.
inline constexpr std::size_t max_multibase_text = 1 << 20;
inline constexpr std::size_t max_bignum_text = 4096;

std::string multibase_encode(multibase b, bytes_view data);  // with prefix char
result<bytes> multibase_decode(std::string_view text);        // with prefix char
std::string base_encode(multibase b, bytes_view data);        // without prefix
result<bytes> base_decode(multibase b, std::string_view text);  // without prefix

// The base a prefix character selects (upper-case and padded variants map to
// their canonical base); nullopt-like failure for unsupported prefixes.
result<multibase> multibase_from_prefix(char prefix);
// "base32", "base58btc", ... ; and the reverse for CLI options.
std::string_view multibase_name(multibase b);
result<multibase> multibase_from_name(std::string_view name);

}  // namespace converge::mf
