#pragma once
// Key generation for FROST(Ed25519, SHA-512).
//
// Trusted dealer (RFC 9591 Appendix C): one party knows the group secret,
// splits it with Shamir sharing over a random polynomial of degree
// min_signers - 1, and publishes Feldman VSS commitments to the coefficients
// so each participant can check its share.
//
// Distributed key generation (Pedersen DKG with proofs of knowledge, as in
// the FROST paper, Figure 1, and the ZF FROST libraries): no one ever holds
// the group secret.
//   part1: each participant i picks a random polynomial f_i, broadcasts the
//          commitments C_i = [G*a_i0 .. G*a_i(t-1)] and a Schnorr proof of
//          knowledge of a_i0 (R_i, mu_i) with challenge
//          c_i = HDKG(id_i || C_i0 || R_i).
//   part2: after checking every other participant's proof, i sends f_i(j)
//          to each j. THESE SHARES ARE SECRET: the transport must encrypt
//          and authenticate them (not done here).
//   part3: j checks each received f_i(j) against C_i, and sums them into its
//          signing share; everyone derives the same group key and verifying
//          shares from the commitments alone.
// Every failure names the participant at fault.
#include <map>
#include <span>
#include <vector>

#include "trust/frost.hpp"

namespace converge::trust::frost {

using vss_commitment = std::vector<point>;  // G * coefficient, constant term first

struct secret_share {
  identifier id = 0;
  scalar value;
  vss_commitment commitment;
};

struct dealer_output {
  std::vector<secret_share> shares;  // identifiers 1..max_signers
  public_key_package public_package;
};

// Checks 2 <= min_signers <= max_signers <= max_participants.
result<void> validate_group_size(std::uint16_t min_signers, std::uint16_t max_signers);

// A fresh group secret from r.
result<dealer_output> trusted_dealer_keygen(std::uint16_t min_signers, std::uint16_t max_signers, rng& r);
// Appendix C with the secret and the min_signers - 1 higher coefficients given (test vectors).
result<dealer_output> trusted_dealer_keygen_with(const scalar& secret, std::span<const scalar> coefficients,
                                                 std::uint16_t max_signers);

// sum_j C_j * id^j: what G * f(id) must equal.
point evaluate_commitment(std::span<const point> commitment, identifier id);
// Fails (trust_errc::invalid_share) when G * share.value != evaluate_commitment(share.commitment, id).
result<void> vss_verify(const secret_share& share);
// Group key and every participant's verifying share from a VSS commitment.
public_key_package derive_public_package(std::span<const point> commitment, std::uint16_t max_signers);
// Verifies the share and builds the signer's key package.
result<key_package> key_package_from_share(const secret_share& share);

// ---- Distributed key generation ----

struct dkg_round1_package {
  identifier sender = 0;
  vss_commitment commitment;  // min_signers points
  point proof_r;
  scalar proof_mu;
};

struct dkg_round1_secret {
  identifier id = 0;
  std::uint16_t min_signers = 0, max_signers = 0;
  std::vector<scalar> coefficients;  // secret polynomial, constant term first
  vss_commitment commitment;
};

struct dkg_round2_package {
  identifier sender = 0;
  identifier receiver = 0;
  scalar share;  // f_sender(receiver): secret
};

struct dkg_round2_secret {
  identifier id = 0;
  std::uint16_t min_signers = 0, max_signers = 0;
  scalar own_share;                                  // f_id(id)
  std::map<identifier, vss_commitment> commitments;  // every participant's, own included
};

scalar dkg_challenge(identifier id, const point& constant_commitment, const point& r);
// Fails if the proof of knowledge does not verify or the commitment has the wrong length.
result<void> verify_round1_package(const dkg_round1_package& pkg, std::uint16_t min_signers);

struct dkg_part1_output { dkg_round1_secret secret; dkg_round1_package package; };
result<dkg_part1_output> dkg_part1(identifier id, std::uint16_t min_signers, std::uint16_t max_signers, rng& r);

struct dkg_part2_output { dkg_round2_secret secret; std::vector<dkg_round2_package> packages; };
// `others`: the round-1 packages of the other max_signers - 1 participants.
result<dkg_part2_output> dkg_part2(const dkg_round1_secret& secret, std::span<const dkg_round1_package> others);

struct dkg_part3_output { key_package key; public_key_package public_package; };
// `received`: the round-2 packages addressed to this participant, one from each other participant.
result<dkg_part3_output> dkg_part3(const dkg_round2_secret& secret, std::span<const dkg_round2_package> received);

}  // namespace converge::trust::frost
