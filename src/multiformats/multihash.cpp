#include "multiformats/multihash.hpp"

#include <sodium.h>

#include <stdexcept>
#include <string>
#include <string_view>

#include "base/varint.hpp"
#include "multiformats/multicodec.hpp"

namespace converge::mf {
namespace {

std::string code_text(std::uint64_t code) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string h;
  do {
    h.insert(h.begin(), hex[code & 15]);
    code >>= 4;
  } while (code != 0);
  return "0x" + h;
}

std::optional<bytes> compute(std::uint64_t code, bytes_view data) {
  switch (code) {
    case codec::identity: return bytes(data.begin(), data.end());
    case codec::sha2_256: {
      bytes out(crypto_hash_sha256_BYTES);
      crypto_hash_sha256(out.data(), data.data(), data.size());
      return out;
    }
    case codec::sha2_512: {
      bytes out(crypto_hash_sha512_BYTES);
      crypto_hash_sha512(out.data(), data.data(), data.size());
      return out;
    }
    case codec::blake2b_256: {
      bytes out(32);
      crypto_generichash(out.data(), out.size(), data.data(), data.size(), nullptr, 0);
      return out;
    }
    default: return std::nullopt;
  }
}

}  // namespace

std::size_t natural_digest_size(std::uint64_t code) {
  switch (code) {
    case codec::sha2_256:
    case codec::sha3_256:
    case codec::blake2b_256:
    case codec::blake3: return 32;
    case codec::sha2_384: return 48;
    case codec::sha2_512:
    case codec::sha3_512:
    case codec::blake2b_512: return 64;
    default: return 0;
  }
}

result<multihash> multihash::from_digest(std::uint64_t code, bytes_view digest) {
  if (code > max_varint_value) return fail(mf_errc::invalid_multihash, "hash code " + code_text(code) + " exceeds 63 bits");
  std::size_t limit = code == codec::identity ? max_identity_digest_size : max_digest_size;
  if (digest.size() > limit)
    return fail(mf_errc::too_large, "digest of " + std::to_string(digest.size()) + " bytes exceeds " + std::to_string(limit));
  if (auto n = natural_digest_size(code); n != 0 && digest.size() > n)
    return fail(mf_errc::invalid_multihash, std::string(codec_name(code).value_or("hash")) + " digest of " +
                                                std::to_string(digest.size()) + " bytes is longer than " + std::to_string(n));
  multihash m;
  m.code_ = code;
  append_uvarint(m.encoded_, code);
  append_uvarint(m.encoded_, digest.size());
  m.digest_offset_ = m.encoded_.size();
  append(m.encoded_, digest);
  return m;
}

result<multihash::prefix> multihash::parse_prefix(bytes_view in) {
  byte_reader r(in);
  auto code = r.uvarint();
  if (!code) return fail(with_context(code.error(), "multihash code"));
  auto len = r.uvarint();
  if (!len) return fail(with_context(len.error(), "multihash length"));
  std::size_t limit = *code == codec::identity ? max_identity_digest_size : max_digest_size;
  if (*len > limit)
    return fail(mf_errc::too_large, "multihash digest length " + std::to_string(*len) + " exceeds " + std::to_string(limit));
  auto digest = r.take(static_cast<std::size_t>(*len));
  if (!digest)
    return fail(mf_errc::truncated, "multihash digest needs " + std::to_string(*len) + " bytes, " +
                                        std::to_string(r.remaining()) + " present");
  auto m = from_digest(*code, *digest);
  if (!m) return fail(m.error());
  return prefix{std::move(*m), r.position()};
}

result<multihash> multihash::parse(bytes_view in) {
  auto p = parse_prefix(in);
  if (!p) return fail(p.error());
  if (p->consumed != in.size())
    return fail(mf_errc::trailing_data, std::to_string(in.size() - p->consumed) + " bytes after the multihash digest");
  return std::move(p->value);
}

bool multihash::can_sum(std::uint64_t code) {
  return code == codec::identity || code == codec::sha2_256 || code == codec::sha2_512 || code == codec::blake2b_256;
}

result<multihash> multihash::try_sum(std::uint64_t code, bytes_view data) {
  if (!can_sum(code))
    return fail(mf_errc::unknown_code, "cannot compute hash " + std::string(codec_name(code).value_or("")) + " (" + code_text(code) + ")");
  if (code == codec::identity) return identity(data);
  return from_digest(code, *compute(code, data));
}

multihash multihash::sum(std::uint64_t code, bytes_view data) {
  if (!can_sum(code)) throw std::invalid_argument("multihash::sum: unsupported hash code " + code_text(code));
  auto m = try_sum(code, data);
  if (!m) throw std::length_error("multihash::sum: " + m.error().message());
  return std::move(*m);
}

result<multihash> multihash::identity(bytes_view data) { return from_digest(codec::identity, data); }

bool multihash::verifies(bytes_view data) const {
  auto d = compute(code_, data);
  if (!d) return false;
  auto mine = digest();
  return equal(mine, *d);
}

}  // namespace converge::mf

std::size_t std::hash<converge::mf::multihash>::operator()(const converge::mf::multihash& m) const noexcept {
  return std::hash<std::string_view>{}(converge::as_chars(m.bytes()));
}
