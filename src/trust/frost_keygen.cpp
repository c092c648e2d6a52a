#include "trust/frost_keygen.hpp"

#include <sodium.h>

#include <set>
#include <string>

namespace converge::trust::frost {
namespace {

std::string who(identifier id) { return "participant " + std::to_string(id); }

scalar polynomial_evaluate(identifier x, std::span<const scalar> coefficients) {
  scalar value{};
  scalar xs = scalar_from_id(x);
  for (auto it = coefficients.rbegin(); it != coefficients.rend(); ++it) value = add(mul(value, xs), *it);
  return value;
}

vss_commitment vss_commit(std::span<const scalar> coefficients) {
  vss_commitment c;
  c.reserve(coefficients.size());
  for (const auto& a : coefficients) c.push_back(base_mul(a));
  return c;
}

public_key_package public_package_for(std::span<const point> commitment, std::span<const identifier> ids) {
  public_key_package pub;
  pub.group_public_key = commitment.empty() ? identity_point : commitment.front();
  pub.min_signers = static_cast<std::uint16_t>(commitment.size());
  for (identifier id : ids) pub.verifying_shares[id] = evaluate_commitment(commitment, id);
  return pub;
}

void wipe(std::vector<scalar>& v) {
  for (auto& s : v) sodium_memzero(s.bytes.data(), s.bytes.size());
}

}  // namespace

result<void> validate_group_size(std::uint16_t min_signers, std::uint16_t max_signers) {
  if (min_signers < 2) return fail(trust_errc::invalid_participants, "min_signers must be at least 2");
  if (min_signers > max_signers)
    return fail(trust_errc::invalid_participants, "min_signers " + std::to_string(min_signers) +
                                                      " exceeds max_signers " + std::to_string(max_signers));
  if (max_signers > max_participants)
    return fail(trust_errc::too_large, "max_signers " + std::to_string(max_signers) + " exceeds limit " +
                                           std::to_string(max_participants));
  return ok();
}

result<dealer_output> trusted_dealer_keygen_with(const scalar& secret, std::span<const scalar> coefficients,
                                                 std::uint16_t max_signers) {
  auto min_signers = static_cast<std::uint16_t>(coefficients.size() + 1);
  if (coefficients.size() + 1 > max_participants)
    return fail(trust_errc::too_large, "too many coefficients");
  if (auto v = validate_group_size(min_signers, max_signers); !v) return fail(v.error());
  if (is_zero(secret)) return fail(trust_errc::invalid_encoding, "group secret is zero");
  std::vector<scalar> poly;
  poly.reserve(min_signers);
  poly.push_back(secret);
  poly.insert(poly.end(), coefficients.begin(), coefficients.end());
  dealer_output out;
  auto commitment = vss_commit(poly);
  std::vector<identifier> ids;
  for (identifier id = 1; id <= max_signers; ++id) {
    out.shares.push_back({id, polynomial_evaluate(id, poly), commitment});
    ids.push_back(id);
  }
  out.public_package = public_package_for(commitment, ids);
  wipe(poly);
  return out;
}

result<dealer_output> trusted_dealer_keygen(std::uint16_t min_signers, std::uint16_t max_signers, rng& r) {
  if (auto v = validate_group_size(min_signers, max_signers); !v) return fail(v.error());
  scalar secret = random_scalar(r);
  std::vector<scalar> coefficients;
  for (std::uint16_t i = 1; i < min_signers; ++i) coefficients.push_back(random_scalar(r));
  auto out = trusted_dealer_keygen_with(secret, coefficients, max_signers);
  sodium_memzero(secret.bytes.data(), secret.bytes.size());
  wipe(coefficients);
  return out;
}

point evaluate_commitment(std::span<const point> commitment, identifier id) {
  // Horner in the exponent: sum_j C_j * id^j.
  point acc = identity_point;
  scalar x = scalar_from_id(id);
  for (auto it = commitment.rbegin(); it != commitment.rend(); ++it) acc = add(mul(acc, x), *it);
  return acc;
}

result<void> vss_verify(const secret_share& share) {
  if (share.id == 0) return fail(trust_errc::invalid_participants, "identifier 0 is not allowed");
  if (share.commitment.size() < 2 || share.commitment.size() > max_participants)
    return fail(trust_errc::invalid_share, who(share.id) + ": VSS commitment has " +
                                               std::to_string(share.commitment.size()) + " points");
  if (base_mul(share.value) != evaluate_commitment(share.commitment, share.id))
    return fail(trust_errc::invalid_share, who(share.id) + ": share does not match the VSS commitment");
  return ok();
}

public_key_package derive_public_package(std::span<const point> commitment, std::uint16_t max_signers) {
  std::vector<identifier> ids;
  for (identifier id = 1; id <= max_signers; ++id) ids.push_back(id);
  return public_package_for(commitment, ids);
}

result<key_package> key_package_from_share(const secret_share& share) {
  if (auto v = vss_verify(share); !v) return fail(v.error());
  key_package k;
  k.id = share.id;
  k.secret_share = share.value;
  k.verifying_share = base_mul(share.value);
  k.group_public_key = share.commitment.front();
  k.min_signers = static_cast<std::uint16_t>(share.commitment.size());
  return k;
}

// ---- DKG ----

scalar dkg_challenge(identifier id, const point& constant_commitment, const point& r) {
  return hdkg(concat(scalar_from_id(id).bytes, constant_commitment.bytes, r.bytes));
}

result<void> verify_round1_package(const dkg_round1_package& pkg, std::uint16_t min_signers) {
  if (pkg.sender == 0) return fail(trust_errc::invalid_participants, "identifier 0 is not allowed");
  if (pkg.commitment.size() != min_signers)
    return fail(trust_errc::invalid_share, who(pkg.sender) + ": commitment has " +
                                               std::to_string(pkg.commitment.size()) + " points, expected " +
                                               std::to_string(min_signers));
  for (const auto& c : pkg.commitment)
    if (c == identity_point) return fail(trust_errc::invalid_share, who(pkg.sender) + ": commitment to zero");
  // G * mu == R + C_0 * c
  scalar c = dkg_challenge(pkg.sender, pkg.commitment.front(), pkg.proof_r);
  if (base_mul(pkg.proof_mu) != add(pkg.proof_r, mul(pkg.commitment.front(), c)))
    return fail(trust_errc::invalid_proof, who(pkg.sender) + ": proof of knowledge does not verify");
  return ok();
}

result<dkg_part1_output> dkg_part1(identifier id, std::uint16_t min_signers, std::uint16_t max_signers, rng& r) {
  if (auto v = validate_group_size(min_signers, max_signers); !v) return fail(v.error());
  if (id == 0) return fail(trust_errc::invalid_participants, "identifier 0 is not allowed");
  dkg_part1_output out;
  out.secret.id = id;
  out.secret.min_signers = min_signers;
  out.secret.max_signers = max_signers;
  for (std::uint16_t i = 0; i < min_signers; ++i) out.secret.coefficients.push_back(random_scalar(r));
  out.secret.commitment = vss_commit(out.secret.coefficients);
  scalar k = random_scalar(r);
  point big_r = base_mul(k);
  scalar c = dkg_challenge(id, out.secret.commitment.front(), big_r);
  out.package = {id, out.secret.commitment, big_r, add(k, mul(out.secret.coefficients.front(), c))};
  sodium_memzero(k.bytes.data(), k.bytes.size());
  return out;
}

result<dkg_part2_output> dkg_part2(const dkg_round1_secret& secret, std::span<const dkg_round1_package> others) {
  if (secret.coefficients.size() != secret.min_signers || secret.commitment.size() != secret.min_signers)
    return fail(trust_errc::invalid_participants, "round-1 secret is malformed");
  if (others.size() + 1 != secret.max_signers)
    return fail(trust_errc::invalid_participants, "expected " + std::to_string(secret.max_signers - 1) +
                                                      " round-1 packages, got " + std::to_string(others.size()));
  dkg_part2_output out;
  out.secret.id = secret.id;
  out.secret.min_signers = secret.min_signers;
  out.secret.max_signers = secret.max_signers;
  out.secret.commitments[secret.id] = secret.commitment;
  for (const auto& pkg : others) {
    if (pkg.sender == secret.id || out.secret.commitments.contains(pkg.sender))
      return fail(trust_errc::invalid_participants, who(pkg.sender) + " appears twice");
    if (auto v = verify_round1_package(pkg, secret.min_signers); !v) return fail(v.error());
    out.secret.commitments[pkg.sender] = pkg.commitment;
  }
  for (const auto& [id, commitment] : out.secret.commitments) {
    scalar share = polynomial_evaluate(id, secret.coefficients);
    if (id == secret.id) out.secret.own_share = share;
    else out.packages.push_back({secret.id, id, share});
  }
  return out;
}

result<dkg_part3_output> dkg_part3(const dkg_round2_secret& secret, std::span<const dkg_round2_package> received) {
  if (received.size() + 1 != secret.commitments.size())
    return fail(trust_errc::invalid_participants, "expected " + std::to_string(secret.commitments.size() - 1) +
                                                      " round-2 packages, got " + std::to_string(received.size()));
  scalar total = secret.own_share;
  std::set<identifier> seen;
  for (const auto& pkg : received) {
    if (pkg.receiver != secret.id)
      return fail(trust_errc::invalid_participants, who(pkg.sender) + " sent a share addressed to " +
                                                        who(pkg.receiver));
    auto c = secret.commitments.find(pkg.sender);
    if (pkg.sender == secret.id || c == secret.commitments.end() || !seen.insert(pkg.sender).second)
      return fail(trust_errc::invalid_participants, who(pkg.sender) + " is unknown or sent twice");
    if (base_mul(pkg.share) != evaluate_commitment(c->second, secret.id))
      return fail(trust_errc::invalid_share, who(pkg.sender) + "'s share does not match its commitment");
    total = add(total, pkg.share);
  }
  // The group's VSS commitment is the sum of everyone's.
  vss_commitment group(secret.min_signers, identity_point);
  std::vector<identifier> ids;
  for (const auto& [id, commitment] : secret.commitments) {
    ids.push_back(id);
    for (std::size_t j = 0; j < group.size() && j < commitment.size(); ++j) group[j] = add(group[j], commitment[j]);
  }
  dkg_part3_output out;
  out.public_package = public_package_for(group, ids);
  if (out.public_package.group_public_key == identity_point)
    return fail(trust_errc::invalid_share, "group public key is the identity");
  out.key = {secret.id, total, base_mul(total), out.public_package.group_public_key, secret.min_signers};
  if (out.key.verifying_share != out.public_package.verifying_shares.at(secret.id))
    return fail(trust_errc::invalid_share, "own verifying share does not match the group commitment");
  sodium_memzero(total.bytes.data(), total.bytes.size());
  return out;
}

}  // namespace converge::trust::frost
