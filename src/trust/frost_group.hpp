#pragma once
// The FROST(Ed25519, SHA-512) ciphersuite of RFC 9591 section 6.1: the
// edwards25519 prime-order group, its scalar field, and H1..H5. Every group
// and scalar operation is libsodium's; this file only adapts encodings and
// the identity element (which libsodium's scalar multiplication refuses).
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "base/rng.hpp"
#include "trust/errors.hpp"

namespace converge::trust::frost {

inline constexpr std::string_view context_string = "FROST-ED25519-SHA512-v1";

// Distinct types so a scalar can never be passed where a point belongs.
struct scalar {
  std::array<std::uint8_t, 32> bytes{};  // little-endian, always canonical (< L)
  friend bool operator==(const scalar&, const scalar&) = default;
};
struct point {
  std::array<std::uint8_t, 32> bytes{};  // RFC 8032 compressed encoding
  friend bool operator==(const point&, const point&) = default;
};
using digest = std::array<std::uint8_t, 64>;

// Participant identifiers are the non-zero scalars 1..65535; converge never
// needs more, and small integers keep messages and logs readable.
using identifier = std::uint16_t;

inline constexpr point identity_point{{1}};  // (0, 1): y = 1, sign bit clear

// Deserialisation as RFC 9591 requires it: a scalar is exactly 32 bytes and
// < L; a point is exactly 32 bytes, canonically encoded, on the curve, in the
// prime-order subgroup and not the identity. `what` prefixes the error detail.
result<scalar> decode_scalar(bytes_view b, std::string_view what = "scalar");
result<point> decode_point(bytes_view b, std::string_view what = "point");
bool is_canonical_scalar(bytes_view b) noexcept;

scalar scalar_from_u64(std::uint64_t v) noexcept;
inline scalar scalar_from_id(identifier id) noexcept { return scalar_from_u64(id); }
bool is_zero(const scalar& s) noexcept;
scalar add(const scalar& a, const scalar& b) noexcept;
scalar sub(const scalar& a, const scalar& b) noexcept;
scalar mul(const scalar& a, const scalar& b) noexcept;
// Fails only for zero.
result<scalar> invert(const scalar& a);
scalar reduce(std::span<const std::uint8_t, 64> wide) noexcept;
// A uniformly random non-zero scalar from 64 bytes of r (bias below 2^-250).
scalar random_scalar(rng& r);

// Group operations on encoded points; the identity is allowed everywhere.
point add(const point& p, const point& q) noexcept;
point sub(const point& p, const point& q) noexcept;
std::string to_hex(const scalar& s);
std::string to_hex(const point& p);
point base_mul(const scalar& s) noexcept;
point mul(const point& p, const scalar& s) noexcept;

// The ciphersuite's hash functions (RFC 9591 section 6.1).
scalar h1(bytes_view m);  // SHA-512(ctx || "rho" || m) mod L
scalar h2(bytes_view m);  // SHA-512(m) mod L: the plain Ed25519 challenge, no context string
scalar h3(bytes_view m);  // SHA-512(ctx || "nonce" || m) mod L
digest h4(bytes_view m);  // SHA-512(ctx || "msg" || m)
digest h5(bytes_view m);  // SHA-512(ctx || "com" || m)
// Not in the RFC: the challenge of a DKG proof of knowledge, SHA-512(ctx || "dkg" || m) mod L.
scalar hdkg(bytes_view m);

}  // namespace converge::trust::frost
