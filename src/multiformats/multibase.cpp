#include "multiformats/multibase.hpp"

#include <array>
#include <cstdint>

namespace converge::mf {
namespace {

constexpr std::string_view base16_lower = "0123456789abcdef";
constexpr std::string_view base32_lower = "abcdefghijklmnopqrstuvwxyz234567";
constexpr std::string_view base36_lower = "0123456789abcdefghijklmnopqrstuvwxyz";
constexpr std::string_view base58_btc = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
constexpr std::string_view base64_std = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view base64_url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// One decoding table per alphabet: -1 for characters outside it. Case-insensitive
// alphabets (all lower case here) also map the upper-case letters.
using decode_table = std::array<std::int8_t, 256>;

constexpr decode_table make_table(std::string_view alphabet, bool case_insensitive) {
  decode_table t{};
  for (auto& v : t) v = -1;
  for (std::size_t i = 0; i < alphabet.size(); ++i) {
    auto c = static_cast<unsigned char>(alphabet[i]);
    t[c] = static_cast<std::int8_t>(i);
    if (case_insensitive && c >= 'a' && c <= 'z') t[c - 'a' + 'A'] = static_cast<std::int8_t>(i);
  }
  return t;
}

// How a base is written: bits per character for the power-of-two bases
// (bit packing), 0 for the big-number bases (radix conversion).
struct base_spec {
  std::string_view name;
  std::string_view alphabet;
  int bits;
  bool case_insensitive;
};

constexpr base_spec spec_of(multibase b) {
  switch (b) {
    case multibase::base16: return {"base16", base16_lower, 4, true};
    case multibase::base32: return {"base32", base32_lower, 5, true};
    case multibase::base36: return {"base36", base36_lower, 0, true};
    case multibase::base58btc: return {"base58btc", base58_btc, 0, false};
    case multibase::base64: return {"base64", base64_std, 6, false};
    case multibase::base64url: return {"base64url", base64_url, 6, false};
  }
  return {"base58btc", base58_btc, 0, false};
}

const decode_table& table_of(multibase b) {
  static constexpr decode_table t16 = make_table(base16_lower, true);
  static constexpr decode_table t32 = make_table(base32_lower, true);
  static constexpr decode_table t36 = make_table(base36_lower, true);
  static constexpr decode_table t58 = make_table(base58_btc, false);
  static constexpr decode_table t64 = make_table(base64_std, false);
  static constexpr decode_table t64u = make_table(base64_url, false);
  switch (b) {
    case multibase::base16: return t16;
    case multibase::base32: return t32;
    case multibase::base36: return t36;
    case multibase::base58btc: return t58;
    case multibase::base64: return t64;
    case multibase::base64url: return t64u;
  }
  return t58;
}

std::string describe_char(char c) {
  auto u = static_cast<unsigned char>(c);
  if (u >= 0x20 && u < 0x7f) return std::string("'") + c + "'";
  static constexpr char hex[] = "0123456789abcdef";
  return std::string("byte 0x") + hex[u >> 4] + hex[u & 15];
}

std::unexpected<error> bad_char(const base_spec& s, char c, std::size_t offset) {
  return fail(mf_errc::invalid_character,
              describe_char(c) + " at offset " + std::to_string(offset) + " is not in the " + std::string(s.name) + " alphabet");
}

// ---- power-of-two bases: bit packing -------------------------------------------------

std::string pack_encode(const base_spec& s, bytes_view data) {
  std::string out;
  out.reserve((data.size() * 8 + static_cast<std::size_t>(s.bits) - 1) / static_cast<std::size_t>(s.bits));
  const std::uint32_t mask = (1u << s.bits) - 1;
  std::uint32_t acc = 0;
  int nbits = 0;
  for (auto byte : data) {
    acc = (acc << 8) | byte;
    nbits += 8;
    while (nbits >= s.bits) {
      nbits -= s.bits;
      out.push_back(s.alphabet[(acc >> nbits) & mask]);
    }
    acc &= (1u << nbits) - 1;
  }
  if (nbits > 0) out.push_back(s.alphabet[(acc << (s.bits - nbits)) & mask]);
  return out;
}

result<bytes> pack_decode(const base_spec& s, const decode_table& t, std::string_view text, std::size_t offset) {
  bytes out;
  out.reserve(text.size() * static_cast<std::size_t>(s.bits) / 8);
  std::uint32_t acc = 0;
  int nbits = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    int v = t[static_cast<unsigned char>(text[i])];
    if (v < 0) return bad_char(s, text[i], offset + i);
    acc = (acc << s.bits) | static_cast<std::uint32_t>(v);
    nbits += s.bits;
    if (nbits >= 8) {
      nbits -= 8;
      out.push_back(static_cast<std::uint8_t>(acc >> nbits));
    }
    acc &= (1u << nbits) - 1;
  }
  // A whole character left over means the length is impossible for this base;
  // set leftover bits mean two texts would decode to the same bytes.
  if (nbits >= s.bits)
    return fail(mf_errc::non_canonical, std::to_string(text.size()) + " characters is not a valid " + std::string(s.name) + " length");
  if (acc != 0) return fail(mf_errc::non_canonical, "trailing bits are set in the last " + std::string(s.name) + " character");
  return out;
}

// ---- big-number bases: radix conversion with leading zeros -------------------------

std::string bignum_encode(const base_spec& s, bytes_view data) {
  const std::uint32_t radix = static_cast<std::uint32_t>(s.alphabet.size());
  std::size_t zeros = 0;
  while (zeros < data.size() && data[zeros] == 0) ++zeros;
  std::vector<std::uint8_t> digits;  // little-endian digits in `radix`
  digits.reserve((data.size() - zeros) * 138 / 100 + 1);
  for (std::size_t i = zeros; i < data.size(); ++i) {
    std::uint32_t carry = data[i];
    for (auto& d : digits) {
      carry += static_cast<std::uint32_t>(d) << 8;
      d = static_cast<std::uint8_t>(carry % radix);
      carry /= radix;
    }
    while (carry > 0) {
      digits.push_back(static_cast<std::uint8_t>(carry % radix));
      carry /= radix;
    }
  }
  std::string out(zeros, s.alphabet[0]);
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) out.push_back(s.alphabet[*it]);
  return out;
}

