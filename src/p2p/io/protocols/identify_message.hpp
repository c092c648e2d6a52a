#pragma once
// The Identify protobuf (libp2p/specs identify/README.md), coded by hand:
//   message Identify {
//     optional string protocolVersion = 5;  optional string agentVersion = 6;
//     optional bytes publicKey = 1;         repeated bytes listenAddrs = 2;
//     optional bytes observedAddr = 4;      repeated string protocols = 3;
//     optional bytes signedPeerRecord = 8;
//   }
// On the wire each message is uvarint-length-prefixed; a peer may send more
// than one, and later fields extend or replace earlier ones (merge_identify).
// Decoding is strict about framing and lenient about content the spec lets
// evolve: unknown fields are skipped; addresses that do not parse are dropped.
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.hpp"
#include "crypto/keys.hpp"
#include "multiformats/multiaddr.hpp"

namespace converge::p2p::io {

struct identify_limits {
  std::size_t max_message = 64 * 1024;  // one message, after the length prefix
  std::size_t max_addrs = 128;
  std::size_t max_protocols = 1024;
  std::size_t max_string = 1024;  // a protocol id, agent or protocol version
};

struct identify_info {
  std::string protocol_version;
  std::string agent_version;
  std::optional<crypto::public_key> public_key;
  std::vector<mf::multiaddr> listen_addrs;
  std::optional<mf::multiaddr> observed_addr;
  std::vector<std::string> protocols;
  std::optional<bytes> signed_peer_record;  // a signed envelope, not yet verified
};

// One message body (no length prefix).
bytes encode_identify(const identify_info& info);
// Fails with io_errc::invalid_message on a malformed protobuf, a bound crossed
// or an undecodable public key.
result<identify_info> decode_identify(bytes_view body, const identify_limits& limits = {});
// A stream's whole content: length-prefixed messages, merged in order.
result<identify_info> decode_identify_stream(bytes_view data, const identify_limits& limits = {});
bytes frame_identify(const identify_info& info);

}  // namespace converge::p2p::io
