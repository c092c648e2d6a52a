#pragma once
// JSON wire format for the messages people exchange to run FROST key
// generation and signing (a CLI moves these between machines as files).
//
// Every message is one JSON object with "type" and the ciphersuite
// "FROST-ED25519-SHA512-v1", scalars and points as lower-case hex of their
// 32-byte RFC 9591 encodings, identifiers as integers 1..65535:
//
//   frost-secret-share        {identifier, value, commitment: [point...]}       dealer -> one participant (SECRET)
//   frost-key-package         {identifier, min_signers, secret_share, verifying_share, group_public_key}  (SECRET)
//   frost-public-key-package  {group_public_key, min_signers, verifying_shares: {"<id>": point}}
//   frost-signing-nonces      {identifier, hiding, binding}                      kept by the signer between rounds (SECRET)
//   frost-commitment          {identifier, hiding, binding}                      signer -> coordinator
//   frost-signing-package     {message: hex, commitments: [frost-commitment...]} coordinator -> signers
//   frost-signature-share     {identifier, share}                                signer -> coordinator
//   frost-dkg-round1          {identifier, commitment: [point...], proof: {r, mu}}   broadcast
//   frost-dkg-round2          {sender, receiver, share}                          one participant -> another (SECRET)
//
// Decoding is strict: unknown fields, wrong types, non-canonical scalars,
// points that are off the curve, of small order or the identity, repeated or
// out-of-range identifiers and oversize lists are all errors naming the field.
// encode_* writes canonical JSON.
#include <string>
#include <string_view>
#include <variant>

#include "trust/frost_keygen.hpp"

namespace converge::trust::frost {

inline constexpr std::size_t max_message_text = 256 * 1024;  // bytes of JSON per message
inline constexpr std::size_t max_signing_message = 64 * 1024;  // bytes of the message being signed

struct signing_package {
  bytes message;
  std::vector<signing_commitment> commitments;
};

std::string encode_secret_share(const secret_share& s);
std::string encode_key_package(const key_package& k);
std::string encode_public_key_package(const public_key_package& p);
std::string encode_signing_nonces(identifier id, const signing_nonces& n);
std::string encode_commitment(const signing_commitment& c);
std::string encode_signing_package(const signing_package& p);
std::string encode_signature_share(const signature_share& s);
std::string encode_dkg_round1(const dkg_round1_package& p);
std::string encode_dkg_round2(const dkg_round2_package& p);

struct identified_nonces {
  identifier id = 0;
  signing_nonces nonces;
};

using frost_message = std::variant<secret_share, key_package, public_key_package, identified_nonces,
                                   signing_commitment, signing_package, signature_share, dkg_round1_package,
                                   dkg_round2_package>;

// Decodes any of the messages above, dispatching on "type".
result<frost_message> decode_frost_message(std::string_view text);

// Decodes and checks the type in one step.
template <class T>
result<T> decode_as(std::string_view text) {
  auto m = decode_frost_message(text);
  if (!m) return fail(m.error());
  if (auto* v = std::get_if<T>(&*m)) return std::move(*v);
  return fail(trust_errc::invalid_metadata, "message has a different type than expected");
}

}  // namespace converge::trust::frost
