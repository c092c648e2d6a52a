#pragma once
// The libp2p messages carried inside the handshakes, as plain structs:
//   NoiseHandshakePayload {identity_key=1, identity_sig=2, extensions=4}
//   NoiseExtensions {webtransport_certhashes=1, stream_muxers=2}
//   Exchange {id=1, pubkey=2}   (/plaintext/2.0.0)
// Decoding checks the bounds below, so a hostile peer cannot make us hold
// thousands of muxer names; semantic checks (key, signature) are the session's.
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.hpp"

namespace converge::p2p::security {

inline constexpr std::size_t max_stream_muxers = 32;
inline constexpr std::size_t max_muxer_name_len = 256;
inline constexpr std::size_t max_certhashes = 32;
inline constexpr std::size_t max_certhash_len = 128;

struct noise_extensions {
  std::vector<bytes> webtransport_certhashes;
  std::vector<std::string> stream_muxers;
  friend bool operator==(const noise_extensions&, const noise_extensions&) = default;
};

struct handshake_payload {
  bytes identity_key;  // a protobuf PublicKey
  bytes identity_sig;
  std::optional<noise_extensions> extensions;  // absent: the field was not sent
  friend bool operator==(const handshake_payload&, const handshake_payload&) = default;
};

bytes encode_handshake_payload(const handshake_payload& p);
// Fails with security_errc::invalid_payload on malformed protobuf or a crossed bound.
result<handshake_payload> decode_handshake_payload(bytes_view in);

struct plaintext_exchange {
  bytes id;      // peer ID multihash bytes
  bytes pubkey;  // a protobuf PublicKey
  friend bool operator==(const plaintext_exchange&, const plaintext_exchange&) = default;
};

bytes encode_exchange(const plaintext_exchange& e);
result<plaintext_exchange> decode_exchange(bytes_view in);

// Early stream-muxer negotiation (libp2p/specs connections/inlined-muxer-negotiation.md):
// the result is the first entry of the initiator's list that the responder
// also lists. Either list empty: nullopt (the connection falls back to
// multistream-select). Both non-empty and disjoint: the handshake fails
// (security_errc::no_common_muxer), as the spec requires.
// Interop note: @chainsafe/libp2p-noise 17 as initiator picks the first entry
// of the *responder's* list it supports, so with two shared muxers in
// different orders the sides could disagree; offer one muxer (yamux) or the
// same order as js-libp2p to stay clear of it.
result<std::optional<std::string>> negotiate_muxer(const std::vector<std::string>& initiator_muxers,
                                                   const std::vector<std::string>& responder_muxers);

// Checks a local muxer / certhash list against the bounds above (config validation).
result<void> check_extensions(const noise_extensions& ext);

}  // namespace converge::p2p::security
