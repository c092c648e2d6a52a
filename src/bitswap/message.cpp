#include "bitswap/message.hpp"

#include "base/varint.hpp"
#include "bitswap/errors.hpp"
#include "blocks/pb_wire.hpp"
#include "multiformats/multicodec.hpp"

namespace converge::bitswap {
namespace pb = blocks::pb;

std::optional<protocol_version> parse_protocol(std::string_view id) {
  if (id == protocol_v1_2_0) return protocol_version::v1_2_0;
  if (id == protocol_v1_1_0) return protocol_version::v1_1_0;
  if (id == protocol_v1_0_0 || id == "/ipfs/bitswap") return protocol_version::v1_0_0;
  return std::nullopt;
}

std::string_view protocol_id(protocol_version v) {
  switch (v) {
    case protocol_version::v1_2_0: return protocol_v1_2_0;
    case protocol_version::v1_1_0: return protocol_v1_1_0;
    case protocol_version::v1_0_0: return protocol_v1_0_0;
  }
  return protocol_v1_2_0;
}

bytes cid_prefix(const mf::cid& id) {
  bytes p;
  append_uvarint(p, id.version());
  append_uvarint(p, id.codec());
  append_uvarint(p, id.hash().code());
  append_uvarint(p, id.hash().digest().size());
  return p;
}

result<mf::cid> cid_from_prefix(bytes_view prefix, bytes_view data) {
  std::uint64_t v[4];
  std::size_t off = 0;
  for (auto& x : v) {
    auto d = decode_uvarint(prefix.subspan(off));
    if (!d) return fail(bitswap_errc::malformed_message, "block prefix: " + d.error().detail);
    x = d->value;
    off += d->size;
  }
  if (off != prefix.size()) return fail(bitswap_errc::malformed_message, "block prefix has trailing bytes");
  auto [version, codec, mh_code, mh_len] = v;
  if (mh_code == mf::codec::identity) return fail(bitswap_errc::unsupported_hash, "identity blocks are never sent");
  if (!mf::multihash::can_sum(mh_code)) return fail(bitswap_errc::unsupported_hash, "hash code " + std::to_string(mh_code));
  if (mh_len != mf::natural_digest_size(mh_code))
    return fail(bitswap_errc::unsupported_hash, "digest length " + std::to_string(mh_len) + " for hash code " + std::to_string(mh_code));
  auto mh = mf::multihash::sum(mh_code, data);
  if (version == 0) {
    if (codec != mf::codec::dag_pb || mh_code != mf::codec::sha2_256)
      return fail(bitswap_errc::malformed_message, "CIDv0 prefix with codec " + std::to_string(codec));
    auto c = mf::cid::v0(std::move(mh));
    if (!c) return fail(bitswap_errc::malformed_message, c.error().detail);
    return *c;
  }
  if (version != 1) return fail(bitswap_errc::malformed_message, "CID version " + std::to_string(version));
  return mf::cid::v1(codec, std::move(mh));
}

std::size_t encoded_block_size(const mf::cid& id, std::size_t data_size) {
  std::size_t prefix = cid_prefix(id).size();
  std::size_t inner = 1 + pb::varint_size(prefix) + prefix + 1 + pb::varint_size(data_size) + data_size;
  return 1 + pb::varint_size(inner) + inner;
}

bytes encode_message(const message& m, protocol_version v) {
  bytes out;
  if (!m.wantlist.empty() || m.full) {
    bytes wl, e;
    for (const auto& w : m.wantlist) {
      if (v != protocol_version::v1_2_0 && w.type == want_type::have) continue;
      e.clear();
      pb::put_bytes_field(e, 1, w.cid.to_bytes());
      if (w.priority != 0) pb::put_varint_field(e, 2, static_cast<std::uint64_t>(static_cast<std::int64_t>(w.priority)));
      if (w.cancel) pb::put_varint_field(e, 3, 1);
      if (v == protocol_version::v1_2_0) {
        if (w.type == want_type::have) pb::put_varint_field(e, 4, 1);
        if (w.send_dont_have) pb::put_varint_field(e, 5, 1);
      }
      pb::put_bytes_field(wl, 1, e);
    }
    if (m.full) pb::put_varint_field(wl, 2, 1);
    pb::put_bytes_field(out, 1, wl);
  }
  bytes blk;
  for (const auto& b : m.blocks) {
    if (v == protocol_version::v1_0_0) {
      if (b.id.version() != 0) continue;  // 1.0.0 can only name CIDv0 blocks
      pb::put_bytes_field(out, 2, b.data);
      continue;
    }
    blk.clear();
    pb::put_bytes_field(blk, 1, cid_prefix(b.id));
    pb::put_bytes_field(blk, 2, b.data);
    pb::put_bytes_field(out, 3, blk);
  }
  if (v == protocol_version::v1_2_0) {
    bytes p;
    for (const auto& bp : m.presences) {
      p.clear();
      pb::put_bytes_field(p, 1, bp.cid.to_bytes());
      if (bp.type != presence_type::have) pb::put_varint_field(p, 2, static_cast<std::uint64_t>(bp.type));
      pb::put_bytes_field(out, 4, p);
    }
  }
  if (m.pending_bytes != 0) pb::put_varint_field(out, 5, static_cast<std::uint64_t>(static_cast<std::int64_t>(m.pending_bytes)));
  return out;
}

namespace {

auto malformed(const std::string& what, std::size_t offset) {
  return fail(bitswap_errc::malformed_message, what + " at offset " + std::to_string(offset));
}

result<wantlist_entry> decode_entry(bytes_view in, std::size_t base) {
  pb::reader r(in);
  std::optional<mf::cid> id;
  wantlist_entry e{mf::cid::v1(mf::codec::raw, mf::multihash::sum(mf::codec::identity, {}))};
  e.priority = 0;
  while (auto f = r.next()) {
    std::size_t at = base + f->offset;
    switch (f->number) {
      case 1: {
        if (f->type != pb::len) return malformed("wantlist entry block is not bytes", at);
        auto c = mf::cid::from_bytes(f->data);
        if (!c) return malformed("wantlist entry CID: " + c.error().detail, at);
        id = std::move(*c);
        break;
      }
      case 2:
        if (f->type != pb::varint) return malformed("priority is not a varint", at);
        e.priority = static_cast<std::int32_t>(static_cast<std::uint32_t>(f->value));
        break;
      case 3:
        if (f->type != pb::varint) return malformed("cancel is not a varint", at);
        e.cancel = f->value != 0;
        break;
      case 4:
        if (f->type != pb::varint) return malformed("wantType is not a varint", at);
        if (f->value > 1) return malformed("unknown wantType " + std::to_string(f->value), at);
        e.type = static_cast<want_type>(f->value);
        break;
      case 5:
        if (f->type != pb::varint) return malformed("sendDontHave is not a varint", at);
        e.send_dont_have = f->value != 0;
        break;
      default: break;  // unknown fields are skipped
    }
  }
  if (!r.error().empty()) return malformed("wantlist entry: " + r.error(), base);
  if (!id) return malformed("wantlist entry without a CID", base);
  e.cid = std::move(*id);
  return e;
}

}  // namespace

result<message> decode_message(bytes_view in, const message_limits& limits) {
  if (in.size() > limits.max_message_bytes)
    return fail(bitswap_errc::too_large, "message of " + std::to_string(in.size()) + " bytes, limit " + std::to_string(limits.max_message_bytes));
  message m;
  pb::reader r(in);
  auto add_block = [&](blocks::block b, std::size_t at) -> result<void> {
    if (m.blocks.size() >= limits.max_blocks) return fail(bitswap_errc::too_large, "more than " + std::to_string(limits.max_blocks) + " blocks");
    if (b.data.size() > limits.max_block_bytes)
      return fail(bitswap_errc::too_large, "block of " + std::to_string(b.data.size()) + " bytes at offset " + std::to_string(at) + ", limit " + std::to_string(limits.max_block_bytes));
    m.blocks.push_back(std::move(b));
    return ok();
  };
  while (auto f = r.next()) {
    std::size_t at = f->offset;
    switch (f->number) {
      case 1: {
        if (f->type != pb::len) return malformed("wantlist is not a message", at);
        pb::reader wr(f->data);
        while (auto wf = wr.next()) {
          std::size_t wat = at + 2 + wf->offset;
          if (wf->number == 1) {
            if (wf->type != pb::len) return malformed("wantlist entry is not a message", wat);
            if (m.wantlist.size() >= limits.max_entries)
              return fail(bitswap_errc::too_large, "more than " + std::to_string(limits.max_entries) + " wantlist entries");
            auto e = decode_entry(wf->data, wat);
            if (!e) return fail(e.error());
            m.wantlist.push_back(std::move(*e));
          } else if (wf->number == 2) {
            if (wf->type != pb::varint) return malformed("full is not a varint", wat);
            m.full = wf->value != 0;
          }
        }
        if (!wr.error().empty()) return malformed("wantlist: " + wr.error(), at);
        break;
      }
      case 2: {  // 1.0.0 block: CIDv0 of its sha2-256
        if (f->type != pb::len) return malformed("block is not bytes", at);
        auto c = mf::cid::v0(mf::multihash::sum(mf::codec::sha2_256, f->data));
        if (auto a = add_block({*c, bytes(f->data.begin(), f->data.end())}, at); !a) return fail(a.error());
        break;
      }
      case 3: {
        if (f->type != pb::len) return malformed("payload block is not a message", at);
        pb::reader br(f->data);
        std::optional<bytes_view> prefix, data;
        while (auto bf = br.next()) {
          if (bf->type != pb::len) return malformed("payload field " + std::to_string(bf->number) + " is not bytes", at);
          if (bf->number == 1) prefix = bf->data;
          else if (bf->number == 2) data = bf->data;
        }
        if (!br.error().empty()) return malformed("payload block: " + br.error(), at);
        if (!prefix || !data) return malformed("payload block without prefix or data", at);
        if (data->size() > limits.max_block_bytes)
          return fail(bitswap_errc::too_large, "block of " + std::to_string(data->size()) + " bytes, limit " + std::to_string(limits.max_block_bytes));
        auto c = cid_from_prefix(*prefix, *data);
        if (!c) return fail(with_context(c.error(), "payload block at offset " + std::to_string(at)));
        if (auto a = add_block({std::move(*c), bytes(data->begin(), data->end())}, at); !a) return fail(a.error());
        break;
      }
      case 4: {
        if (f->type != pb::len) return malformed("block presence is not a message", at);
        if (m.presences.size() >= limits.max_entries)
          return fail(bitswap_errc::too_large, "more than " + std::to_string(limits.max_entries) + " block presences");
        pb::reader pr(f->data);
        std::optional<mf::cid> id;
        presence_type type = presence_type::have;
        while (auto pf = pr.next()) {
          if (pf->number == 1) {
            if (pf->type != pb::len) return malformed("presence CID is not bytes", at);
            auto c = mf::cid::from_bytes(pf->data);
            if (!c) return malformed("presence CID: " + c.error().detail, at);
            id = std::move(*c);
          } else if (pf->number == 2) {
            if (pf->type != pb::varint || pf->value > 1) return malformed("unknown presence type", at);
            type = static_cast<presence_type>(pf->value);
          }
        }
        if (!pr.error().empty()) return malformed("block presence: " + pr.error(), at);
        if (!id) return malformed("block presence without a CID", at);
        m.presences.push_back({std::move(*id), type});
        break;
      }
      case 5:
        if (f->type != pb::varint) return malformed("pendingBytes is not a varint", at);
        m.pending_bytes = static_cast<std::int32_t>(static_cast<std::uint32_t>(f->value));
        break;
      default: break;
    }
  }
  if (!r.error().empty()) return fail(bitswap_errc::malformed_message, r.error());
  return m;
}

result<void> frame_reader::feed(bytes_view data) {
  if (pos_ == buf_.size() && buf_.capacity() > 64 * 1024) {
    bytes().swap(buf_);  // all read: an idle stream keeps no large buffer
    pos_ = 0;
  }
  if (pos_ > 0 && pos_ * 2 >= buf_.size()) {
    buf_.erase(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(pos_));
    pos_ = 0;
  }
  append(buf_, data);
  if (buffered() > max_ + 16 + data.size())
    return fail(bitswap_errc::too_large, std::to_string(buffered()) + " bytes buffered: drain next() between feeds");
  return ok();
}

result<std::optional<bytes>> frame_reader::next() {
  bytes_view avail = bytes_view(buf_).subspan(pos_);
  auto len = decode_uvarint(avail);
  if (!len) {
    if (len.error().code == make_error_code(base_errc::truncated)) return std::optional<bytes>{};
    return fail(bitswap_errc::malformed_message, "frame length: " + len.error().detail);
  }
  if (len->value > max_)
    return fail(bitswap_errc::too_large, "message of " + std::to_string(len->value) + " bytes, limit " + std::to_string(max_));
  if (avail.size() < len->size + len->value) return std::optional<bytes>{};
  auto payload = avail.subspan(len->size, static_cast<std::size_t>(len->value));
  std::optional<bytes> out(bytes(payload.begin(), payload.end()));
  pos_ += len->size + static_cast<std::size_t>(len->value);
  return out;
}

bytes frame(bytes_view payload) {
  bytes out = encode_uvarint(payload.size());
  append(out, payload);
  return out;
}

}  // namespace converge::bitswap
