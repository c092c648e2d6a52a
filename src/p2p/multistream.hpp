#pragma once
// multistream-select 1.0 as two sans-IO cores: multistream_initiator (the
// dialer, proposes protocols) and multistream_responder (the listener, accepts
// one). See docs/SANS_IO.md for the shape every converge core shares.
//
// Driver contract (both roles):
//  1. Create the core with `now`; it queues its first bytes at once (the
//     header, and for the initiator its first proposal).
//  2. Loop: write every poll_transmit() buffer to the transport, in order;
//     feed every byte read with handle_input(); call handle_eof() when the read
//     side ends or the transport fails; call handle_timeout(now) when the
//     instant from poll_timeout() has passed; drain poll_event().
//  3. Stop when state() is done or failed. In `done`, take_leftover() holds
//     bytes that arrived behind the negotiation: they belong to the selected
//     protocol and must be handed to it before anything read later.
//  Lazy (optimistic) initiator: with one protocol and options.lazy, the core
//  reports protocol_selected{optimistic=true} right away. Once the queued
//  transmit is written, the application may write its own bytes behind it, but
//  the driver must keep feeding input to the core until selection_confirmed
//  (state done) or negotiation_failed, because the responder's header and echo
//  arrive in front of the application's data.
#include <cstddef>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <system_error>
#include <variant>
#include <vector>

#include "base/bytes.hpp"
#include "base/clock.hpp"
#include "base/error.hpp"
#include "p2p/multistream_message.hpp"

namespace converge::p2p {

enum class multistream_errc {
  unsupported_protocol = 1,  // the responder refused every proposal ("na")
  missing_newline,           // a message did not end in '\n' (or was empty)
  message_too_large,         // a length prefix exceeds options.max_message_size
  malformed_varint,          // a length prefix is not a minimal uvarint of at most 9 bytes
  connection_closed,         // handle_eof() before the negotiation finished
  bad_header,                // the peer's first message is not /multistream/1.0.0
  too_many_attempts,         // the initiator proposed more than options.max_attempts protocols
  unexpected_message,        // a message that makes no sense in this state
  invalid_protocol_id,       // not UTF-8, contains '\n', empty or too long
  timeout,                   // options.timeout passed before the negotiation finished
  invalid_argument,          // API misuse (bad protocol list)
};
const std::error_category& multistream_category() noexcept;
inline std::error_code make_error_code(multistream_errc e) noexcept {
  return {static_cast<int>(e), multistream_category()};
}

struct multistream_options {
  // Largest message either side accepts (bytes after the varint, '\n' included).
  std::size_t max_message_size = 1024;
  // Largest `ls` answer the initiator accepts.
  std::size_t max_list_size = 16 * 1024;
  // Initiator: most protocols it may propose. Responder: most proposals (and
  // `ls` requests) it answers before giving up; also caps `ls` entries.
  std::size_t max_attempts = 32;
  // Whole negotiation deadline, counted from creation; nullopt: none.
  std::optional<duration> timeout = std::chrono::seconds{10};
  // Initiator only: with exactly one protocol, report it selected at once
  // (pipelined negotiation as js-libp2p and go-libp2p do).
  bool lazy = false;
  // Initiator only: send `ls` before the first proposal; the answer comes as a
  // protocols_listed event. With no protocols to propose the core is done
  // after the list.
  bool list_first = false;
};

// The responder accepts this protocol; the initiator may now speak it.
// optimistic: lazy initiator, the responder has not confirmed yet.
struct protocol_selected {
  std::string protocol;
  bool optimistic = false;
};
// A lazy initiator's protocol was echoed by the responder.
struct selection_confirmed {
  std::string protocol;
};
// The responder answered "na"; the initiator moves on to its next protocol.
struct protocol_refused {
  std::string protocol;
};
// The responder's `ls` answer.
struct protocols_listed {
  std::vector<std::string> protocols;
};
// Terminal: the negotiation failed; `reason` says why and where.
struct negotiation_failed {
  error reason;
};
using multistream_event =
    std::variant<protocol_selected, selection_confirmed, protocol_refused, protocols_listed, negotiation_failed>;

enum class multistream_state {
  negotiating,
  optimistic,  // lazy initiator: selected, awaiting the responder's echo
  done,
  failed,
};

// What both roles share: message decoding, the output buffer, events, leftover.
class multistream_core {
 public:
  virtual ~multistream_core() = default;
  multistream_core(const multistream_core&) = default;
  multistream_core(multistream_core&&) = default;
  multistream_core& operator=(const multistream_core&) = default;
  multistream_core& operator=(multistream_core&&) = default;

