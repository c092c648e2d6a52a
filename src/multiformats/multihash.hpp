#pragma once
// Multihash (https://github.com/multiformats/multihash): varint hash code,
// varint digest length, digest. Parsing accepts any code (unknown hash
// functions are carried opaquely) but bounds the digest length; hashing
// (sum) supports identity, sha2-256, sha2-512 and blake2b-256.
#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>

#include "base/bytes.hpp"
#include "multiformats/errors.hpp"

namespace converge::mf {

// Longest digest accepted from the wire, identity included.
inline constexpr std::size_t max_digest_size = 128;
inline constexpr std::size_t max_identity_digest_size = max_digest_size;

class multihash {
 public:
  struct prefix;  // a multihash parsed from the start of a buffer

  [[nodiscard]] std::uint64_t code() const { return code_; }
  [[nodiscard]] bytes_view digest() const { return bytes_view(encoded_).subspan(digest_offset_); }
  // The full encoding: code, length, digest.
  [[nodiscard]] const converge::bytes& bytes() const& { return encoded_; }
  [[nodiscard]] converge::bytes bytes() && { return std::move(encoded_); }
  [[nodiscard]] std::size_t size() const { return encoded_.size(); }

  // Exactly one multihash: trailing bytes are an error.
  static result<multihash> parse(bytes_view in);
  // A multihash at the start of `in` (as inside a CID); reports bytes consumed.
  static result<prefix> parse_prefix(bytes_view in);

  // True for the codes sum() can compute.
  static bool can_sum(std::uint64_t code);
  // Hashes `data`. `code` must satisfy can_sum() (a programming error
  // otherwise: throws std::invalid_argument). For identity, `data` must fit
  // max_identity_digest_size (else std::length_error); use identity() for input.
  static multihash sum(std::uint64_t code, bytes_view data);
  // As sum(), but an unsupported code or oversize identity input is an error result.
  static result<multihash> try_sum(std::uint64_t code, bytes_view data);
  // The identity multihash of `data`; too_large past max_identity_digest_size.
  static result<multihash> identity(bytes_view data);
  // Builds from a code and a digest already computed elsewhere.
  static result<multihash> from_digest(std::uint64_t code, bytes_view digest);

  // Recomputes the digest of `data` and compares. False for codes we cannot
  // compute and for truncated digests (a short digest proves too little).
  [[nodiscard]] bool verifies(bytes_view data) const;

  friend bool operator==(const multihash& a, const multihash& b) { return a.encoded_ == b.encoded_; }
  friend std::strong_ordering operator<=>(const multihash& a, const multihash& b) { return a.encoded_ <=> b.encoded_; }

 private:
  multihash() = default;
  std::uint64_t code_ = 0;
  std::size_t digest_offset_ = 0;
  converge::bytes encoded_;
};

struct multihash::prefix {
  multihash value;
  std::size_t consumed;
};

// The natural digest size of a hash function we know, 0 if unknown or variable.
std::size_t natural_digest_size(std::uint64_t code);

}  // namespace converge::mf

template <>
struct std::hash<converge::mf::multihash> {
  std::size_t operator()(const converge::mf::multihash& m) const noexcept;
};
