#include "crypto/envelope.hpp"

#include "base/varint.hpp"
#include "crypto/envelope.pb.h"

namespace converge::crypto {

bytes envelope_signing_buffer(std::string_view domain, bytes_view payload_type, bytes_view payload) {
  bytes buf;
  buf.reserve(domain.size() + payload_type.size() + payload.size() + 3 * max_varint_bytes);
  append_uvarint(buf, domain.size());
  append(buf, as_bytes(domain));
  append_uvarint(buf, payload_type.size());
  append(buf, payload_type);
  append_uvarint(buf, payload.size());
  append(buf, payload);
  return buf;
}

result<envelope> envelope::seal(const private_key& key, std::string_view domain, bytes_view payload_type,
                                bytes_view payload) {
  if (domain.empty()) return fail(crypto_errc::invalid_argument, "envelope domain must not be empty");
  if (payload_type.empty()) return fail(crypto_errc::invalid_argument, "envelope payload type must not be empty");
  auto sig = key.sign(envelope_signing_buffer(domain, payload_type, payload));
  if (!sig) return fail(sig.error());
  return envelope(key.public_key(), to_bytes(payload_type), to_bytes(payload), std::move(*sig));
}

result<envelope> envelope::open(bytes_view data, std::string_view domain, bytes_view expected_payload_type,
                                std::size_t max_size) {
  if (domain.empty()) return fail(crypto_errc::invalid_argument, "envelope domain must not be empty");
  if (data.size() > max_size)
    return fail(crypto_errc::malformed_envelope,
                "envelope is " + std::to_string(data.size()) + " bytes, limit " + std::to_string(max_size));
  pb::Envelope m;
  if (!m.ParseFromArray(data.data(), static_cast<int>(data.size())))
    return fail(crypto_errc::malformed_envelope, "not a valid Envelope protobuf");
  if (m.public_key().empty()) return fail(crypto_errc::malformed_envelope, "envelope has no public key");
  if (m.payload_type().empty()) return fail(crypto_errc::malformed_envelope, "envelope has no payload type");
  if (m.signature().empty()) return fail(crypto_errc::malformed_envelope, "envelope has no signature");
  auto key = public_key::from_protobuf(as_bytes(m.public_key()));
  if (!key) return fail(with_context(key.error(), "envelope public key"));
  if (!equal(as_bytes(m.payload_type()), expected_payload_type))
    return fail(crypto_errc::wrong_payload_type,
                "payload type is 0x" + to_hex(as_bytes(m.payload_type())) + ", expected 0x" + to_hex(expected_payload_type));
  auto buf = envelope_signing_buffer(domain, as_bytes(m.payload_type()), as_bytes(m.payload()));
  if (!key->verify(buf, as_bytes(m.signature())))
    return fail(crypto_errc::invalid_signature,
                "envelope signature does not verify for domain '" + std::string(domain) +
                    "' (tampered, or sealed for another domain)");
  return envelope(std::move(*key), to_bytes(m.payload_type()), to_bytes(m.payload()), to_bytes(m.signature()));
}

bytes envelope::to_protobuf() const {
  pb::Envelope m;
  bytes k = key_.to_protobuf();
  m.set_public_key(k.data(), k.size());
  m.set_payload_type(payload_type_.data(), payload_type_.size());
  m.set_payload(payload_.data(), payload_.size());
  m.set_signature(signature_.data(), signature_.size());
  bytes out(m.ByteSizeLong());
  m.SerializeToArray(out.data(), static_cast<int>(out.size()));
  return out;
}

}  // namespace converge::crypto
