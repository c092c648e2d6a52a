#pragma once
// The subset of the multicodec table (github.com/multiformats/multicodec,
// table.csv) that converge speaks, plus name <-> code lookup. Codes not in
// this subset are still carried opaquely by multihash and CID; they merely
// have no name here.
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "base/error.hpp"

namespace converge::mf {

namespace codec {
// multihash
inline constexpr std::uint64_t identity = 0x00;
inline constexpr std::uint64_t sha2_256 = 0x12;
inline constexpr std::uint64_t sha2_512 = 0x13;
inline constexpr std::uint64_t sha3_512 = 0x14;
inline constexpr std::uint64_t sha3_256 = 0x16;
inline constexpr std::uint64_t sha2_384 = 0x20;
inline constexpr std::uint64_t blake3 = 0x1e;
inline constexpr std::uint64_t blake2b_256 = 0xb220;
inline constexpr std::uint64_t blake2b_512 = 0xb240;
// cid
inline constexpr std::uint64_t cidv1 = 0x01;
inline constexpr std::uint64_t cidv2 = 0x02;
// ipld / content
inline constexpr std::uint64_t cbor = 0x51;
inline constexpr std::uint64_t raw = 0x55;
inline constexpr std::uint64_t dag_pb = 0x70;
inline constexpr std::uint64_t dag_cbor = 0x71;
inline constexpr std::uint64_t libp2p_key = 0x72;
inline constexpr std::uint64_t git_raw = 0x78;
inline constexpr std::uint64_t dag_jose = 0x85;
inline constexpr std::uint64_t dag_json = 0x0129;
inline constexpr std::uint64_t json = 0x0200;
inline constexpr std::uint64_t car = 0x0202;
// libp2p / ipns records
inline constexpr std::uint64_t ipns_record = 0x0300;
inline constexpr std::uint64_t libp2p_peer_record = 0x0301;
inline constexpr std::uint64_t libp2p_relay_rsvp = 0x0302;
// keys
inline constexpr std::uint64_t secp256k1_pub = 0xe7;
inline constexpr std::uint64_t x25519_pub = 0xec;
inline constexpr std::uint64_t ed25519_pub = 0xed;
inline constexpr std::uint64_t p256_pub = 0x1200;
inline constexpr std::uint64_t rsa_pub = 0x1205;
// namespaces
inline constexpr std::uint64_t ipfs_ns = 0xe3;
inline constexpr std::uint64_t ipns_ns = 0xe5;
inline constexpr std::uint64_t dnslink = 0xe8;
// multiaddr protocols (multiaddr protocols.csv)
inline constexpr std::uint64_t ip4 = 4;
inline constexpr std::uint64_t tcp = 6;
inline constexpr std::uint64_t dccp = 33;
inline constexpr std::uint64_t ip6 = 41;
inline constexpr std::uint64_t ip6zone = 42;
inline constexpr std::uint64_t ipcidr = 43;
inline constexpr std::uint64_t dns = 53;
inline constexpr std::uint64_t dns4 = 54;
inline constexpr std::uint64_t dns6 = 55;
inline constexpr std::uint64_t dnsaddr = 56;
inline constexpr std::uint64_t sctp = 132;
inline constexpr std::uint64_t udp = 273;
inline constexpr std::uint64_t p2p_webrtc_star = 275;
inline constexpr std::uint64_t p2p_webrtc_direct = 276;
inline constexpr std::uint64_t p2p_stardust = 277;
inline constexpr std::uint64_t webrtc_direct = 280;
inline constexpr std::uint64_t webrtc = 281;
inline constexpr std::uint64_t p2p_circuit = 290;
inline constexpr std::uint64_t udt = 301;
inline constexpr std::uint64_t utp = 302;
inline constexpr std::uint64_t unix_path = 400;  // "unix"; `unix` is a macro on some compilers
inline constexpr std::uint64_t p2p = 421;
inline constexpr std::uint64_t https = 443;
inline constexpr std::uint64_t onion = 444;
inline constexpr std::uint64_t onion3 = 445;
inline constexpr std::uint64_t garlic64 = 446;
inline constexpr std::uint64_t garlic32 = 447;
inline constexpr std::uint64_t tls = 448;
inline constexpr std::uint64_t sni = 449;
inline constexpr std::uint64_t noise = 454;
inline constexpr std::uint64_t quic = 460;
inline constexpr std::uint64_t quic_v1 = 461;
inline constexpr std::uint64_t webtransport = 465;
inline constexpr std::uint64_t certhash = 466;
inline constexpr std::uint64_t ws = 477;
inline constexpr std::uint64_t wss = 478;
inline constexpr std::uint64_t p2p_websocket_star = 479;
inline constexpr std::uint64_t http = 480;
inline constexpr std::uint64_t http_path = 481;
inline constexpr std::uint64_t memory = 777;
}  // namespace codec

struct codec_entry {
  std::string_view name;
  std::uint64_t code;
  std::string_view tag;  // "multihash", "ipld", "multiaddr", ...
};

// Every entry we know, ordered by code.
std::span<const codec_entry> codec_table();
// The table name of a code ("dag-pb"), or nullopt if not in our subset.
std::optional<std::string_view> codec_name(std::uint64_t code);
// The code for a table name; mf_errc::unknown_code if absent.
result<std::uint64_t> codec_from_name(std::string_view name);

}  // namespace converge::mf
