#include "p2p/multistream.hpp"

#include <algorithm>

namespace converge::p2p {

namespace {
struct multistream_category_impl final : std::error_category {
  const char* name() const noexcept override { return "multistream"; }
  std::string message(int ev) const override {
    switch (static_cast<multistream_errc>(ev)) {
      case multistream_errc::unsupported_protocol: return "no proposed protocol is supported";
      case multistream_errc::missing_newline: return "message does not end in a newline";
      case multistream_errc::message_too_large: return "message too large";
      case multistream_errc::malformed_varint: return "malformed length prefix";
      case multistream_errc::connection_closed: return "connection closed during negotiation";
      case multistream_errc::bad_header: return "peer does not speak multistream-select 1.0";
      case multistream_errc::too_many_attempts: return "too many negotiation attempts";
      case multistream_errc::unexpected_message: return "unexpected message";
      case multistream_errc::invalid_protocol_id: return "invalid protocol id";
      case multistream_errc::timeout: return "negotiation timed out";
      case multistream_errc::invalid_argument: return "invalid argument";
    }
    return "unknown multistream error";
  }
};

// Peer text for error details: at most 64 characters, control bytes escaped.
std::string quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s.substr(0, 64)) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      static constexpr char hex[] = "0123456789abcdef";
      out += "\\x";
      out += hex[u >> 4];
      out += hex[u & 15];
    } else {
      out += c;
    }
  }
  if (s.size() > 64) out += "...";
  return out + "\"";
}
}  // namespace

const std::error_category& multistream_category() noexcept {
  static const multistream_category_impl cat;
  return cat;
}

// ---- shared core ----------------------------------------------------------

multistream_core::multistream_core(instant now, const multistream_options& options)
    : options_(options), decoder_(options.max_message_size) {
  if (options.timeout) deadline_ = now + *options.timeout;
  append_multistream_message(out_, multistream_header);
}

bool multistream_core::poll_transmit(bytes& out) {
  out.clear();
  if (out_.empty()) return false;
  std::swap(out, out_);
  return true;
}

std::optional<multistream_event> multistream_core::poll_event() {
  if (events_.empty()) return std::nullopt;
  auto e = std::move(events_.front());
  events_.pop_front();
  return e;
}

std::optional<instant> multistream_core::poll_timeout() const {
  if (state_ == multistream_state::negotiating || state_ == multistream_state::optimistic) return deadline_;
  return std::nullopt;
}

void multistream_core::handle_timeout(instant now) {
  auto deadline = poll_timeout();
  if (!deadline || now < *deadline) return;
  fail_with(error{make_error_code(multistream_errc::timeout),
             "no agreement within " +
                 std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(*options_.timeout).count()) +
                 " ms; " + eof_context()});
}

void multistream_core::handle_input(bytes_view data, instant /*now*/) {
  while (!data.empty()) {
    if (state_ == multistream_state::done) {
      append(leftover_, data);
      return;
    }
    if (state_ == multistream_state::failed) return;
    decoder_.set_max_size(message_limit());
    auto used = decoder_.feed(data);
    if (!used) {
      fail_with(used.error());
      return;
    }
    data = data.subspan(*used);
    if (!decoder_.complete()) return;
    handle_message(decoder_.message());
    decoder_.next();
  }
}

void multistream_core::handle_eof() {
  if (state_ != multistream_state::negotiating && state_ != multistream_state::optimistic) return;
  std::string where = decoder_.idle() ? "" : " in the middle of a message";
  fail_with(error{make_error_code(multistream_errc::connection_closed), "peer closed" + where + "; " + eof_context()});
}

void multistream_core::fail_with(error e) {
  if (state_ == multistream_state::failed || state_ == multistream_state::done) return;
  state_ = multistream_state::failed;
  failure_ = e;
  emit(negotiation_failed{std::move(e)});
}

void multistream_core::finish(std::string protocol) {
  state_ = multistream_state::done;
  selected_ = std::move(protocol);
}

result<std::string_view> multistream_core::check_header(bytes_view body) {
  auto text = multistream_text(body);
  if (!text) return text;
  if (*text != multistream_header)
    return fail(multistream_errc::bad_header,
                "peer's first message is " + quote(*text) + ", not " + std::string(multistream_header));
  return text;
}

// ---- initiator ------------------------------------------------------------

result<multistream_initiator> multistream_initiator::create(std::vector<std::string> protocols, instant now,
                                                            const multistream_options& options) {
  if (protocols.empty() && !options.list_first)
    return fail(multistream_errc::invalid_argument, "no protocol to propose");
  if (protocols.size() > options.max_attempts)
    return fail(multistream_errc::invalid_argument, std::to_string(protocols.size()) +
                                                        " protocols exceed max_attempts " +
                                                        std::to_string(options.max_attempts));
  for (const auto& p : protocols)
    if (!valid_protocol_id(p, options.max_message_size))
      return fail(multistream_errc::invalid_argument, "cannot propose " + quote(p) + ": not a valid protocol id");
  return multistream_initiator(std::move(protocols), now, options);
}

