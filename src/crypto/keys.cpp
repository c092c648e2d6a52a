#include "crypto/keys.hpp"

#include <sodium.h>

#include "crypto/key_impl.hpp"
#include "crypto/keys.pb.h"

namespace converge::crypto {

std::string_view key_type_name(key_type t) {
  switch (t) {
    case key_type::rsa: return "rsa";
    case key_type::ed25519: return "ed25519";
    case key_type::secp256k1: return "secp256k1";
    case key_type::ecdsa: return "ecdsa";
  }
  return "unknown";
}

std::optional<key_type> key_type_from_name(std::string_view name) {
  for (auto t : {key_type::rsa, key_type::ed25519, key_type::secp256k1, key_type::ecdsa})
    if (key_type_name(t) == name) return t;
  return std::nullopt;
}

std::optional<key_type> key_type_from_number(long long n) {
  if (n < 0 || n > 3) return std::nullopt;
  return static_cast<key_type>(n);
}

namespace {

using detail::private_ptr;
using detail::public_ptr;

result<public_ptr> public_impl_from_raw(key_type type, bytes_view data) {
  switch (type) {
    case key_type::ed25519: return detail::ed25519_public_from_raw(data);
    case key_type::secp256k1: return detail::secp256k1_public_from_raw(data);
    case key_type::ecdsa: return detail::ecdsa_public_from_raw(data);
    case key_type::rsa: return detail::rsa_public_from_raw(data);
  }
  return fail(crypto_errc::unknown_key_type, "key type " + std::to_string(static_cast<int>(type)));
}

result<private_ptr> private_impl_from_raw(key_type type, bytes_view data) {
  switch (type) {
    case key_type::ed25519: return detail::ed25519_private_from_raw(data);
    case key_type::secp256k1: return detail::secp256k1_private_from_raw(data);
    case key_type::ecdsa: return detail::ecdsa_private_from_raw(data);
    case key_type::rsa: return detail::rsa_private_from_raw(data);
  }
  return fail(crypto_errc::unknown_key_type, "key type " + std::to_string(static_cast<int>(type)));
}

template <class Message>
bytes serialize(key_type type, bytes_view data) {
  Message m;
  m.set_type(static_cast<pb::KeyType>(type));
  m.set_data(data.data(), data.size());
  bytes out(m.ByteSizeLong());
  m.SerializeToArray(out.data(), static_cast<int>(out.size()));
  return out;
}

struct decoded_key {
  key_type type;
  std::string data;
};

// Parses a PublicKey or PrivateKey message and insists on the canonical
// encoding; distinguishes "unknown key type" from other malformations.
template <class Message>
result<decoded_key> parse_key_message(bytes_view encoded, std::size_t limit, std::string_view what) {
  if (encoded.size() > limit)
    return fail(crypto_errc::key_too_large,
                std::string(what) + " protobuf is " + std::to_string(encoded.size()) + " bytes, limit " +
                    std::to_string(limit));
  Message m;
  if (!m.ParsePartialFromArray(encoded.data(), static_cast<int>(encoded.size())))
    return fail(crypto_errc::malformed_protobuf, std::string(what) + ": not a valid protobuf message");
  if (!m.has_type()) {
    // proto2 keeps an out-of-range enum value as an unknown field.
    if (!m.unknown_fields().empty() && static_cast<std::uint8_t>(m.unknown_fields()[0]) == 0x08)
      return fail(crypto_errc::unknown_key_type, std::string(what) + ": KeyType is not RSA, Ed25519, Secp256k1 or ECDSA");
    return fail(crypto_errc::malformed_protobuf, std::string(what) + ": required field Type missing");
  }
  if (!m.has_data()) return fail(crypto_errc::malformed_protobuf, std::string(what) + ": required field Data missing");
  if (!m.unknown_fields().empty())
    return fail(crypto_errc::malformed_protobuf, std::string(what) + ": unknown fields are not allowed");
  if (m.ByteSizeLong() != encoded.size() ||
      !equal(serialize<Message>(static_cast<key_type>(m.type()), as_bytes(m.data())), encoded))
    return fail(crypto_errc::malformed_protobuf,
                std::string(what) + ": not the canonical encoding (field order, repeated fields or varint form)");
  return decoded_key{static_cast<key_type>(m.type()), std::move(*m.mutable_data())};
}

}  // namespace

// ---- public_key

result<public_key> public_key::from_raw(key_type type, bytes_view data) {
  auto impl = public_impl_from_raw(type, data);
  if (!impl) return fail(impl.error());
  return public_key(std::move(*impl));
}

result<public_key> public_key::from_protobuf(bytes_view encoded) {
  auto d = parse_key_message<pb::PublicKey>(encoded, max_public_key_protobuf, "PublicKey");
  if (!d) return fail(d.error());
  return from_raw(d->type, as_bytes(d->data));
}

key_type public_key::type() const { return impl_->type(); }
const bytes& public_key::raw() const { return impl_->raw(); }
bytes public_key::to_protobuf() const { return serialize<pb::PublicKey>(type(), raw()); }
bool public_key::verify(bytes_view msg, bytes_view sig) const { return impl_->verify(msg, sig); }

bool operator==(const public_key& a, const public_key& b) {
  return a.type() == b.type() && equal(a.raw(), b.raw());
}

// ---- private_key

private_key::private_key(std::shared_ptr<const detail::private_key_impl> impl)
    : impl_(std::move(impl)), public_(impl_->public_key()) {}

result<private_key> private_key::generate(key_type type, rng& r, unsigned rsa_bits) {
  switch (type) {
    case key_type::ed25519: return private_key(detail::ed25519_generate(r));
    case key_type::secp256k1: return private_key(detail::secp256k1_generate(r));
    case key_type::ecdsa: {
      auto k = detail::ecdsa_generate();
      if (!k) return fail(k.error());
      return private_key(std::move(*k));
    }
    case key_type::rsa: {
      auto k = detail::rsa_generate(rsa_bits);
      if (!k) return fail(k.error());
      return private_key(std::move(*k));
    }
  }
  return fail(crypto_errc::unknown_key_type, "key type " + std::to_string(static_cast<int>(type)));
}

result<private_key> private_key::from_raw(key_type type, bytes_view data) {
  auto impl = private_impl_from_raw(type, data);
  if (!impl) return fail(impl.error());
  return private_key(std::move(*impl));
}

result<private_key> private_key::from_protobuf(bytes_view encoded) {
  auto d = parse_key_message<pb::PrivateKey>(encoded, max_private_key_protobuf, "PrivateKey");
  if (!d) return fail(d.error());
  auto k = from_raw(d->type, as_bytes(d->data));
  sodium_memzero(d->data.data(), d->data.size());
  return k;
}

key_type private_key::type() const { return impl_->type(); }
bytes private_key::raw() const { return impl_->raw(); }

bytes private_key::to_protobuf() const {
  bytes data = raw();
  bytes out = serialize<pb::PrivateKey>(type(), data);
  sodium_memzero(data.data(), data.size());
  return out;
}

result<bytes> private_key::sign(bytes_view msg) const { return impl_->sign(msg); }

bool operator==(const private_key& a, const private_key& b) {
  if (a.type() != b.type()) return false;
  bytes x = a.raw(), y = b.raw();
  bool same = x.size() == y.size() && sodium_memcmp(x.data(), y.data(), x.size()) == 0;
  sodium_memzero(x.data(), x.size());
  sodium_memzero(y.data(), y.size());
  return same;
}

}  // namespace converge::crypto
