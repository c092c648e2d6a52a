#pragma once
// The DAG-CBOR subset IPNS data uses (ipfs/specs IPNS record, "Record Data";
// ipld/specs DAG-CBOR): a map with text-string keys whose values are byte
// strings, text strings or unsigned integers. decode_map() enforces the
// canonical form DAG-CBOR requires, so one record has one encoding:
//  * definite lengths only, integers and lengths in their shortest form;
//  * map keys sorted by length, then bytewise ("TTL" < "Value" < "Sequence"
//    < "Validity" < "ValidityType"), no duplicates;
//  * text strings valid UTF-8; nothing after the map.
// Other major types (arrays, tags, negative integers, floats, simple values)
// are refused: IPNS never needs them. Bounds: 10 KiB input, 64 entries.
// A general CBOR library was not used because none exposes these canonical
// checks; a generic decoder would silently accept a reordered map.
#include <cstdint>
#include <map>
#include <string>
#include <variant>

#include "base/bytes.hpp"
#include "ipns/errors.hpp"

namespace converge::ipns::cbor {

using value = std::variant<std::uint64_t, bytes, std::string>;

// Keys in DAG-CBOR order (length first, then bytewise).
struct dag_key_less {
  bool operator()(const std::string& a, const std::string& b) const {
    return a.size() != b.size() ? a.size() < b.size() : a < b;
  }
};
using map = std::map<std::string, value, dag_key_less>;

inline constexpr std::size_t max_input = 10 * 1024;
inline constexpr std::size_t max_entries = 64;

result<map> decode_map(bytes_view in);
// Canonical encoding (the map's own order is already DAG-CBOR order).
bytes encode_map(const map& m);

}  // namespace converge::ipns::cbor
