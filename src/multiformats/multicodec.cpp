#include "multiformats/multicodec.hpp"

#include <array>
#include <string>

#include "multiformats/errors.hpp"

namespace converge::mf {
namespace {
// Names and tags exactly as in multicodec's table.csv.
constexpr std::array table{
    codec_entry{"identity", codec::identity, "multihash"},
    codec_entry{"cidv1", codec::cidv1, "cid"},
    codec_entry{"cidv2", codec::cidv2, "cid"},
    codec_entry{"ip4", codec::ip4, "multiaddr"},
    codec_entry{"tcp", codec::tcp, "multiaddr"},
    codec_entry{"sha2-256", codec::sha2_256, "multihash"},
    codec_entry{"sha2-512", codec::sha2_512, "multihash"},
    codec_entry{"sha3-512", codec::sha3_512, "multihash"},
    codec_entry{"sha3-256", codec::sha3_256, "multihash"},
    codec_entry{"blake3", codec::blake3, "multihash"},
    codec_entry{"sha2-384", codec::sha2_384, "multihash"},
    codec_entry{"dccp", codec::dccp, "multiaddr"},
    codec_entry{"ip6", codec::ip6, "multiaddr"},
    codec_entry{"ip6zone", codec::ip6zone, "multiaddr"},
    codec_entry{"ipcidr", codec::ipcidr, "multiaddr"},
    codec_entry{"dns", codec::dns, "multiaddr"},
    codec_entry{"dns4", codec::dns4, "multiaddr"},
    codec_entry{"dns6", codec::dns6, "multiaddr"},
    codec_entry{"dnsaddr", codec::dnsaddr, "multiaddr"},
    codec_entry{"cbor", codec::cbor, "ipld"},
    codec_entry{"raw", codec::raw, "ipld"},
    codec_entry{"dag-pb", codec::dag_pb, "ipld"},
    codec_entry{"dag-cbor", codec::dag_cbor, "ipld"},
    codec_entry{"libp2p-key", codec::libp2p_key, "ipld"},
    codec_entry{"git-raw", codec::git_raw, "ipld"},
    codec_entry{"sctp", codec::sctp, "multiaddr"},
    codec_entry{"dag-jose", codec::dag_jose, "ipld"},
    codec_entry{"ipfs", codec::ipfs_ns, "namespace"},
    codec_entry{"ipns", codec::ipns_ns, "namespace"},
    codec_entry{"secp256k1-pub", codec::secp256k1_pub, "key"},
    codec_entry{"dnslink", codec::dnslink, "namespace"},
    codec_entry{"x25519-pub", codec::x25519_pub, "key"},
    codec_entry{"ed25519-pub", codec::ed25519_pub, "key"},
    codec_entry{"udp", codec::udp, "multiaddr"},
    codec_entry{"p2p-webrtc-star", codec::p2p_webrtc_star, "multiaddr"},
    codec_entry{"p2p-webrtc-direct", codec::p2p_webrtc_direct, "multiaddr"},
    codec_entry{"p2p-stardust", codec::p2p_stardust, "multiaddr"},
    codec_entry{"webrtc-direct", codec::webrtc_direct, "multiaddr"},
    codec_entry{"webrtc", codec::webrtc, "multiaddr"},
    codec_entry{"p2p-circuit", codec::p2p_circuit, "multiaddr"},
    codec_entry{"dag-json", codec::dag_json, "ipld"},
    codec_entry{"udt", codec::udt, "multiaddr"},
    codec_entry{"utp", codec::utp, "multiaddr"},
    codec_entry{"unix", codec::unix_path, "multiaddr"},
    codec_entry{"p2p", codec::p2p, "multiaddr"},
    codec_entry{"https", codec::https, "multiaddr"},
    codec_entry{"onion", codec::onion, "multiaddr"},
    codec_entry{"onion3", codec::onion3, "multiaddr"},
    codec_entry{"garlic64", codec::garlic64, "multiaddr"},
    codec_entry{"garlic32", codec::garlic32, "multiaddr"},
    codec_entry{"tls", codec::tls, "multiaddr"},
    codec_entry{"sni", codec::sni, "multiaddr"},
    codec_entry{"noise", codec::noise, "multiaddr"},
    codec_entry{"quic", codec::quic, "multiaddr"},
    codec_entry{"quic-v1", codec::quic_v1, "multiaddr"},
    codec_entry{"webtransport", codec::webtransport, "multiaddr"},
    codec_entry{"certhash", codec::certhash, "multiaddr"},
    codec_entry{"ws", codec::ws, "multiaddr"},
    codec_entry{"wss", codec::wss, "multiaddr"},
    codec_entry{"p2p-websocket-star", codec::p2p_websocket_star, "multiaddr"},
    codec_entry{"http", codec::http, "multiaddr"},
    codec_entry{"http-path", codec::http_path, "multiaddr"},
    codec_entry{"json", codec::json, "ipld"},
    codec_entry{"car", codec::car, "serialization"},
    codec_entry{"ipns-record", codec::ipns_record, "serialization"},
    codec_entry{"libp2p-peer-record", codec::libp2p_peer_record, "libp2p"},
    codec_entry{"libp2p-relay-rsvp", codec::libp2p_relay_rsvp, "libp2p"},
    codec_entry{"memory", codec::memory, "multiaddr"},
    codec_entry{"p256-pub", codec::p256_pub, "key"},
    codec_entry{"rsa-pub", codec::rsa_pub, "key"},
    codec_entry{"blake2b-256", codec::blake2b_256, "multihash"},
    codec_entry{"blake2b-512", codec::blake2b_512, "multihash"},
};

constexpr bool sorted_unique() {
  for (std::size_t i = 1; i < table.size(); ++i)
    if (table[i - 1].code >= table[i].code) return false;
  return true;
}
static_assert(sorted_unique(), "codec table must be ordered by code without duplicates");
}  // namespace

std::span<const codec_entry> codec_table() { return table; }

std::optional<std::string_view> codec_name(std::uint64_t code) {
  for (const auto& e : table)
    if (e.code == code) return e.name;
  return std::nullopt;
}

result<std::uint64_t> codec_from_name(std::string_view name) {
  for (const auto& e : table)
    if (e.name == name) return e.code;
  return fail(mf_errc::unknown_code, "unknown multicodec name \"" + std::string(name) + "\"");
}

}  // namespace converge::mf
