#pragma once
// noise-libp2p (libp2p/specs noise/README.md) as a sans-IO core: the XX
// handshake with the signed libp2p payload, early stream-muxer negotiation,
// then transport frames. Every message on the wire is a 2-byte big-endian
// length followed by at most 65535 bytes of Noise message.
//
//   initiator                                   responder
//   -> e                          (payload empty)
//   <- e, ee, s, es               payload: identity_key, identity_sig, extensions
//   -> s, se                      payload: identity_key, identity_sig, extensions
//
// identity_sig signs "noise-libp2p-static-key:" || the sender's Noise static
// public key with its libp2p identity key. The remote peer ID is derived from
// identity_key; an initiator given expected_peer fails on any other peer.
//
// Hot path: received frames are decrypted in place inside the input buffer and
// handed out as views; sent frames are encrypted in place inside the output
// buffer. Both buffers keep their capacity, so a steady stream allocates nothing.
#include <deque>
#include <memory>

#include "base/rng.hpp"
#include "p2p/security/channel.hpp"
#include "p2p/security/noise_xx.hpp"
#include "p2p/security/payload.hpp"

namespace converge::p2p::security {

inline constexpr std::string_view noise_protocol_id = "/noise";
inline constexpr std::string_view noise_static_key_domain = "noise-libp2p-static-key:";
inline constexpr std::size_t noise_frame_header = 2;

struct noise_config {
  explicit noise_config(crypto::private_key id) : identity(std::move(id)) {}

  crypto::private_key identity;
  // Muxers offered in the handshake, most preferred first; empty: none (the
  // connection negotiates its muxer with multistream-select afterwards).
  std::vector<std::string> stream_muxers;
  std::vector<bytes> webtransport_certhashes;
  // Initiator: the peer being dialled, if known. Ignored by a responder.
  std::optional<crypto::peer_id> expected_peer;
  duration handshake_timeout = std::chrono::seconds{10};
  // The Noise static keypair; by default a fresh one per session from the rng
  // (the spec allows either and advises against persisting it).
  std::optional<noise::x25519_keypair> static_key;
  // Bounds on received bytes not yet read and on output not yet polled.
  // The input bound is raised to at least two full frames.
  std::size_t max_buffered_input = std::size_t{1} << 20;
  std::size_t max_pending_output = std::size_t{1} << 20;
};

class noise_session final : public secure_channel {
 public:
  // The initiator queues message 1 at once. The keys are drawn from `r` here;
  // the session keeps no reference to it. Fails with invalid_payload when the
  // config crosses a bound of payload.hpp (muxer or certhash lists).
  static result<noise_session> create(role self, noise_config config, rng& r, instant now);
  // As create(), but a config over a bound yields a session that has already
  // failed (its reason is the first event).
  noise_session(role self, noise_config config, rng& r, instant now);
  noise_session(const noise_session&) = delete;
  noise_session& operator=(const noise_session&) = delete;
  noise_session(noise_session&&) = default;
  noise_session& operator=(noise_session&&) = default;
  ~noise_session() override;

  void handle_input(bytes_view data, instant now) override;
  void handle_eof() override;
  [[nodiscard]] std::size_t input_room() const override;
  bool poll_transmit(bytes& out) override;
  void shrink_buffers() override;
  std::optional<channel_event> poll_event() override;
  [[nodiscard]] std::optional<instant> poll_timeout() const override;
  void handle_timeout(instant now) override;

  // Splits `plaintext` into frames of at most noise::max_plaintext_len bytes.
  result<void> send(bytes_view plaintext) override;
  // The next non-empty decrypted frame; a failed decryption fails the session.
  std::optional<bytes_view> poll_read() override;

  [[nodiscard]] channel_state state() const override { return state_; }
  [[nodiscard]] const std::optional<error>& failure() const override { return failure_; }
  [[nodiscard]] role self() const { return role_; }
  [[nodiscard]] const std::optional<handshake_complete>& remote() const override { return remote_; }
  // The Noise handshake hash h (channel binding), once established.
  [[nodiscard]] const std::optional<noise::hash>& handshake_hash() const { return handshake_hash_; }

  // Test hooks: exhausting a 64-bit nonce by traffic is not possible in a test.
  void set_nonces_for_testing(std::uint64_t send, std::uint64_t receive);

 private:
  void fail_with(error e);
  void drive_handshake();
  result<void> on_handshake_message(std::span<std::uint8_t> message);
  result<void> write_handshake_message(bytes_view payload);
  result<bytes> local_payload();
  result<void> accept_remote_payload(bytes_view payload);
  void finish_handshake();
  // The body of the next complete frame in the input buffer (consumed), if any.
  std::optional<std::span<std::uint8_t>> next_frame();
  [[nodiscard]] std::size_t buffered_input() const { return rx_.size() - rx_begin_; }
  [[nodiscard]] std::string awaiting() const;

  role role_;
  noise_config config_;
  channel_state state_ = channel_state::handshaking;
  std::optional<error> failure_;
  instant deadline_;
  std::unique_ptr<noise::xx_handshake> handshake_;  // null once split
  std::optional<noise::transport_ciphers> ciphers_;
  std::optional<handshake_complete> remote_;
  std::optional<noise::hash> handshake_hash_;
  // Remote identity as verified during the handshake, published at completion.
  std::optional<crypto::public_key> remote_key_;
  std::optional<crypto::peer_id> remote_peer_;
  std::optional<std::string> muxer_;
  std::vector<bytes> remote_certhashes_;

  bytes rx_;
  std::size_t rx_begin_ = 0;
  bytes tx_;
  std::deque<channel_event> events_;  // at most two: completion, failure
};

}  // namespace converge::p2p::security
