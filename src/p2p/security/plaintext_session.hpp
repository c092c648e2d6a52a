#pragma once
// /plaintext/2.0.0 (libp2p/specs plaintext/README.md): both sides send an
// Exchange{id, pubkey} prefixed with its uvarint length, check that the
// remote's id is derived from its key (and, when dialling, is the peer
// expected), then pass bytes through untouched. No confidentiality, no
// integrity: for tests and interop suites only.
#include <deque>

#include "p2p/security/channel.hpp"
#include "p2p/security/payload.hpp"

namespace converge::p2p::security {

inline constexpr std::string_view plaintext_protocol_id = "/plaintext/2.0.0";
// An Exchange with the largest key (RSA-8192) is about 1.1 KB.
inline constexpr std::size_t max_exchange_len = 4096;

struct plaintext_config {
  explicit plaintext_config(crypto::public_key id) : identity(std::move(id)) {}

  crypto::public_key identity;  // only the public half is sent
  std::optional<crypto::peer_id> expected_peer;  // initiator only
  duration handshake_timeout = std::chrono::seconds{10};
  std::size_t max_buffered_input = std::size_t{1} << 20;
  std::size_t max_pending_output = std::size_t{1} << 20;
};

class plaintext_session final : public secure_channel {
 public:
  // Queues our Exchange at once (both roles send without waiting).
  plaintext_session(role self, plaintext_config config, instant now);

  void handle_input(bytes_view data, instant now) override;
  void handle_eof() override;
  [[nodiscard]] std::size_t input_room() const override;
  bool poll_transmit(bytes& out) override;
  std::optional<channel_event> poll_event() override;
  [[nodiscard]] std::optional<instant> poll_timeout() const override;
  void handle_timeout(instant now) override;
  result<void> send(bytes_view data) override;
  // Everything received since the last call, as one view.
  std::optional<bytes_view> poll_read() override;

  [[nodiscard]] channel_state state() const override { return state_; }
  [[nodiscard]] const std::optional<error>& failure() const override { return failure_; }
  [[nodiscard]] const std::optional<handshake_complete>& remote() const override { return remote_; }

 private:
  void fail_with(error e);
  void try_exchange();

  role role_;
  plaintext_config config_;
  channel_state state_ = channel_state::handshaking;
  std::optional<error> failure_;
  instant deadline_;
  std::optional<handshake_complete> remote_;
  bytes rx_;
  std::size_t rx_begin_ = 0;
  bytes tx_;
  std::deque<channel_event> events_;
};

}  // namespace converge::p2p::security
