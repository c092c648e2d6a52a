#include "p2p/security/noise_session.hpp"

#include <sodium.h>

#include <algorithm>
#include <cstring>

#include "p2p/security/errors.hpp"

namespace converge::p2p::security {

namespace {

constexpr std::size_t frame_limit = noise_frame_header + noise::max_message_len;

void put_be16(std::uint8_t* p, std::size_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}

bytes static_key_message(const std::array<std::uint8_t, noise::dh_len>& static_public) {
  return concat(as_bytes(noise_static_key_domain), static_public);
}

}  // namespace

result<noise_session> noise_session::create(role self, noise_config config, rng& r, instant now) {
  if (auto ok_ext = check_extensions({config.webtransport_certhashes, config.stream_muxers}); !ok_ext)
    return fail(with_context(ok_ext.error(), "noise_config"));
  return noise_session(self, std::move(config), r, now);
}

noise_session::noise_session(role self, noise_config config, rng& r, instant now)
    : role_(self), config_(std::move(config)), deadline_(now + config_.handshake_timeout) {
  config_.max_buffered_input = std::max(config_.max_buffered_input, 2 * frame_limit);
  // Room for two full frames: a driver's 64 KiB piece (two frames) always
  // fits an empty buffer, however small the configured bound (a smaller
  // floor let a connection's output stall forever, then overflow).
  config_.max_pending_output = std::max(config_.max_pending_output, 2 * frame_limit);
  auto static_key = config_.static_key ? *config_.static_key : noise::x25519_keypair::generate(r);
  config_.static_key.reset();
  handshake_ = std::make_unique<noise::xx_handshake>(role_ == role::initiator, static_key, r);
  static_key.wipe();
  if (auto ok_ext = check_extensions({config_.webtransport_certhashes, config_.stream_muxers}); !ok_ext) {
    fail_with(with_context(ok_ext.error(), "local noise_config"));
    return;
  }
  // Message 1 carries no payload: the spec forbids extensions before secrecy.
  if (role_ == role::initiator) {
    if (auto w = write_handshake_message({}); !w) fail_with(w.error());
  }
}

noise_session::~noise_session() {
  if (!rx_.empty()) sodium_memzero(rx_.data(), rx_.size());
}

void noise_session::fail_with(error e) {
  if (state_ == channel_state::failed) return;
  state_ = channel_state::failed;
  failure_ = e;
  events_.push_back(session_failed{std::move(e)});
  handshake_.reset();
  ciphers_.reset();
  tx_.clear();
}

std::string noise_session::awaiting() const {
  if (!handshake_) return "a transport frame";
  return "XX message " + std::to_string(handshake_->message_index() + 1);
}

// ---- input side ----

std::size_t noise_session::input_room() const {
  if (state_ == channel_state::failed) return 0;
  return config_.max_buffered_input - std::min(config_.max_buffered_input, buffered_input());
}

void noise_session::handle_input(bytes_view data, instant /*now*/) {
  if (state_ == channel_state::failed || data.empty()) return;
  if (data.size() > input_room()) {
    fail_with(error{make_error_code(security_errc::buffer_full),
                    std::to_string(data.size()) + " bytes handed in with room for " + std::to_string(input_room()) +
                        ": read with poll_read() before handing in more"});
    return;
  }
  // Compact lazily: drop consumed bytes when they are most of the buffer or
  // when appending would otherwise reallocate. Capacity is kept.
  if (rx_begin_ == rx_.size()) {
    rx_.clear();
    rx_begin_ = 0;
  } else if (rx_begin_ > 0 && (rx_begin_ >= rx_.size() / 2 || rx_.size() + data.size() > rx_.capacity())) {
    rx_.erase(rx_.begin(), rx_.begin() + static_cast<std::ptrdiff_t>(rx_begin_));
    rx_begin_ = 0;
  }
  append(rx_, data);
  if (state_ == channel_state::handshaking) drive_handshake();
}

std::optional<std::span<std::uint8_t>> noise_session::next_frame() {
  std::size_t avail = buffered_input();
  if (avail < noise_frame_header) return std::nullopt;
  std::uint8_t* p = rx_.data() + rx_begin_;
  std::size_t len = (std::size_t{p[0]} << 8) | p[1];
  if (avail < noise_frame_header + len) return std::nullopt;
  rx_begin_ += noise_frame_header + len;
  return std::span<std::uint8_t>(p + noise_frame_header, len);
}

void noise_session::handle_eof() {
  if (state_ == channel_state::failed) return;
  std::size_t avail = buffered_input();
  if (state_ == channel_state::handshaking) {
    fail_with(error{make_error_code(security_errc::connection_closed),
                    "remote closed the connection while we awaited " + awaiting() + " (" + std::to_string(avail) +
                        " bytes of it received)"});
    return;
  }
  // Established: complete frames stay readable; a partial one is an error.
  std::size_t pos = rx_begin_;
  while (rx_.size() - pos >= noise_frame_header) {
    std::size_t len = (std::size_t{rx_[pos]} << 8) | rx_[pos + 1];
    if (rx_.size() - pos < noise_frame_header + len) break;
    pos += noise_frame_header + len;
  }
  if (pos != rx_.size())
    fail_with(error{make_error_code(security_errc::connection_closed),
                    "remote closed the connection inside a transport frame (" + std::to_string(rx_.size() - pos) +
                        " bytes of it received)"});
}

std::optional<bytes_view> noise_session::poll_read() {
  if (state_ != channel_state::established) return std::nullopt;
  while (auto frame = next_frame()) {
    if (auto d = ciphers_->receive.decrypt_in_place({}, *frame); !d) {
      fail_with(with_context(d.error(), "transport frame"));
      return std::nullopt;
    }
    if (frame->size() > noise::tag_len) return bytes_view(frame->data(), frame->size() - noise::tag_len);
  }
  return std::nullopt;
}

// ---- handshake ----

void noise_session::drive_handshake() {
  while (state_ == channel_state::handshaking && handshake_ && !handshake_->is_my_turn()) {
    auto frame = next_frame();
    if (!frame) return;
    if (auto r = on_handshake_message(*frame); !r) {
      fail_with(r.error());
      return;
    }
  }
}

result<void> noise_session::on_handshake_message(std::span<std::uint8_t> message) {
  const int index = handshake_->message_index();
  bytes payload;
  if (auto r = handshake_->read_message(message, payload); !r) return r;
  switch (index) {
    case 0: {  // responder: message 1 read (its plaintext payload carries nothing for libp2p)
      auto p = local_payload();
      if (!p) return fail(p.error());
      return write_handshake_message(*p);
    }
    case 1: {  // initiator: message 2 read; verify, then answer with s, se and our payload
      if (auto v = accept_remote_payload(payload); !v) return fail(with_context(v.error(), "XX message 2"));
      auto p = local_payload();
      if (!p) return fail(p.error());
      if (auto w = write_handshake_message(*p); !w) return w;
      finish_handshake();
      return ok();
    }
    case 2:  // responder: message 3 read
      if (auto v = accept_remote_payload(payload); !v) return fail(with_context(v.error(), "XX message 3"));
      finish_handshake();
      return ok();
    default: return fail(security_errc::invalid_state, "handshake message after the handshake");
  }
}

result<bytes> noise_session::local_payload() {
  handshake_payload p;
  p.identity_key = config_.identity.public_key().to_protobuf();
  auto sig = config_.identity.sign(static_key_message(handshake_->local_static_public()));
  if (!sig) return fail(security_errc::signing_failed, "signing the Noise static key: " + sig.error().message());
  p.identity_sig = std::move(*sig);
  if ((!config_.stream_muxers.empty() || !config_.webtransport_certhashes.empty()))
    p.extensions = noise_extensions{config_.webtransport_certhashes, config_.stream_muxers};
  return encode_handshake_payload(p);
}

result<void> noise_session::write_handshake_message(bytes_view payload) {
  const std::size_t start = tx_.size();
  tx_.resize(start + noise_frame_header);
  if (auto w = handshake_->write_message(payload, tx_); !w) {
    tx_.resize(start);
    return w;
  }
  const std::size_t len = tx_.size() - start - noise_frame_header;
  if (len > noise::max_message_len) {
    tx_.resize(start);
    return fail(security_errc::frame_too_large, "our XX message " + std::to_string(handshake_->message_index()) +
                                                    " would be " + std::to_string(len) + " bytes, over the 65535 limit");
  }
  put_be16(tx_.data() + start, len);
  return ok();
}

result<void> noise_session::accept_remote_payload(bytes_view payload) {
  auto p = decode_handshake_payload(payload);
  if (!p) return fail(p.error());
  if (p->identity_key.empty())
    return fail(security_errc::invalid_payload, "NoiseHandshakePayload has no identity_key");
  if (p->identity_sig.empty())
    return fail(security_errc::invalid_payload, "NoiseHandshakePayload has no identity_sig");
  auto key = crypto::public_key::from_protobuf(p->identity_key);
  if (!key) return fail(security_errc::invalid_key, "identity_key: " + key.error().message());
  auto peer = crypto::peer_id::from_public_key(*key);
  const auto& rs = handshake_->remote_static();
  if (!rs) return fail(security_errc::invalid_state, "remote static key unknown after its message");
  if (!key->verify(static_key_message(*rs), p->identity_sig))
    return fail(security_errc::invalid_signature,
                "identity_sig of peer " + peer.to_string() + " does not sign its Noise static key " + to_hex(*rs));
  if (role_ == role::initiator && config_.expected_peer && *config_.expected_peer != peer)
    return fail(security_errc::peer_id_mismatch,
                "dialled " + config_.expected_peer->to_string() + " but the remote proved " + peer.to_string());
  std::vector<std::string> remote_muxers;
  if (p->extensions) {
    remote_muxers = std::move(p->extensions->stream_muxers);
    remote_certhashes_ = std::move(p->extensions->webtransport_certhashes);
  }
  auto muxer = role_ == role::initiator ? negotiate_muxer(config_.stream_muxers, remote_muxers)
                                        : negotiate_muxer(remote_muxers, config_.stream_muxers);
  if (!muxer) return fail(muxer.error());
  muxer_ = std::move(*muxer);
  remote_key_ = std::move(*key);
  remote_peer_ = std::move(peer);
  return ok();
}

void noise_session::finish_handshake() {
  handshake_hash_ = handshake_->handshake_hash();
  ciphers_ = handshake_->split();
  handshake_.reset();
  state_ = channel_state::established;
  remote_ = handshake_complete{*remote_key_, *remote_peer_, muxer_, remote_certhashes_};
  events_.push_back(*remote_);
  remote_key_.reset();
  remote_peer_.reset();
  // The working buffers grow to the traffic's size and then stay (the
  // transport path allocates nothing once warm); shrink_buffers gives them
  // back when the connection idles. Not reserved up front: a node with many
  // quiet connections would hold 192 KiB each for nothing.
}

// ---- output, events, time ----

void noise_session::shrink_buffers() {
  if (tx_.empty()) bytes().swap(tx_);
  if (rx_begin_ == rx_.size()) {  // no partial frame held
    bytes().swap(rx_);
    rx_begin_ = 0;
  }
}

bool noise_session::poll_transmit(bytes& out) {
  if (state_ == channel_state::failed || tx_.empty()) return false;
  std::swap(out, tx_);
  tx_.clear();
  return true;
}

std::optional<channel_event> noise_session::poll_event() {
  if (events_.empty()) return std::nullopt;
  auto e = std::move(events_.front());
  events_.pop_front();
  return e;
}

std::optional<instant> noise_session::poll_timeout() const {
  if (state_ != channel_state::handshaking) return std::nullopt;
  return deadline_;
}

void noise_session::handle_timeout(instant now) {
  if (state_ != channel_state::handshaking || now < deadline_) return;
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(config_.handshake_timeout).count();
  fail_with(error{make_error_code(security_errc::handshake_timeout),
                  "no complete " + awaiting() + " within " + std::to_string(ms) + " ms (" +
                      std::to_string(buffered_input()) + " bytes of it received)"});
}

result<void> noise_session::send(bytes_view plaintext) {
  if (state_ != channel_state::established)
    return fail(security_errc::invalid_state, state_ == channel_state::failed ? "send on a failed Noise session"
                                                                              : "send before the Noise handshake completed");
  if (plaintext.empty()) return ok();
  const std::size_t frames = (plaintext.size() + noise::max_plaintext_len - 1) / noise::max_plaintext_len;
  const std::size_t need = plaintext.size() + frames * (noise_frame_header + noise::tag_len);
  if (need > config_.max_pending_output - std::min(config_.max_pending_output, tx_.size()))
    return fail(security_errc::buffer_full, "sending " + std::to_string(plaintext.size()) + " bytes needs " +
                                                std::to_string(need) + " bytes of output room, " +
                                                std::to_string(config_.max_pending_output - tx_.size()) +
                                                " left: poll_transmit() first");
  while (!plaintext.empty()) {
    const std::size_t n = std::min(plaintext.size(), noise::max_plaintext_len);
    const std::size_t start = tx_.size();
    // Header, plaintext copied in (no zero-fill first), tag room; then sealed in place.
    const std::array<std::uint8_t, noise_frame_header> header{static_cast<std::uint8_t>((n + noise::tag_len) >> 8),
                                                              static_cast<std::uint8_t>(n + noise::tag_len)};
    tx_.insert(tx_.end(), header.begin(), header.end());
    tx_.insert(tx_.end(), plaintext.begin(), plaintext.begin() + static_cast<std::ptrdiff_t>(n));
    tx_.resize(tx_.size() + noise::tag_len);
    if (auto e = ciphers_->send.encrypt_in_place({}, std::span(tx_).subspan(start + noise_frame_header)); !e) {
      fail_with(e.error());
      return fail(*failure_);
    }
    plaintext = plaintext.subspan(n);
  }
  return ok();
}

void noise_session::set_nonces_for_testing(std::uint64_t send, std::uint64_t receive) {
  if (!ciphers_) return;
  ciphers_->send.set_nonce(send);
  ciphers_->receive.set_nonce(receive);
}

}  // namespace converge::p2p::security
