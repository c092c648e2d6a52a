#include "crypto/peer_id.hpp"

#include "base/varint.hpp"
#include "multiformats/multicodec.hpp"

namespace converge::crypto {

namespace codec = mf::codec;

peer_id peer_id::from_public_key(const public_key& key) {
  bytes pb = key.to_protobuf();
  if (pb.size() <= max_inline_key_length) return peer_id(mf::multihash::identity(pb).value());
  return peer_id(mf::multihash::sum(codec::sha2_256, pb));
}

result<peer_id> peer_id::from_multihash(mf::multihash mh) {
  if (mh.code() == codec::sha2_256) {
    if (mh.digest().size() != 32)
      return fail(crypto_errc::invalid_peer_id,
                  "sha2-256 peer ID digest must be 32 bytes, got " + std::to_string(mh.digest().size()));
    return peer_id(std::move(mh));
  }
  if (mh.code() == codec::identity) {
    if (mh.digest().size() > max_inline_key_length)
      return fail(crypto_errc::invalid_peer_id, "identity peer ID longer than 42 bytes (such keys must be hashed)");
    auto key = public_key::from_protobuf(mh.digest());
    if (!key) return fail(with_context(key.error(), "identity peer ID does not embed a valid public key"));
    return peer_id(std::move(mh));
  }
  return fail(crypto_errc::invalid_peer_id,
              "peer ID multihash must be identity or sha2-256, got code 0x" + to_hex(encode_uvarint(mh.code())));
}

result<peer_id> peer_id::from_bytes(bytes_view in) {
  auto mh = mf::multihash::parse(in);
  if (!mh) return fail(with_context(mh.error(), "peer ID is not a multihash"));
  return from_multihash(std::move(*mh));
}

result<peer_id> peer_id::parse(std::string_view text) {
  if (text.empty()) return fail(crypto_errc::invalid_peer_id, "empty peer ID");
  if (text.size() > max_peer_id_text)
    return fail(crypto_errc::invalid_peer_id,
                "peer ID text is " + std::to_string(text.size()) + " characters, limit " + std::to_string(max_peer_id_text));
  // Spec decoding rule: "1..." or "Qm..." is a bare base58btc multihash;
  // anything else must be a multibase CID with the libp2p-key codec.
  if (text.front() == '1' || text.starts_with("Qm")) {
    auto raw = mf::base_decode(mf::multibase::base58btc, text);
    if (!raw) return fail(with_context(raw.error(), "peer ID '" + std::string(text) + "' is not base58btc"));
    return from_bytes(*raw);
  }
  auto c = mf::cid::parse(text);
  if (!c) return fail(with_context(c.error(), "peer ID '" + std::string(text) + "' is neither base58btc nor a CID"));
  if (c->version() != 1 || c->codec() != mf::codec::libp2p_key)
    return fail(crypto_errc::invalid_peer_id,
                "CID '" + std::string(text) + "' is not a peer ID: codec must be libp2p-key (0x72)");
  return from_multihash(c->hash());
}

std::string peer_id::to_base58() const { return mf::base_encode(mf::multibase::base58btc, mh_.bytes()); }

mf::cid peer_id::to_cid() const { return mf::cid::v1(mf::codec::libp2p_key, mh_); }

std::string peer_id::to_cid_string(mf::multibase base) const { return to_cid().to_string(base); }

bool peer_id::has_embedded_key() const { return mh_.code() == codec::identity; }

result<public_key> peer_id::extract_public_key() const {
  if (!has_embedded_key())
    return fail(crypto_errc::no_embedded_key, "peer ID " + to_base58() + " is a sha2-256 hash of its key");
  return public_key::from_protobuf(mh_.digest());
}

bool peer_id::matches(const public_key& key) const { return from_public_key(key) == *this; }

}  // namespace converge::crypto
