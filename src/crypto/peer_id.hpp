#pragma once
// Peer IDs (libp2p/specs peer-ids/peer-ids.md): the multihash of a public
// key's protobuf encoding: identity when that encoding is at most 42 bytes
// (Ed25519, Secp256k1: the key can be extracted again), sha2-256 otherwise
// (RSA, ECDSA).
//
// Text forms: the legacy base58btc multihash ("12D3KooW...", "16Uiu2...",
// "Qm...", what to display by default) and a CIDv1 with codec libp2p-key
// (0x72) in any multibase, base32 by default ("bafz..."), base36 for DNS
// labels ("k51..."). parse() accepts both, as the spec requires.
//
// Accepted multihashes: sha2-256 with a 32-byte digest, or identity whose
// digest is a valid public key protobuf of at most 42 bytes. Anything else is
// not a peer ID (the spec admits no other hash).
#include <compare>
#include <functional>
#include <string>
#include <string_view>

#include "base/bytes.hpp"
#include "crypto/keys.hpp"
#include "multiformats/cid.hpp"
#include "multiformats/multibase.hpp"
#include "multiformats/multihash.hpp"

namespace converge::crypto {

// Encodings up to this size are inlined into the peer ID (identity multihash).
inline constexpr std::size_t max_inline_key_length = 42;
// Longest peer ID text we try to decode (the CID form of the longest ID is ~70 characters).
inline constexpr std::size_t max_peer_id_text = 256;

class peer_id {
 public:
  static peer_id from_public_key(const public_key& key);
  static result<peer_id> from_multihash(mf::multihash mh);
  // Binary form: the multihash bytes (as in multiaddr /p2p/ and peer records).
  static result<peer_id> from_bytes(bytes_view in);
  // "12D3KooW..." / "Qm..." / "16Uiu2..." or a libp2p-key CIDv1 in any multibase.
  static result<peer_id> parse(std::string_view text);

  [[nodiscard]] const mf::multihash& multihash() const { return mh_; }
  [[nodiscard]] const bytes& to_bytes() const { return mh_.bytes(); }
  // The legacy form: raw base58btc of the multihash, no multibase prefix.
  [[nodiscard]] std::string to_base58() const;
  [[nodiscard]] std::string to_string() const { return to_base58(); }
  [[nodiscard]] mf::cid to_cid() const;
  [[nodiscard]] std::string to_cid_string(mf::multibase base = mf::multibase::base32) const;

  // Identity peer IDs carry their key; sha2-256 ones fail with no_embedded_key.
  [[nodiscard]] bool has_embedded_key() const;
  [[nodiscard]] result<public_key> extract_public_key() const;
  // True iff `key` derives this peer ID.
  [[nodiscard]] bool matches(const public_key& key) const;

  friend bool operator==(const peer_id& a, const peer_id& b) { return a.mh_ == b.mh_; }
  friend std::strong_ordering operator<=>(const peer_id& a, const peer_id& b) { return a.mh_ <=> b.mh_; }

 private:
  explicit peer_id(mf::multihash mh) : mh_(std::move(mh)) {}
  mf::multihash mh_;
};

}  // namespace converge::crypto

template <>
struct std::hash<converge::crypto::peer_id> {
  std::size_t operator()(const converge::crypto::peer_id& p) const noexcept {
    return std::hash<converge::mf::multihash>{}(p.multihash());
  }
};
