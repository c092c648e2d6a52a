#pragma once
// IPNS records (ipfs/specs ipns/IPNS.md): creation, validation, selection,
// names and routing keys.
//
// Validation follows the spec's "Record Verification" (and what the npm
// `ipns` package does): size at most 10 KiB; signatureV2 and data present;
// data is canonical DAG-CBOR with Value (bytes), Validity (bytes, RFC 3339),
// ValidityType (0 = EOL), Sequence and TTL (uints); extra data keys are
// allowed (the spec's extensible data); the public key comes from pubKey or
// is inlined in the name, and must derive the name; signatureV2 verifies over
// "ipns-signature:" + data; when the V1 fields are present (value and
// signatureV1) they must equal the data's fields; EOL must be in the future.
// signatureV1 itself is not verified: V1 is deprecated and carries nothing
// the V2 signature does not already cover.
//
// Selection: higher Sequence wins; on equal sequence the later EOL wins; on a
// full tie the first.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "base/bytes.hpp"
#include "base/clock.hpp"
#include "crypto/keys.hpp"
#include "crypto/peer_id.hpp"
#include "ipns/errors.hpp"

namespace converge::ipns {

inline constexpr std::size_t max_record_size = 10 * 1024;
inline constexpr std::uint64_t default_ttl_ns = 5ull * 60 * 1'000'000'000;  // 5 min, as the spec suggests

struct record {
  bytes value;                 // a path, e.g. "/ipfs/bafy..."
  std::string validity;        // RFC 3339 EOL, as signed
  wall_time eol{};             // validity parsed
  std::uint64_t sequence = 0;
  std::uint64_t ttl_ns = 0;
  std::optional<bytes> pub_key;  // protobuf PublicKey, when embedded
  bytes signature_v2, data;
  bool has_v1 = false;
};

struct create_options {
  std::uint64_t ttl_ns = default_ttl_ns;
  bool v1_compatible = true;  // also write the V1 fields and signatureV1 (what go and js do by default)
};

// Signs a record; the key's public key is embedded only when the name cannot
// inline it (RSA, ECDSA). Returns the marshalled IpnsEntry.
result<bytes> create(const crypto::private_key& key, bytes_view value, std::uint64_t sequence, wall_time eol,
                     const create_options& o = {});

// Parses and fully validates `marshalled` as the record of `name` at `now`.
result<record> validate(const crypto::peer_id& name, bytes_view marshalled, wall_time now);
// Parses without the signature and expiry checks (for selection and display); still strict on format.
result<record> parse(bytes_view marshalled);

// Index of the best record among valid marshalled records (see above).
std::size_t select(std::span<const bytes> records);

// RFC 3339 with nanoseconds and Z, as go and js write it: "2026-11-25T03:12:50.000000000Z".
std::string format_rfc3339(wall_time t);
result<wall_time> parse_rfc3339(std::string_view s);

// Names: "/ipns/" + the peer ID's multihash is the routing key; the text form
// is a CIDv1 libp2p-key in base36 ("k51..."). parse_name also accepts
// "/ipns/<name>" and the legacy base58 peer ID forms.
bytes routing_key(const crypto::peer_id& name);
result<crypto::peer_id> name_from_routing_key(bytes_view key);
std::string name_string(const crypto::peer_id& name);
result<crypto::peer_id> parse_name(std::string_view text);

}  // namespace converge::ipns
