#pragma once
// FROST(Ed25519, SHA-512) two-round threshold signing, RFC 9591 sections 4-5.
// The aggregated signature R || z is an ordinary 64-byte Ed25519 signature
// over the message under the group public key (crypto_sign_verify_detached
// accepts it).
//
// Roles: each signer runs commit() (round one), a coordinator collects the
// commitments into a list sorted by identifier, each signer runs sign()
// (round two), and the coordinator runs aggregate(), which identifies any
// signer whose share does not verify.
#include <array>
#include <map>
#include <optional>
#include <span>
#include <vector>

#include "trust/frost_group.hpp"

namespace converge::trust::frost {

inline constexpr std::size_t max_participants = 255;  // bound on n for keygen and signing
using signature = std::array<std::uint8_t, 64>;

// One signer's long-lived key material (RFC 9591 "KeyPackage").
struct key_package {
  identifier id = 0;
  scalar secret_share;        // sk_i
  point verifying_share;      // PK_i = G * sk_i
  point group_public_key;     // PK
  std::uint16_t min_signers = 0;
};

// What everyone may know: the group key and each participant's verifying share.
struct public_key_package {
  point group_public_key;
  std::map<identifier, point> verifying_shares;
  std::uint16_t min_signers = 0;
};

// Secret, single-use: sign() zeroes them, and refuses zeroed nonces.
struct signing_nonces {
  scalar hiding;
  scalar binding;
};

struct signing_commitment {
  identifier id = 0;
  point hiding;
  point binding;
  friend bool operator==(const signing_commitment&, const signing_commitment&) = default;
};

struct signature_share {
  identifier id = 0;
  scalar share;
};

// nonce_generate of RFC 9591 section 4.1: H3(random_bytes || SerializeScalar(secret)).
scalar nonce_generate(std::span<const std::uint8_t, 32> random_bytes, const scalar& secret);

// Round one (section 5.1). The _with_randomness form exists so the RFC test
// vectors can inject the 32-byte random inputs; use commit() otherwise.
struct round_one { signing_nonces nonces; signing_commitment commitment; };
round_one commit(identifier id, const scalar& secret_share, rng& r);
round_one commit_with_randomness(identifier id, const scalar& secret_share,
                                 std::span<const std::uint8_t, 32> hiding_randomness,
                                 std::span<const std::uint8_t, 32> binding_randomness);

// Checks a coordinator's commitment list: 2..max_participants entries, at
// least min_signers, identifiers non-zero and strictly ascending.
result<void> validate_commitment_list(std::span<const signing_commitment> list, std::uint16_t min_signers);

// Section 4.4: the binding-factor hash input for one participant and the factors for all.
bytes binding_factor_input(const point& group_public_key, std::span<const signing_commitment> list,
                           bytes_view msg, identifier id);
std::map<identifier, scalar> compute_binding_factors(const point& group_public_key,
                                                     std::span<const signing_commitment> list, bytes_view msg);
// Section 4.2: lambda_i over the participant list; fails if id is absent or ids repeat.
result<scalar> lagrange_coefficient(identifier id, std::span<const identifier> participants);
point compute_group_commitment(std::span<const signing_commitment> list, const std::map<identifier, scalar>& factors);
scalar compute_challenge(const point& group_commitment, const point& group_public_key, bytes_view msg);

// Round two (section 5.2). Fails if the list is invalid, does not contain
// this signer's commitment exactly as commit() produced it, or the nonces
// were already used. Zeroes `nonces` on every path.
result<signature_share> sign(const key_package& key, signing_nonces& nonces, bytes_view msg,
                             std::span<const signing_commitment> list);

// Section 5.4: does this participant's share verify against its verifying share?
result<void> verify_signature_share(const signature_share& share, const point& verifying_share,
                                    std::span<const signing_commitment> list, const point& group_public_key,
                                    bytes_view msg);

// Section 5.3 plus cheater detection: sums the shares, and when the result
// is not a valid Ed25519 signature, checks every share and fails with
// trust_errc::invalid_share naming each participant whose share is wrong.
result<signature> aggregate(const public_key_package& pub, bytes_view msg, std::span<const signing_commitment> list,
                            std::span<const signature_share> shares);

// The participants whose shares fail verify_signature_share (unknown
// participants count as failing): who to exclude from the next attempt.
std::vector<identifier> invalid_shares(const public_key_package& pub, bytes_view msg,
                                       std::span<const signing_commitment> list,
                                       std::span<const signature_share> shares);

// Ed25519 verification of a FROST (or any) signature, via libsodium.
bool verify_ed25519(const point& public_key, bytes_view msg, const signature& sig);

}  // namespace converge::trust::frost
