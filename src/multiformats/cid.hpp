#pragma once
// Content identifiers (https://github.com/multiformats/cid).
//
// CIDv0: a bare sha2-256 multihash (34 bytes) of a dag-pb node, written as
// 46 base58btc characters starting "Qm", never multibase-prefixed.
// CIDv1: varint version (1), varint content codec, multihash; written in any
// multibase, base32 by default.
//
// Parsing follows the spec's decoding rules: a 46-character "Qm" string is
// v0; anything else is multibase; decoded bytes starting 0x12 are a
// multibase-wrapped v0 and are refused; version 0 in v1 framing and versions
// above 1 are refused; the multihash must end exactly at the end of input.
#include <compare>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "base/bytes.hpp"
#include "multiformats/multibase.hpp"
#include "multiformats/multihash.hpp"

namespace converge::mf {

class cid {
 public:
  [[nodiscard]] unsigned version() const { return version_; }
  [[nodiscard]] std::uint64_t codec() const { return codec_; }
  [[nodiscard]] const multihash& hash() const { return hash_; }

  // Binary form: v0 is the multihash alone; v1 is version, codec, multihash.
  [[nodiscard]] bytes to_bytes() const;
  // v0: base58btc without prefix ("Qm..."); v1: multibase base32 ("bafy...").
  [[nodiscard]] std::string to_string() const;
  // v1 in base `b` with its multibase prefix. A v0 CID has only one text
  // form: base58btc gives it, any other base gives the equivalent v1 (as
  // `ipfs cid format -b` does).
  [[nodiscard]] std::string to_string(multibase b) const;

  static result<cid> parse(std::string_view text);
  static result<cid> from_bytes(bytes_view in);
  // A v0 CID; invalid_cid unless `mh` is a full 32-byte sha2-256 multihash.
  static result<cid> v0(multihash mh);
  static cid v1(std::uint64_t codec, multihash mh);
  // The same content as v1 (v0 becomes dag-pb v1); v1 is returned unchanged.
  [[nodiscard]] cid to_v1() const;

  friend bool operator==(const cid& a, const cid& b) {
    return a.version_ == b.version_ && a.codec_ == b.codec_ && a.hash_ == b.hash_;
  }
  // Orders by version, then codec, then multihash bytes.
  friend std::strong_ordering operator<=>(const cid& a, const cid& b) {
    if (auto c = a.version_ <=> b.version_; c != 0) return c;
    if (auto c = a.codec_ <=> b.codec_; c != 0) return c;
    return a.hash_ <=> b.hash_;
  }

 private:
  cid(unsigned version, std::uint64_t codec, multihash mh) : version_(version), codec_(codec), hash_(std::move(mh)) {}
  unsigned version_;
  std::uint64_t codec_;
  multihash hash_;
};

// Longest binary CID we accept: two varints plus the longest multihash.
inline constexpr std::size_t max_cid_bytes = 2 * 9 + 2 * 9 + max_digest_size;

}  // namespace converge::mf

template <>
struct std::hash<converge::mf::cid> {
  std::size_t operator()(const converge::mf::cid& c) const noexcept;
};
