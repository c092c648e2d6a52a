#include "pubsub/message.hpp"

#include <sodium.h>

#include "pubsub/errors.hpp"

namespace converge::pubsub {

message_id default_message_id(const pb::Message& m) { return m.from() + m.seqno(); }

message_id content_message_id(const pb::Message& m) {
  std::string out(crypto_hash_sha256_BYTES, '\0');
  crypto_hash_sha256(reinterpret_cast<unsigned char*>(out.data()),
                     reinterpret_cast<const unsigned char*>(m.data().data()), m.data().size());
  return out;
}

namespace {
bytes signing_input(const pb::Message& m) {
  pb::Message copy = m;
  copy.clear_signature();
  copy.clear_key();
  bytes out = to_bytes(signing_prefix);
  std::size_t base = out.size();
  out.resize(base + copy.ByteSizeLong());
  copy.SerializeWithCachedSizesToArray(out.data() + base);
  return out;
}
}  // namespace

result<void> sign_message(pb::Message& m, const crypto::private_key& key) {
  auto sig = key.sign(signing_input(m));
  if (!sig) return fail(pubsub_errc::signing_failed, "signing pubsub message: " + sig.error().message());
  m.set_signature(sig->data(), sig->size());
  auto id = crypto::peer_id::from_public_key(key.public_key());
  if (!id.has_embedded_key()) {
    auto pk = key.public_key().to_protobuf();
    m.set_key(pk.data(), pk.size());
  } else {
    m.clear_key();
  }
  return ok();
}

verify_outcome verify_message(const pb::Message& m, signature_policy policy) {
  if (policy == signature_policy::strict_no_sign) {
    if (m.has_from() || m.has_seqno() || m.has_signature() || m.has_key()) return verify_outcome::unexpected_fields;
    return verify_outcome::ok;
  }
  if (!m.has_from() || !m.has_signature() || !m.has_seqno() || m.seqno().size() != 8)
    return verify_outcome::missing_fields;
  auto from = crypto::peer_id::from_bytes(as_bytes(m.from()));
  if (!from) return verify_outcome::invalid_from;
  std::optional<crypto::public_key> key;
  if (m.has_key()) {
    auto k = crypto::public_key::from_protobuf(as_bytes(m.key()));
    if (!k) return verify_outcome::invalid_key;
    if (!from->matches(*k)) return verify_outcome::key_mismatch;
    key = std::move(*k);
  } else {
    auto k = from->extract_public_key();
    if (!k) return verify_outcome::invalid_key;
    key = std::move(*k);
  }
  if (!key->verify(signing_input(m), as_bytes(m.signature()))) return verify_outcome::bad_signature;
  return verify_outcome::ok;
}

std::string_view to_string(verify_outcome o) {
  switch (o) {
    case verify_outcome::ok: return "ok";
    case verify_outcome::missing_fields: return "missing from, seqno or signature";
    case verify_outcome::invalid_from: return "from is not a peer ID";
    case verify_outcome::invalid_key: return "no usable public key";
    case verify_outcome::key_mismatch: return "key does not match from";
    case verify_outcome::bad_signature: return "signature does not verify";
    case verify_outcome::unexpected_fields: return "StrictNoSign message carries from/seqno/signature/key";
  }
  return "?";
}

}  // namespace converge::pubsub
