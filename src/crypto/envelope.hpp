#pragma once
// Signed envelopes (libp2p/specs RFC 0002-signed-envelopes.md).
//
// The signature covers, concatenated: uvarint(len(domain)) || domain ||
// uvarint(len(payload_type)) || payload_type || uvarint(len(payload)) ||
// payload, signed with the key's own scheme (peer-ids spec). The domain
// string is never transmitted: the receiver states which domain it expects,
// so an envelope signed for another purpose cannot be replayed as this one.
//
// Because the domain is not in the envelope, "signed for another domain" and
// "tampered" are indistinguishable to a verifier: both fail with
// crypto_errc::invalid_signature. A payload type other than the expected
// one fails first, with crypto_errc::wrong_payload_type.
#include <cstddef>
#include <string_view>

#include "base/bytes.hpp"
#include "crypto/keys.hpp"
#include "crypto/peer_id.hpp"

namespace converge::crypto {

inline constexpr std::size_t max_envelope_size = 64 * 1024;

// The exact buffer that is signed.
bytes envelope_signing_buffer(std::string_view domain, bytes_view payload_type, bytes_view payload);

class envelope {
 public:
  // Domain and payload type must be non-empty.
  static result<envelope> seal(const private_key& key, std::string_view domain, bytes_view payload_type,
                               bytes_view payload);
  // Decodes and verifies: the payload type must equal `expected_payload_type`
  // and the signature must verify for `domain` under the enclosed key.
  static result<envelope> open(bytes_view data, std::string_view domain, bytes_view expected_payload_type,
                               std::size_t max_size = max_envelope_size);

  [[nodiscard]] const public_key& key() const { return key_; }
  [[nodiscard]] peer_id signer() const { return peer_id::from_public_key(key_); }
  [[nodiscard]] const bytes& payload_type() const { return payload_type_; }
  [[nodiscard]] const bytes& payload() const { return payload_; }
  [[nodiscard]] const bytes& signature() const { return signature_; }
  [[nodiscard]] bytes to_protobuf() const;

 private:
  envelope(public_key k, bytes type, bytes payload, bytes sig)
      : key_(std::move(k)), payload_type_(std::move(type)), payload_(std::move(payload)), signature_(std::move(sig)) {}
  public_key key_;
  bytes payload_type_;
  bytes payload_;
  bytes signature_;
};

}  // namespace converge::crypto
