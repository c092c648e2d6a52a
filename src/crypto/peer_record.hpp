#pragma once
// Signed peer records (libp2p/specs RFC 0003-routing-records.md, as
// go-libp2p and js-libp2p deploy it): a PeerRecord protobuf sealed in a
// signed envelope with domain "libp2p-peer-record" and payload type the
// multicodec libp2p-peer-record (0x0301) as uvarint bytes 0x03 0x01.
//
// Opening checks, in order: the envelope (payload type, signature), then the
// record (well-formed, within bounds), then that the record's peer ID is the
// one the envelope's key derives (peer_id_mismatch otherwise).
// Addresses are kept as raw binary multiaddrs, bounded in count and size;
// interpreting them is the caller's business.
#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "crypto/envelope.hpp"
#include "crypto/peer_id.hpp"
#include "multiformats/multiaddr.hpp"

namespace converge::crypto {

inline constexpr std::string_view peer_record_domain = "libp2p-peer-record";
inline constexpr std::array<std::uint8_t, 2> peer_record_payload_type = {0x03, 0x01};
inline constexpr std::size_t max_peer_record_addresses = 128;
inline constexpr std::size_t max_multiaddr_bytes = 1024;

struct peer_record {
  peer_id id;
  std::uint64_t seq = 0;
  std::vector<bytes> addresses;  // binary multiaddrs

  [[nodiscard]] bytes to_protobuf() const;
  static result<peer_record> from_protobuf(bytes_view data);
  // The addresses that decode as multiaddrs. As in go-libp2p, an address that
  // does not decode (say, a protocol this build does not know) is skipped
  // rather than voiding the record; the raw bytes stay in `addresses`.
  [[nodiscard]] std::vector<mf::multiaddr> multiaddrs() const;
};

struct signed_peer_record {
  envelope env;
  peer_record record;
};

// Seals `record` with `key`; the record's peer ID must be the key's.
result<envelope> seal_peer_record(const private_key& key, const peer_record& record);
// Opens an envelope holding a peer record and checks it belongs to its signer.
result<signed_peer_record> open_peer_record(bytes_view envelope_bytes);

}  // namespace converge::crypto