result<bytes> bignum_decode(const base_spec& s, const decode_table& t, std::string_view text, std::size_t offset) {
  const std::uint32_t radix = static_cast<std::uint32_t>(s.alphabet.size());
  std::size_t zeros = 0;
  while (zeros < text.size() && t[static_cast<unsigned char>(text[zeros])] == 0) ++zeros;
  std::vector<std::uint8_t> num;  // little-endian base-256
  num.reserve(text.size());
  for (std::size_t i = zeros; i < text.size(); ++i) {
    int v = t[static_cast<unsigned char>(text[i])];
    if (v < 0) return bad_char(s, text[i], offset + i);
    std::uint32_t carry = static_cast<std::uint32_t>(v);
    for (auto& b : num) {
      carry += static_cast<std::uint32_t>(b) * radix;
      b = static_cast<std::uint8_t>(carry & 0xff);
      carry >>= 8;
    }
    while (carry > 0) {
      num.push_back(static_cast<std::uint8_t>(carry & 0xff));
      carry >>= 8;
    }
  }
  bytes out(zeros, 0);
  out.insert(out.end(), num.rbegin(), num.rend());
  return out;
}

// Strips RFC 4648 padding for the padded base64 variants: the padding must be
// exactly what the unpadded length needs, and the total a multiple of four.
result<std::string_view> strip_padding(std::string_view text, std::size_t offset) {
  std::size_t end = text.size();
  while (end > 0 && text[end - 1] == '=') --end;
  std::size_t pads = text.size() - end;
  // A length of 1 mod 4 is impossible either way; pack_decode names that.
  std::size_t need = end % 4 == 1 ? 0 : (4 - end % 4) % 4;
  if (pads != need)
    return fail(mf_errc::non_canonical, "padding at offset " + std::to_string(offset + end) + ": " + std::to_string(pads) +
                                            " '=' where " + std::to_string(need) + " belong");
  return text.substr(0, end);
}

result<bytes> decode_body(multibase b, std::string_view text, std::size_t offset) {
  auto s = spec_of(b);
  const auto& t = table_of(b);
  if (s.bits == 0) {
    if (text.size() > max_bignum_text)
      return fail(mf_errc::too_large, std::string(s.name) + " text of " + std::to_string(text.size()) + " characters exceeds " +
                                          std::to_string(max_bignum_text));
    return bignum_decode(s, t, text, offset);
  }
  if (text.size() > max_multibase_text)
    return fail(mf_errc::too_large, std::string(s.name) + " text of " + std::to_string(text.size()) + " characters exceeds " +
                                        std::to_string(max_multibase_text));
  return pack_decode(s, t, text, offset);
}

}  // namespace

std::string base_encode(multibase b, bytes_view data) {
  auto s = spec_of(b);
  return s.bits == 0 ? bignum_encode(s, data) : pack_encode(s, data);
}

std::string multibase_encode(multibase b, bytes_view data) {
  std::string out(1, static_cast<char>(b));
  out += base_encode(b, data);
  return out;
}

result<bytes> base_decode(multibase b, std::string_view text) { return decode_body(b, text, 0); }

result<multibase> multibase_from_prefix(char prefix) {
  switch (prefix) {
    case 'f': case 'F': return multibase::base16;
    case 'b': case 'B': return multibase::base32;
    case 'k': case 'K': return multibase::base36;
    case 'z': return multibase::base58btc;
    case 'm': case 'M': return multibase::base64;
    case 'u': case 'U': return multibase::base64url;
    default: break;
  }
  return fail(mf_errc::unknown_base, "multibase prefix " + describe_char(prefix) + " is not supported");
}

result<bytes> multibase_decode(std::string_view text) {
  if (text.empty()) return fail(mf_errc::truncated, "empty multibase text has no prefix");
  auto b = multibase_from_prefix(text[0]);
  if (!b) return fail(b.error());
  auto body = text.substr(1);
  if (text[0] == 'M' || text[0] == 'U') {
    if (body.size() > max_multibase_text) return fail(mf_errc::too_large, "multibase text too long");
    auto stripped = strip_padding(body, 1);
    if (!stripped) return fail(stripped.error());
    body = *stripped;
  }
  return decode_body(*b, body, 1);
}

std::string_view multibase_name(multibase b) { return spec_of(b).name; }

result<multibase> multibase_from_name(std::string_view name) {
  for (auto b : {multibase::base16, multibase::base32, multibase::base36, multibase::base58btc, multibase::base64,
                 multibase::base64url})
    if (spec_of(b).name == name) return b;
  return fail(mf_errc::unknown_base, "unknown multibase name \"" + std::string(name) + "\"");
}

}  // namespace converge::mf
