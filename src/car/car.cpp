#include "car/car.hpp"

#include <unordered_set>

#include "base/varint.hpp"
#include "car/errors.hpp"

namespace converge::car {

result<std::pair<std::uint64_t, std::vector<mf::cid>>> decode_header_or_pragma(bytes_view in, const car_limits& limits);

namespace {

constexpr std::size_t v2_pragma_size = 11;
constexpr std::size_t v2_header_size = 40;
constexpr std::size_t max_feed_slack = 1024 * 1024;

std::uint64_t le64(bytes_view b) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = v << 8 | b[static_cast<std::size_t>(i)];
  return v;
}

// Length of the CID at the start of `in`, nullopt if it needs more bytes
// (never: a section is complete when parsed) or error if malformed.
result<std::size_t> cid_prefix_length(bytes_view in) {
  if (in.size() >= 2 && in[0] == 0x12 && in[1] == 0x20) return std::size_t{34};
  auto version = decode_uvarint(in);
  if (!version) return fail(car_errc::malformed_section, "CID version: " + version.error().detail);
  auto codec = decode_uvarint(in.subspan(version->size));
  if (!codec) return fail(car_errc::malformed_section, "CID codec: " + codec.error().detail);
  std::size_t head = version->size + codec->size;
  auto mh = mf::multihash::parse_prefix(in.subspan(head));
  if (!mh) return fail(car_errc::malformed_section, "CID multihash: " + mh.error().detail);
  return head + mh->consumed;
}

}  // namespace

result<void> car_parser::feed(bytes_view data) {
  if (pos_ > 0 && pos_ * 2 >= buf_.size()) {
    buf_.erase(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(pos_));
    pos_ = 0;
  }
  if (avail().size() + data.size() > limits_.max_section_bytes + limits_.max_header_bytes + max_feed_slack)
    return fail(car_errc::too_large, "parser buffer would hold " + std::to_string(avail().size() + data.size()) + " bytes: drain next() between feeds and feed at most 1 MiB at once");
  append(buf_, data);
  return ok();
}

void car_parser::consume(std::size_t n) {
  pos_ += n;
  offset_ += n;
}

result<std::optional<blocks::block>> car_parser::next() {
  for (;;) {
    if (ready_) {
      auto out = std::move(ready_);
      ready_.reset();
      return out;
    }
    auto progressed = step();
    if (!progressed) return fail(progressed.error());
    if (!*progressed) return std::optional<blocks::block>{};
  }
}

result<bool> car_parser::step() {
  auto at = [&] { return " at offset " + std::to_string(offset_); };
  switch (state_) {
    case state::done: return false;
    case state::v1_header: {
      auto len = decode_uvarint(avail());
      if (!len) {
        if (len.error().code == make_error_code(base_errc::truncated)) return false;
        return fail(car_errc::malformed_header, "header length: " + len.error().detail + at());
      }
      if (len->value > limits_.max_header_bytes)
        return fail(car_errc::too_large, "header of " + std::to_string(len->value) + " bytes, limit " + std::to_string(limits_.max_header_bytes));
      if (avail().size() < len->size + len->value) return false;
      bool inner = payload_end_ != 0;
      auto h = decode_header_or_pragma(avail().subspan(len->size, static_cast<std::size_t>(len->value)), limits_);
      if (!h) return fail(h.error());
      consume(len->size + static_cast<std::size_t>(len->value));
      if (h->first == 2) {
        if (inner) return fail(car_errc::malformed_header, "CARv2 payload holds another CARv2 pragma");
        if (offset_ != v2_pragma_size) return fail(car_errc::malformed_header, "CARv2 pragma of unexpected length");
        header_ = car_header{2, {}, std::nullopt, std::nullopt};
        state_ = state::v2_header;
        return true;
      }
      if (inner) header_->roots = std::move(h->second);
      else header_ = car_header{1, std::move(h->second), std::nullopt, std::nullopt};
      state_ = state::sections;
      return true;
    }
    case state::v2_header: {
      if (avail().size() < v2_header_size) return false;
      auto h = avail().first(v2_header_size);
      std::uint64_t data_offset = le64(h.subspan(16)), data_size = le64(h.subspan(24));
      consume(v2_header_size);
      if (data_offset < v2_pragma_size + v2_header_size || data_size == 0 || data_offset + data_size < data_offset)
        return fail(car_errc::malformed_header, "CARv2 data offset " + std::to_string(data_offset) + " / size " + std::to_string(data_size));
      header_->v2_data_offset = data_offset;
      header_->v2_data_size = data_size;
      payload_end_ = data_offset + data_size;
      state_ = state::v2_skip;
      return true;
    }
    case state::v2_skip: {
      auto want = *header_->v2_data_offset - offset_;
      auto n = static_cast<std::size_t>(std::min<std::uint64_t>(want, avail().size()));
      consume(n);
      if (offset_ < *header_->v2_data_offset) return false;
      state_ = state::v1_header;
      return true;
    }
    case state::sections: {
      if (payload_end_ != 0 && offset_ >= payload_end_) {
        state_ = state::done;
        return false;
      }
      auto len = decode_uvarint(avail());
      if (!len) {
        if (len.error().code == make_error_code(base_errc::truncated)) return false;
        return fail(car_errc::malformed_section, "section length: " + len.error().detail + at());
      }
      if (len->value == 0) return fail(car_errc::malformed_section, "empty section" + at());
      if (len->value > limits_.max_section_bytes)
        return fail(car_errc::too_large, "section of " + std::to_string(len->value) + " bytes, limit " + std::to_string(limits_.max_section_bytes) + at());
      if (payload_end_ != 0 && offset_ + len->size + len->value > payload_end_)
        return fail(car_errc::malformed_section, "section runs past the CARv2 data size" + at());
      if (avail().size() < len->size + len->value) return false;
      auto section = avail().subspan(len->size, static_cast<std::size_t>(len->value));
      auto cid_len = cid_prefix_length(section);
      if (!cid_len) return fail(with_context(cid_len.error(), "section" + at()));
      if (*cid_len > section.size()) return fail(car_errc::malformed_section, "CID runs past the section" + at());
      auto id = mf::cid::from_bytes(section.first(*cid_len));
      if (!id) return fail(car_errc::malformed_section, "section CID: " + id.error().detail + at());
      auto data = section.subspan(*cid_len);
      if (limits_.verify) {
        if (auto v = blocks::verify_block(*id, data); !v)
          return fail(car_errc::bad_block, v.error().detail + at());
      }
      ready_ = blocks::block{std::move(*id), bytes(data.begin(), data.end())};
      ++blocks_;
      consume(len->size + static_cast<std::size_t>(len->value));
      return true;
    }
  }
  return false;
}

