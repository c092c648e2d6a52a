#include "trust/frost.hpp"

#include <sodium.h>

#include <set>
#include <string>

namespace converge::trust::frost {
namespace {

std::string who(identifier id) { return "participant " + std::to_string(id); }

bytes encode_commitment_list(std::span<const signing_commitment> list) {
  bytes out;
  out.reserve(list.size() * 96);
  for (const auto& c : list) {
    append(out, scalar_from_id(c.id).bytes);
    append(out, c.hiding.bytes);
    append(out, c.binding.bytes);
  }
  return out;
}

std::vector<identifier> participants_of(std::span<const signing_commitment> list) {
  std::vector<identifier> ids;
  ids.reserve(list.size());
  for (const auto& c : list) ids.push_back(c.id);
  return ids;
}

}  // namespace

scalar nonce_generate(std::span<const std::uint8_t, 32> random_bytes, const scalar& secret) {
  std::array<std::uint8_t, 64> in;
  std::copy(random_bytes.begin(), random_bytes.end(), in.begin());
  std::copy(secret.bytes.begin(), secret.bytes.end(), in.begin() + 32);
  scalar n = h3(in);
  sodium_memzero(in.data(), in.size());
  return n;
}

round_one commit_with_randomness(identifier id, const scalar& secret_share,
                                 std::span<const std::uint8_t, 32> hiding_randomness,
                                 std::span<const std::uint8_t, 32> binding_randomness) {
  round_one out;
  out.nonces.hiding = nonce_generate(hiding_randomness, secret_share);
  out.nonces.binding = nonce_generate(binding_randomness, secret_share);
  out.commitment = {id, base_mul(out.nonces.hiding), base_mul(out.nonces.binding)};
  return out;
}

round_one commit(identifier id, const scalar& secret_share, rng& r) {
  std::array<std::uint8_t, 32> hr, br;
  r.fill(hr);
  r.fill(br);
  auto out = commit_with_randomness(id, secret_share, hr, br);
  sodium_memzero(hr.data(), hr.size());
  sodium_memzero(br.data(), br.size());
  return out;
}

result<void> validate_commitment_list(std::span<const signing_commitment> list, std::uint16_t min_signers) {
  if (min_signers < 2) return fail(trust_errc::invalid_participants, "min_signers must be at least 2");
  if (list.size() < min_signers)
    return fail(trust_errc::invalid_participants, std::to_string(list.size()) + " commitments, need at least " +
                                                      std::to_string(min_signers));
  if (list.size() > max_participants)
    return fail(trust_errc::too_large, std::to_string(list.size()) + " commitments, limit " +
                                           std::to_string(max_participants));
  identifier prev = 0;
  for (const auto& c : list) {
    if (c.id == 0) return fail(trust_errc::invalid_participants, "identifier 0 is not allowed");
    if (c.id <= prev)
      return fail(trust_errc::invalid_participants, "commitment list must be sorted by identifier without repeats (" +
                                                        who(c.id) + " after " + who(prev) + ")");
    if (c.hiding == identity_point || c.binding == identity_point)
      return fail(trust_errc::invalid_encoding, who(c.id) + ": commitment is the identity");
    prev = c.id;
  }
  return ok();
}

bytes binding_factor_input(const point& group_public_key, std::span<const signing_commitment> list, bytes_view msg,
                           identifier id) {
  auto msg_hash = h4(msg);
  auto commitment_hash = h5(encode_commitment_list(list));
  return concat(group_public_key.bytes, msg_hash, commitment_hash, scalar_from_id(id).bytes);
}

std::map<identifier, scalar> compute_binding_factors(const point& group_public_key,
                                                     std::span<const signing_commitment> list, bytes_view msg) {
  auto msg_hash = h4(msg);
  auto commitment_hash = h5(encode_commitment_list(list));
  bytes prefix = concat(group_public_key.bytes, msg_hash, commitment_hash);
  std::map<identifier, scalar> out;
  for (const auto& c : list) out[c.id] = h1(concat(prefix, scalar_from_id(c.id).bytes));
  return out;
}

result<scalar> lagrange_coefficient(identifier id, std::span<const identifier> participants) {
  if (id == 0) return fail(trust_errc::invalid_participants, "identifier 0 is not allowed");
  std::set<identifier> seen;
  bool found = false;
  scalar num = scalar_from_u64(1), den = scalar_from_u64(1);
  scalar xi = scalar_from_id(id);
  for (identifier j : participants) {
    if (j == 0 || !seen.insert(j).second)
      return fail(trust_errc::invalid_participants, "participant list has identifier 0 or a repeat (" + who(j) + ")");
    if (j == id) {
      found = true;
      continue;
    }
    scalar xj = scalar_from_id(j);
    num = mul(num, xj);
    den = mul(den, sub(xj, xi));
  }
  if (!found) return fail(trust_errc::invalid_participants, who(id) + " is not in the participant list");
  auto inv = invert(den);
  if (!inv) return fail(inv.error());
  return mul(num, *inv);
}

point compute_group_commitment(std::span<const signing_commitment> list, const std::map<identifier, scalar>& factors) {
  point acc = identity_point;
  for (const auto& c : list) {
    auto it = factors.find(c.id);
    scalar rho = it == factors.end() ? scalar{} : it->second;
    acc = add(acc, add(c.hiding, mul(c.binding, rho)));
  }
  return acc;
}

scalar compute_challenge(const point& group_commitment, const point& group_public_key, bytes_view msg) {
  return h2(concat(group_commitment.bytes, group_public_key.bytes, msg));
}

result<signature_share> sign(const key_package& key, signing_nonces& nonces, bytes_view msg,
                             std::span<const signing_commitment> list) {
  struct wipe {
    signing_nonces& n;
    ~wipe() {
      sodium_memzero(n.hiding.bytes.data(), 32);
      sodium_memzero(n.binding.bytes.data(), 32);
    }
  } wiper{nonces};
  if (is_zero(nonces.hiding) || is_zero(nonces.binding))
    return fail(trust_errc::invalid_participants, "signing nonces are zero: already used or never generated");
  if (auto v = validate_commitment_list(list, key.min_signers); !v) return fail(v.error());
  const signing_commitment* mine = nullptr;
  for (const auto& c : list)
    if (c.id == key.id) mine = &c;
  if (mine == nullptr) return fail(trust_errc::invalid_participants, who(key.id) + " is not in the commitment list");
  if (mine->hiding != base_mul(nonces.hiding) || mine->binding != base_mul(nonces.binding))
    return fail(trust_errc::invalid_participants, "the list carries a different commitment for " + who(key.id));

  auto factors = compute_binding_factors(key.group_public_key, list, msg);
  point group_commitment = compute_group_commitment(list, factors);
  auto ids = participants_of(list);
  auto lambda = lagrange_coefficient(key.id, ids);
  if (!lambda) return fail(lambda.error());
  scalar challenge = compute_challenge(group_commitment, key.group_public_key, msg);
  scalar z = add(add(nonces.hiding, mul(nonces.binding, factors.at(key.id))),
                 mul(mul(*lambda, key.secret_share), challenge));
  return signature_share{key.id, z};
}

result<void> verify_signature_share(const signature_share& share, const point& verifying_share,
                                    std::span<const signing_commitment> list, const point& group_public_key,
                                    bytes_view msg) {
  const signing_commitment* comm = nullptr;
  for (const auto& c : list)
    if (c.id == share.id) comm = &c;
  if (comm == nullptr) return fail(trust_errc::invalid_participants, who(share.id) + " has no commitment in the list");
  auto factors = compute_binding_factors(group_public_key, list, msg);
  point group_commitment = compute_group_commitment(list, factors);
  point comm_share = add(comm->hiding, mul(comm->binding, factors.at(share.id)));
  scalar challenge = compute_challenge(group_commitment, group_public_key, msg);
  auto ids = participants_of(list);
  auto lambda = lagrange_coefficient(share.id, ids);
  if (!lambda) return fail(lambda.error());
  point l = base_mul(share.share);
  point r = add(comm_share, mul(verifying_share, mul(challenge, *lambda)));
  if (l != r) return fail(trust_errc::invalid_share, who(share.id) + "'s signature share does not verify");
  return ok();
}

result<signature> aggregate(const public_key_package& pub, bytes_view msg, std::span<const signing_commitment> list,
                            std::span<const signature_share> shares) {
  if (auto v = validate_commitment_list(list, pub.min_signers); !v) return fail(v.error());
  if (shares.size() != list.size())
    return fail(trust_errc::invalid_participants, std::to_string(shares.size()) + " shares for " +
                                                      std::to_string(list.size()) + " commitments");
  std::set<identifier> committed;
  for (const auto& c : list) {
    if (!pub.verifying_shares.contains(c.id))
      return fail(trust_errc::invalid_participants, who(c.id) + " is not a member of this group");
    committed.insert(c.id);
  }
  std::set<identifier> shared;
  for (const auto& s : shares)
    if (!committed.contains(s.id) || !shared.insert(s.id).second)
      return fail(trust_errc::invalid_participants, who(s.id) + " sent a share without a commitment, or twice");

  auto factors = compute_binding_factors(pub.group_public_key, list, msg);
  point group_commitment = compute_group_commitment(list, factors);
  scalar z{};
  for (const auto& s : shares) z = add(z, s.share);
  signature sig;
  std::copy(group_commitment.bytes.begin(), group_commitment.bytes.end(), sig.begin());
  std::copy(z.bytes.begin(), z.bytes.end(), sig.begin() + 32);
  if (verify_ed25519(pub.group_public_key, msg, sig)) return sig;

  std::string cheaters;
  for (identifier id : invalid_shares(pub, msg, list, shares)) {
    if (!cheaters.empty()) cheaters += ", ";
    cheaters += std::to_string(id);
  }
  if (cheaters.empty())
    return fail(trust_errc::invalid_signature, "aggregate signature does not verify, yet every share does");
  return fail(trust_errc::invalid_share, "invalid signature share from participant(s) " + cheaters);
}

std::vector<identifier> invalid_shares(const public_key_package& pub, bytes_view msg,
                                       std::span<const signing_commitment> list,
                                       std::span<const signature_share> shares) {
  std::vector<identifier> bad;
  for (const auto& s : shares) {
    auto vs = pub.verifying_shares.find(s.id);
    if (vs == pub.verifying_shares.end() ||
        !verify_signature_share(s, vs->second, list, pub.group_public_key, msg))
      bad.push_back(s.id);
  }
  return bad;
}

bool verify_ed25519(const point& public_key, bytes_view msg, const signature& sig) {
  return crypto_sign_verify_detached(sig.data(), msg.data(), msg.size(), public_key.bytes.data()) == 0;
}

}  // namespace converge::trust::frost
