#include "p2p/multistream_message.hpp"

#include <algorithm>

#include "p2p/multistream.hpp"

namespace converge::p2p {

void append_multistream_message(bytes& out, std::string_view text) {
  append_uvarint(out, text.size() + 1);
  append(out, as_bytes(text));
  out.push_back('\n');
}

void append_multistream_frame(bytes& out, bytes_view payload) {
  append_uvarint(out, payload.size());
  append(out, payload);
}

bytes encode_protocol_list(std::span<const std::string> protocols) {
  bytes payload;
  for (const auto& p : protocols) append_multistream_message(payload, p);
  payload.push_back('\n');
  return payload;
}

result<std::vector<std::string>> parse_protocol_list(bytes_view payload, std::size_t max_protocols) {
  std::vector<std::string> out;
  byte_reader r(payload);
  while (!r.empty()) {
    if (r.remaining() == 1 && r.rest()[0] == '\n') break;  // the list's closing newline
    if (out.size() == max_protocols)
      return fail(multistream_errc::too_many_attempts,
                  "ls answer lists more than " + std::to_string(max_protocols) + " protocols");
    auto entry = r.length_prefixed(payload.size());
    if (!entry)
      return fail(multistream_errc::unexpected_message,
                  "ls answer entry " + std::to_string(out.size()) + " is malformed: " + entry.error().message());
    auto text = multistream_text(*entry);
    if (!text) return fail(text.error());
    if (!valid_utf8(*text) || text->find('\n') != std::string_view::npos || text->empty())
      return fail(multistream_errc::invalid_protocol_id,
                  "ls answer entry " + std::to_string(out.size()) + " is not a valid protocol id");
    out.emplace_back(*text);
  }
  return out;
}

bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      n = 1;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      n = 2;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;  // truncated sequence
    for (std::size_t k = 1; k <= n; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff))
      return false;
    i += n + 1;
  }
  return true;
}

bool valid_protocol_id(std::string_view id, std::size_t max_message_size) {
  return !id.empty() && id.size() + 1 <= max_message_size && id.find('\n') == std::string_view::npos &&
         valid_utf8(id);
}

result<std::size_t> multistream_decoder::feed(bytes_view in) {
  std::size_t used = 0;
  while (!complete_ && used < in.size()) {
    if (!have_len_) {
      varint_[varint_len_++] = in[used++];
      auto v = decode_uvarint(bytes_view(varint_.data(), varint_len_));
      if (!v) {
        if (v.error().code == base_errc::truncated && varint_len_ < max_varint_bytes) continue;
        return fail(multistream_errc::malformed_varint, "message length prefix: " + v.error().message());
      }
      if (v->value > max_size_)
        return fail(multistream_errc::message_too_large, "message of " + std::to_string(v->value) +
                                                             " bytes exceeds the limit of " +
                                                             std::to_string(max_size_));
      if (v->value == 0) return fail(multistream_errc::missing_newline, "empty message (length 0)");
      have_len_ = true;
      want_ = static_cast<std::size_t>(v->value);
      body_.clear();
      continue;
    }
    std::size_t take = std::min(want_ - body_.size(), in.size() - used);
    body_.insert(body_.end(), in.begin() + static_cast<std::ptrdiff_t>(used),
                 in.begin() + static_cast<std::ptrdiff_t>(used + take));
    used += take;
    if (body_.size() == want_) complete_ = true;
  }
  return used;
}

void multistream_decoder::next() {
  complete_ = false;
  have_len_ = false;
  varint_len_ = 0;
  want_ = 0;
  body_.clear();
}

result<std::string_view> multistream_text(bytes_view body) {
  if (body.empty() || body.back() != '\n')
    return fail(multistream_errc::missing_newline,
                "message of " + std::to_string(body.size()) + " bytes does not end in a newline");
  return as_chars(body.first(body.size() - 1));
}

}  // namespace converge::p2p