result<void> car_parser::finish() {
  switch (state_) {
    case state::done: return ok();
    case state::sections:
      if (avail().empty() && (payload_end_ == 0 || offset_ >= payload_end_)) return ok();
      if (payload_end_ != 0 && offset_ >= payload_end_) return ok();
      return fail(car_errc::truncated, "input ended inside a section at offset " + std::to_string(offset_) +
                                           (payload_end_ ? " (CARv2 data ends at " + std::to_string(payload_end_) + ")" : std::string()));
    case state::v1_header:
      return fail(car_errc::truncated, offset_ == 0 && avail().empty() ? std::string("empty input") : "input ended inside the header");
    case state::v2_header:
    case state::v2_skip:
      return fail(car_errc::truncated, "input ended inside the CARv2 header");
  }
  return ok();
}

result<car_writer> car_writer::create(const std::vector<mf::cid>& roots, write_fn out) {
  car_writer w(std::move(out));
  auto h = encode_header(roots);
  bytes framed = encode_uvarint(h.size());
  append(framed, h);
  if (auto r = w.out_(framed); !r) return fail(r.error());
  w.written_ = framed.size();
  return w;
}

result<void> car_writer::add(const mf::cid& id, bytes_view data) {
  if (data.size() > blocks::default_max_block_size)
    return fail(car_errc::too_large, id.to_string() + ": block of " + std::to_string(data.size()) + " bytes");
  if (auto v = blocks::verify_block(id, data); !v) return fail(car_errc::bad_block, v.error().detail);
  auto c = id.to_bytes();
  bytes head = encode_uvarint(c.size() + data.size());
  append(head, c);
  if (auto r = out_(head); !r) return r;
  if (auto r = out_(data); !r) return r;
  written_ += head.size() + data.size();
  ++count_;
  return ok();
}

result<void> export_dag(const mf::cid& root, const block_getter& get, const links_fn& links, car_writer& out) {
  std::unordered_set<mf::cid> seen;
  std::vector<mf::cid> stack{root};
  while (!stack.empty()) {
    auto c = std::move(stack.back());
    stack.pop_back();
    if (!seen.insert(c).second) continue;
    auto data = get(c);
    if (!data) return fail(with_context(data.error(), "export " + c.to_string()));
    if (auto r = out.add(c, *data); !r) return r;
    auto children = links(c, *data);
    if (!children) return fail(children.error());
    for (auto it = children->rbegin(); it != children->rend(); ++it) stack.push_back(std::move(*it));
  }
  return ok();
}

}  // namespace converge::car
