#include "multiformats/cid.hpp"

#include "base/varint.hpp"
#include "multiformats/multicodec.hpp"

namespace converge::mf {
namespace {
constexpr std::size_t v0_text_size = 46;
constexpr std::size_t v0_bytes_size = 34;
// Text longer than any valid CID in any supported base (base16 is the longest).
constexpr std::size_t max_cid_text = 1 + 2 * max_cid_bytes;

bool is_v0_multihash(const multihash& mh) { return mh.code() == codec::sha2_256 && mh.digest().size() == 32; }
}  // namespace

bytes cid::to_bytes() const {
  if (version_ == 0) return hash_.bytes();
  bytes out;
  out.reserve(uvarint_size(version_) + uvarint_size(codec_) + hash_.size());
  append_uvarint(out, version_);
  append_uvarint(out, codec_);
  append(out, hash_.bytes());
  return out;
}

std::string cid::to_string() const {
  if (version_ == 0) return base_encode(multibase::base58btc, hash_.bytes());
  return multibase_encode(multibase::base32, to_bytes());
}

std::string cid::to_string(multibase b) const {
  if (version_ == 0) {
    if (b == multibase::base58btc) return to_string();
    return to_v1().to_string(b);
  }
  return multibase_encode(b, to_bytes());
}

result<cid> cid::v0(multihash mh) {
  if (!is_v0_multihash(mh)) return fail(mf_errc::invalid_cid, "CIDv0 requires a 32-byte sha2-256 multihash");
  return cid(0, codec::dag_pb, std::move(mh));
}

cid cid::v1(std::uint64_t codec, multihash mh) { return cid(1, codec, std::move(mh)); }

cid cid::to_v1() const { return cid(1, codec_, hash_); }

result<cid> cid::from_bytes(bytes_view in) {
  if (in.empty()) return fail(mf_errc::truncated, "empty CID");
  if (in.size() > max_cid_bytes)
    return fail(mf_errc::too_large, "CID of " + std::to_string(in.size()) + " bytes exceeds " + std::to_string(max_cid_bytes));
  if (in[0] == codec::sha2_256) {
    // The spec reserves version 18 (0x12) so that a leading sha2-256 code means v0.
    if (in.size() != v0_bytes_size || in[1] != 32)
      return fail(mf_errc::invalid_cid, "CIDv0 must be exactly a 34-byte sha2-256 multihash (0x12 0x20 + 32 bytes)");
    auto mh = multihash::parse(in);
    if (!mh) return fail(with_context(mh.error(), "CIDv0"));
    return v0(std::move(*mh));
  }
  byte_reader r(in);
  auto version = r.uvarint();
  if (!version) return fail(with_context(version.error(), "CID version"));
  if (*version == 0) return fail(mf_errc::invalid_cid, "version 0 is not allowed in CIDv1 framing");
  if (*version != 1) return fail(mf_errc::invalid_cid, "unsupported CID version " + std::to_string(*version));
  auto codec = r.uvarint();
  if (!codec) return fail(with_context(codec.error(), "CID codec"));
  auto mh = multihash::parse(r.rest());
  if (!mh) return fail(with_context(mh.error(), "CID multihash"));
  return v1(*codec, std::move(*mh));
}

result<cid> cid::parse(std::string_view text) {
  if (text.empty()) return fail(mf_errc::invalid_cid, "empty CID text");
  if (text.size() > max_cid_text)
    return fail(mf_errc::too_large, "CID text of " + std::to_string(text.size()) + " characters exceeds " + std::to_string(max_cid_text));
  if (text.size() == v0_text_size && text.starts_with("Qm")) {
    auto raw = base_decode(multibase::base58btc, text);
    if (!raw) return fail(with_context(raw.error(), "CIDv0"));
    if (raw->size() != v0_bytes_size || (*raw)[0] != codec::sha2_256)
      return fail(mf_errc::invalid_cid, "\"Qm\" text does not decode to a sha2-256 multihash");
    return from_bytes(*raw);
  }
  if (text[0] == 'Q')
    return fail(mf_errc::invalid_cid, "CIDv0 text must be 46 characters starting \"Qm\", got " + std::to_string(text.size()));
  auto raw = multibase_decode(text);
  if (!raw) return fail(with_context(raw.error(), "CID"));
  if (!raw->empty() && (*raw)[0] == codec::sha2_256)
    return fail(mf_errc::invalid_cid, "CIDv0 must not be multibase-encoded");
  return from_bytes(*raw);
}

}  // namespace converge::mf

std::size_t std::hash<converge::mf::cid>::operator()(const converge::mf::cid& c) const noexcept {
  return std::hash<converge::mf::multihash>{}(c.hash()) ^ (c.codec() * 0x9e3779b97f4a7c15ULL) ^ c.version();
}