  // Hands the pending output to the caller by swapping it into `out` (whose
  // previous contents are discarded; its capacity is reused next time, so a
  // driver that alternates two buffers never allocates). False if none.
  bool poll_transmit(bytes& out);
  std::optional<multistream_event> poll_event();
  [[nodiscard]] std::optional<instant> poll_timeout() const;
  void handle_timeout(instant now);
  // Feeds bytes read from the transport. In state done the bytes are appended
  // to the leftover (they are the selected protocol's); in failed they are dropped.
  void handle_input(bytes_view data, instant now);
  // The transport's read side ended (or failed).
  void handle_eof();

  [[nodiscard]] multistream_state state() const { return state_; }
  [[nodiscard]] const std::string& selected_protocol() const { return selected_; }
  // Bytes that followed the negotiation; the caller takes ownership.
  bytes take_leftover() { return std::exchange(leftover_, {}); }
  [[nodiscard]] const std::optional<error>& failure() const { return failure_; }

 protected:
  multistream_core(instant now, const multistream_options& options);
  // One complete message body ('\n' included). May change state.
  virtual void handle_message(bytes_view body) = 0;
  // What the core was waiting for, for error details.
  virtual std::string eof_context() const = 0;
  // Largest message accepted next (the initiator allows a longer `ls` answer).
  virtual std::size_t message_limit() const { return options_.max_message_size; }
  result<std::string_view> check_header(bytes_view body);
  void fail_with(error e);
  void finish(std::string protocol);
  void emit(multistream_event e) { events_.push_back(std::move(e)); }

  multistream_options options_;
  multistream_decoder decoder_;
  bytes out_;
  bool header_seen_ = false;
  multistream_state state_ = multistream_state::negotiating;
  std::string selected_;

 private:
  std::optional<instant> deadline_;
  // Bounded: one event per proposal or `ls`, and proposals are capped by max_attempts.
  std::deque<multistream_event> events_;
  bytes leftover_;
  std::optional<error> failure_;
};

class multistream_initiator final : public multistream_core {
 public:
  // Fails with invalid_argument on an empty list (unless list_first), more than
  // options.max_attempts protocols, or an invalid protocol id.
  static result<multistream_initiator> create(std::vector<std::string> protocols, instant now,
                                              const multistream_options& options = {});

 private:
  enum class request { list, propose };
  struct awaited {
    request kind;
    std::size_t index;  // into protocols_ for a proposal
  };
  multistream_initiator(std::vector<std::string> protocols, instant now, const multistream_options& options);
  void handle_message(bytes_view body) override;
  std::string eof_context() const override;
  std::size_t message_limit() const override;
  void propose_next();

  std::vector<std::string> protocols_;
  std::size_t next_ = 0;  // index of the next protocol to propose
  // Answers still owed by the responder, in order (at most 2: ls + one proposal).
  std::deque<awaited> awaiting_;
};

class multistream_responder final : public multistream_core {
 public:
  // Decides whether a proposed protocol id (not in the listed set) is accepted.
  using matcher = std::function<bool(std::string_view)>;
  // `protocols` are matched exactly and listed in `ls` answers; `match`, if
  // given, is asked about any other proposal (it is not listed).
  multistream_responder(std::vector<std::string> protocols, instant now, const multistream_options& options = {},
                        matcher match = {});

 private:
  void handle_message(bytes_view body) override;
  std::string eof_context() const override;

  std::vector<std::string> protocols_;
  matcher match_;
  std::size_t attempts_ = 0;
};

}  // namespace converge::p2p

template <>
struct std::is_error_code_enum<converge::p2p::multistream_errc> : std::true_type {};
