#include "trust/frost_group.hpp"

#include <sodium.h>

#include <string>

namespace converge::trust::frost {
namespace {

// L = 2^252 + 27742317777372353535851937790883648493, little-endian.
constexpr std::array<std::uint8_t, 32> group_order = {
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10};

digest sha512_parts(std::string_view tag, bytes_view m, bool with_context) {
  crypto_hash_sha512_state st;
  crypto_hash_sha512_init(&st);
  if (with_context) {
    crypto_hash_sha512_update(&st, reinterpret_cast<const unsigned char*>(context_string.data()),
                              context_string.size());
    crypto_hash_sha512_update(&st, reinterpret_cast<const unsigned char*>(tag.data()), tag.size());
  }
  crypto_hash_sha512_update(&st, m.data(), m.size());
  digest out;
  crypto_hash_sha512_final(&st, out.data());
  return out;
}

}  // namespace

bool is_canonical_scalar(bytes_view b) noexcept {
  if (b.size() != 32) return false;
  for (std::size_t i = 32; i-- > 0;) {
    if (b[i] < group_order[i]) return true;
    if (b[i] > group_order[i]) return false;
  }
  return false;  // equal to L
}

result<scalar> decode_scalar(bytes_view b, std::string_view what) {
  if (b.size() != 32)
    return fail(trust_errc::invalid_encoding, std::string(what) + ": scalar must be 32 bytes, got " + std::to_string(b.size()));
  if (!is_canonical_scalar(b)) return fail(trust_errc::invalid_encoding, std::string(what) + ": scalar is not reduced below the group order");
  scalar s;
  std::copy(b.begin(), b.end(), s.bytes.begin());
  return s;
}

result<point> decode_point(bytes_view b, std::string_view what) {
  if (b.size() != 32)
    return fail(trust_errc::invalid_encoding, std::string(what) + ": point must be 32 bytes, got " + std::to_string(b.size()));
  point p;
  std::copy(b.begin(), b.end(), p.bytes.begin());
  if (p == identity_point) return fail(trust_errc::invalid_encoding, std::string(what) + ": point is the identity");
  // Rejects non-canonical encodings, points off the curve, small-order points
  // and points outside the prime-order subgroup.
  if (crypto_core_ed25519_is_valid_point(p.bytes.data()) != 1)
    return fail(trust_errc::invalid_encoding, std::string(what) + ": not a valid prime-order edwards25519 point");
  return p;
}

scalar scalar_from_u64(std::uint64_t v) noexcept {
  scalar s{};
  for (std::size_t i = 0; i < 8; ++i) s.bytes[i] = static_cast<std::uint8_t>(v >> (8 * i));
  return s;
}

bool is_zero(const scalar& s) noexcept { return sodium_is_zero(s.bytes.data(), s.bytes.size()) == 1; }

scalar add(const scalar& a, const scalar& b) noexcept {
  scalar r;
  crypto_core_ed25519_scalar_add(r.bytes.data(), a.bytes.data(), b.bytes.data());
  return r;
}
scalar sub(const scalar& a, const scalar& b) noexcept {
  scalar r;
  crypto_core_ed25519_scalar_sub(r.bytes.data(), a.bytes.data(), b.bytes.data());
  return r;
}
scalar mul(const scalar& a, const scalar& b) noexcept {
  scalar r;
  crypto_core_ed25519_scalar_mul(r.bytes.data(), a.bytes.data(), b.bytes.data());
  return r;
}
result<scalar> invert(const scalar& a) {
  scalar r;
  if (is_zero(a) || crypto_core_ed25519_scalar_invert(r.bytes.data(), a.bytes.data()) != 0)
    return fail(trust_errc::crypto_failure, "cannot invert zero");
  return r;
}
scalar reduce(std::span<const std::uint8_t, 64> wide) noexcept {
  std::array<std::uint8_t, 64> tmp;
  std::copy(wide.begin(), wide.end(), tmp.begin());
  scalar r;
  crypto_core_ed25519_scalar_reduce(r.bytes.data(), tmp.data());
  sodium_memzero(tmp.data(), tmp.size());
  return r;
}
scalar random_scalar(rng& r) {
  for (;;) {
    std::array<std::uint8_t, 64> wide;
    r.fill(wide);
    scalar s = reduce(wide);
    sodium_memzero(wide.data(), wide.size());
    if (!is_zero(s)) return s;
  }
}

point add(const point& p, const point& q) noexcept {
  if (p == identity_point) return q;
  if (q == identity_point) return p;
  point r;
  // Cannot fail: every point reaching here was decoded by decode_point or computed by us.
  if (crypto_core_ed25519_add(r.bytes.data(), p.bytes.data(), q.bytes.data()) != 0) return identity_point;
  return r;
}
point sub(const point& p, const point& q) noexcept {
  if (q == identity_point) return p;
  point r;
  if (p == identity_point) {
    // -q = 0 - q; libsodium's sub accepts the identity encoding as p.
    if (crypto_core_ed25519_sub(r.bytes.data(), identity_point.bytes.data(), q.bytes.data()) != 0) return identity_point;
    return r;
  }
  if (crypto_core_ed25519_sub(r.bytes.data(), p.bytes.data(), q.bytes.data()) != 0) return identity_point;
  return r;
}
point base_mul(const scalar& s) noexcept {
  if (is_zero(s)) return identity_point;
  point r;
  if (crypto_scalarmult_ed25519_base_noclamp(r.bytes.data(), s.bytes.data()) != 0) return identity_point;
  return r;
}
point mul(const point& p, const scalar& s) noexcept {
  // libsodium refuses a zero scalar, the identity input and an identity
  // result; for a prime-order p and 0 < s < L the result is never the identity.
  if (is_zero(s) || p == identity_point) return identity_point;
  point r;
  if (crypto_scalarmult_ed25519_noclamp(r.bytes.data(), s.bytes.data(), p.bytes.data()) != 0) return identity_point;
  return r;
}

std::string to_hex(const scalar& s) { return converge::to_hex(s.bytes); }
std::string to_hex(const point& p) { return converge::to_hex(p.bytes); }

scalar h1(bytes_view m) { return reduce(sha512_parts("rho", m, true)); }
scalar h2(bytes_view m) { return reduce(sha512_parts({}, m, false)); }
scalar h3(bytes_view m) { return reduce(sha512_parts("nonce", m, true)); }
digest h4(bytes_view m) { return sha512_parts("msg", m, true); }
digest h5(bytes_view m) { return sha512_parts("com", m, true); }
scalar hdkg(bytes_view m) { return reduce(sha512_parts("dkg", m, true)); }

}  // namespace converge::trust::frost
