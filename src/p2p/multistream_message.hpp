#pragma once
// multistream-select 1.0 framing (multiformats/multistream-select README,
// libp2p/specs connections/README.md): every message is a uvarint length, then
// that many bytes of UTF-8 text whose last byte is '\n' (counted in the length).
// These helpers are shared by both roles and by the fuzz targets; they hold no
// negotiation state.
#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.hpp"
#include "base/varint.hpp"

namespace converge::p2p {

inline constexpr std::string_view multistream_header = "/multistream/1.0.0";
inline constexpr std::string_view multistream_na = "na";
inline constexpr std::string_view multistream_ls = "ls";

// Appends uvarint(text.size() + 1) text '\n'.
void append_multistream_message(bytes& out, std::string_view text);

// The payload of an `ls` answer, in the nested shape go and rust-libp2p send:
// every protocol as its own length-prefixed, newline-terminated message, then a
// final '\n'. The caller frames it as one message (append_multistream_frame).
bytes encode_protocol_list(std::span<const std::string> protocols);
// Appends uvarint(payload.size()) payload; payload must already end in '\n'.
void append_multistream_frame(bytes& out, bytes_view payload);
// Parses an `ls` payload (with or without the final '\n', as older go sends it).
// Fails on a malformed entry or more than `max_protocols` entries.
result<std::vector<std::string>> parse_protocol_list(bytes_view payload, std::size_t max_protocols);

// True if `id` may be proposed or listed: non-empty, valid UTF-8, no '\n',
// and short enough to fit a message of `max_message_size` bytes.
bool valid_protocol_id(std::string_view id, std::size_t max_message_size);
bool valid_utf8(std::string_view s);

// Incremental decoder of length-prefixed messages. Input may arrive in any
// fragmentation; the decoder buffers at most one message (max_size bytes plus
// the varint), so memory is bounded whatever the peer sends.
class multistream_decoder {
 public:
  explicit multistream_decoder(std::size_t max_size) : max_size_(max_size) {}

  // Consumes bytes from `in` until one message is complete or `in` runs out.
  // Returns the number of bytes consumed; after it, complete() says whether
  // message() holds a whole message. Errors (malformed varint, oversized or
  // empty length) are final: the decoder must not be fed again.
  result<std::size_t> feed(bytes_view in);
  [[nodiscard]] bool complete() const { return complete_; }
  // The whole message body including its trailing '\n' (when the peer sent one).
  [[nodiscard]] bytes_view message() const { return body_; }
  // Drops the complete message and starts on the next one.
  void next();
  // Bytes of a message in progress (used to tell "closed between messages" from "closed mid-message").
  [[nodiscard]] bool idle() const { return varint_len_ == 0 && !have_len_; }
  void set_max_size(std::size_t max_size) { max_size_ = max_size; }

 private:
  std::size_t max_size_;
  std::array<std::uint8_t, max_varint_bytes> varint_{};
  std::size_t varint_len_ = 0;
  bool have_len_ = false;
  std::size_t want_ = 0;
  bytes body_;
  bool complete_ = false;
};

// A message body as text without its '\n'; fails with missing_newline if the
// body does not end in one.
result<std::string_view> multistream_text(bytes_view body);

}  // namespace converge::p2p
