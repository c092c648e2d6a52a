#include "p2p/security/plaintext_session.hpp"

#include <algorithm>

#include "base/varint.hpp"
#include "p2p/security/errors.hpp"

namespace converge::p2p::security {

plaintext_session::plaintext_session(role self, plaintext_config config, instant now)
    : role_(self), config_(std::move(config)), deadline_(now + config_.handshake_timeout) {
  config_.max_buffered_input = std::max(config_.max_buffered_input, max_exchange_len + max_varint_bytes);
  // A driver's 64 KiB piece always fits an empty buffer (see noise_session).
  config_.max_pending_output = std::max<std::size_t>(config_.max_pending_output, 128 * 1024);
  auto id = crypto::peer_id::from_public_key(config_.identity);
  bytes body = encode_exchange({id.to_bytes(), config_.identity.to_protobuf()});
  append_uvarint(tx_, body.size());
  append(tx_, body);
}

void plaintext_session::fail_with(error e) {
  if (state_ == channel_state::failed) return;
  state_ = channel_state::failed;
  failure_ = e;
  events_.push_back(session_failed{std::move(e)});
  tx_.clear();
}

std::size_t plaintext_session::input_room() const {
  if (state_ == channel_state::failed) return 0;
  std::size_t held = rx_.size() - rx_begin_;
  return config_.max_buffered_input - std::min(config_.max_buffered_input, held);
}

void plaintext_session::handle_input(bytes_view data, instant /*now*/) {
  if (state_ == channel_state::failed || data.empty()) return;
  if (data.size() > input_room()) {
    fail_with(error{make_error_code(security_errc::buffer_full),
                    std::to_string(data.size()) + " bytes handed in with room for " + std::to_string(input_room()) +
                        ": read with poll_read() before handing in more"});
    return;
  }
  if (rx_begin_ == rx_.size()) {
    rx_.clear();
    rx_begin_ = 0;
  }
  append(rx_, data);
  if (state_ == channel_state::handshaking) try_exchange();
}

void plaintext_session::try_exchange() {
  byte_reader in(bytes_view(rx_).subspan(rx_begin_));
  auto len = in.uvarint();
  if (!len) {
    if (len.error().code == base_errc::truncated) return;
    fail_with(with_context(len.error(), "plaintext Exchange length prefix"));
    return;
  }
  if (*len > max_exchange_len) {
    fail_with(error{make_error_code(security_errc::frame_too_large),
                    "plaintext Exchange of " + std::to_string(*len) + " bytes, at most " +
                        std::to_string(max_exchange_len) + " allowed"});
    return;
  }
  auto body = in.take(static_cast<std::size_t>(*len));
  if (!body) return;  // wait for the rest
  auto fail_here = [&](security_errc code, std::string detail) {
    fail_with(error{make_error_code(code), std::move(detail)});
  };
  auto ex = decode_exchange(*body);
  if (!ex) return fail_with(ex.error());
  auto key = crypto::public_key::from_protobuf(ex->pubkey);
  if (!key) return fail_here(security_errc::invalid_key, "Exchange pubkey: " + key.error().message());
  auto claimed = crypto::peer_id::from_bytes(ex->id);
  if (!claimed) return fail_here(security_errc::invalid_payload, "Exchange id: " + claimed.error().message());
  auto derived = crypto::peer_id::from_public_key(*key);
  if (*claimed != derived)
    return fail_here(security_errc::peer_id_mismatch,
                     "Exchange id " + claimed->to_string() + " is not derived from its key (" + derived.to_string() + ")");
  if (role_ == role::initiator && config_.expected_peer && *config_.expected_peer != derived)
    return fail_here(security_errc::peer_id_mismatch,
                     "dialled " + config_.expected_peer->to_string() + " but the remote is " + derived.to_string());
  rx_begin_ += in.position();
  state_ = channel_state::established;
  remote_ = handshake_complete{std::move(*key), std::move(derived), std::nullopt, {}};
  events_.push_back(*remote_);
}

void plaintext_session::handle_eof() {
  if (state_ != channel_state::handshaking) return;
  fail_with(error{make_error_code(security_errc::connection_closed),
                  "remote closed the connection before its plaintext Exchange was complete (" +
                      std::to_string(rx_.size() - rx_begin_) + " bytes received)"});
}

bool plaintext_session::poll_transmit(bytes& out) {
  if (state_ == channel_state::failed || tx_.empty()) return false;
  std::swap(out, tx_);
  tx_.clear();
  return true;
}

std::optional<channel_event> plaintext_session::poll_event() {
  if (events_.empty()) return std::nullopt;
  auto e = std::move(events_.front());
  events_.pop_front();
  return e;
}

std::optional<instant> plaintext_session::poll_timeout() const {
  if (state_ != channel_state::handshaking) return std::nullopt;
  return deadline_;
}

void plaintext_session::handle_timeout(instant now) {
  if (state_ != channel_state::handshaking || now < deadline_) return;
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(config_.handshake_timeout).count();
  fail_with(error{make_error_code(security_errc::handshake_timeout),
                  "no complete plaintext Exchange within " + std::to_string(ms) + " ms (" +
                      std::to_string(rx_.size() - rx_begin_) + " bytes received)"});
}

result<void> plaintext_session::send(bytes_view data) {
  if (state_ != channel_state::established)
    return fail(security_errc::invalid_state, state_ == channel_state::failed
                                                  ? "send on a failed plaintext session"
                                                  : "send before the plaintext Exchange completed");
  if (data.size() > config_.max_pending_output - std::min(config_.max_pending_output, tx_.size()))
    return fail(security_errc::buffer_full, "sending " + std::to_string(data.size()) + " bytes with " +
                                                std::to_string(config_.max_pending_output - tx_.size()) +
                                                " bytes of output room: poll_transmit() first");
  append(tx_, data);
  return ok();
}

std::optional<bytes_view> plaintext_session::poll_read() {
  if (state_ != channel_state::established || rx_begin_ == rx_.size()) return std::nullopt;
  bytes_view out = bytes_view(rx_).subspan(rx_begin_);
  rx_begin_ = rx_.size();
  return out;
}

}  // namespace converge::p2p::security