multistream_initiator::multistream_initiator(std::vector<std::string> protocols, instant now,
                                             const multistream_options& options)
    : multistream_core(now, options), protocols_(std::move(protocols)) {
  if (options_.list_first) {
    append_multistream_message(out_, multistream_ls);
    awaiting_.push_back({request::list, 0});
  }
  // The header and the first proposal (and `ls`) go out in one write.
  if (!protocols_.empty()) propose_next();
  if (options_.lazy && !options_.list_first && protocols_.size() == 1) {
    state_ = multistream_state::optimistic;
    emit(protocol_selected{protocols_[0], true});
  }
}

void multistream_initiator::propose_next() {
  append_multistream_message(out_, protocols_[next_]);
  awaiting_.push_back({request::propose, next_});
  ++next_;
}

std::size_t multistream_initiator::message_limit() const {
  if (header_seen_ && !awaiting_.empty() && awaiting_.front().kind == request::list) return options_.max_list_size;
  return options_.max_message_size;
}

std::string multistream_initiator::eof_context() const {
  if (!header_seen_) return "waiting for the responder's header";
  if (awaiting_.empty()) return "waiting for nothing";
  if (awaiting_.front().kind == request::list) return "waiting for the ls answer";
  return "waiting for an answer to " + quote(protocols_[awaiting_.front().index]);
}

void multistream_initiator::handle_message(bytes_view body) {
  if (!header_seen_) {
    auto h = check_header(body);
    if (!h) return fail_with(h.error());
    header_seen_ = true;
    return;
  }
  if (awaiting_.empty()) return fail_with(error{make_error_code(multistream_errc::unexpected_message),
                                           "message arrived when no answer was pending"});
  auto pending = awaiting_.front();
  awaiting_.pop_front();
  if (pending.kind == request::list) {
    auto list = parse_protocol_list(body, options_.max_list_size);
    if (!list) return fail_with(with_context(list.error(), "ls answer"));
    emit(protocols_listed{std::move(*list)});
    if (protocols_.empty()) finish({});
    return;
  }
  auto text = multistream_text(body);
  if (!text) return fail_with(text.error());
  const std::string& proposed = protocols_[pending.index];
  if (*text == proposed) {
    if (state_ == multistream_state::optimistic)
      emit(selection_confirmed{proposed});
    else
      emit(protocol_selected{proposed, false});
    return finish(proposed);
  }
  if (*text != multistream_na)
    return fail_with(error{make_error_code(multistream_errc::unexpected_message),
                      "expected " + quote(proposed) + " or \"na\", got " + quote(*text)});
  emit(protocol_refused{proposed});
  if (state_ == multistream_state::optimistic)
    return fail_with(error{make_error_code(multistream_errc::unsupported_protocol),
                      "responder refused the optimistically selected " + quote(proposed)});
  if (next_ < protocols_.size()) return propose_next();
  std::string all;
  for (const auto& p : protocols_) all += (all.empty() ? "" : ", ") + quote(p);
  fail_with(error{make_error_code(multistream_errc::unsupported_protocol), "responder refused " + all});
}

// ---- responder ------------------------------------------------------------

multistream_responder::multistream_responder(std::vector<std::string> protocols, instant now,
                                             const multistream_options& options, matcher match)
    : multistream_core(now, options), match_(std::move(match)) {
  for (auto& p : protocols)
    if (valid_protocol_id(p, options.max_message_size)) protocols_.push_back(std::move(p));
}

std::string multistream_responder::eof_context() const {
  return header_seen_ ? "waiting for a protocol proposal" : "waiting for the initiator's header";
}

void multistream_responder::handle_message(bytes_view body) {
  auto text = header_seen_ ? multistream_text(body) : check_header(body);
  if (!text) return fail_with(text.error());
  if (!header_seen_) {
    header_seen_ = true;
    return;
  }
  if (++attempts_ > options_.max_attempts)
    return fail_with(error{make_error_code(multistream_errc::too_many_attempts),
                      "initiator made more than " + std::to_string(options_.max_attempts) + " proposals"});
  if (*text == multistream_ls) {
    append_multistream_frame(out_, encode_protocol_list(protocols_));
    return;
  }
  if (!valid_utf8(*text) || text->find('\n') != std::string_view::npos)
    return fail_with(error{make_error_code(multistream_errc::invalid_protocol_id),
                      "proposal " + quote(*text) + " is not a valid protocol id"});
  bool ok = std::find(protocols_.begin(), protocols_.end(), *text) != protocols_.end() ||
            (match_ && !text->empty() && match_(*text));
  if (!ok) {
    append_multistream_message(out_, multistream_na);
    return;
  }
  std::string chosen(*text);
  append_multistream_message(out_, chosen);
  emit(protocol_selected{chosen, false});
  finish(std::move(chosen));
}

}  // namespace converge::p2p
