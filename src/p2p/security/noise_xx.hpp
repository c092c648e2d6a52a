#pragma once
// HandshakeState (Noise rev 34, section 5.3) for the one pattern libp2p uses:
//   XX:  -> e
//        <- e, ee, s, es
//        -> s, se
// with protocol name Noise_XX_25519_ChaChaPoly_SHA256. Pure: no framing, no
// libp2p payload semantics (noise_session adds those). The prologue is
// empty for libp2p; it is a parameter for the published test vectors.
#include <optional>

#include "p2p/security/noise_crypto.hpp"

namespace converge::p2p::security::noise {

inline constexpr std::string_view protocol_name = "Noise_XX_25519_ChaChaPoly_SHA256";

// Sizes of the three XX messages without payload, and the overhead each payload carries.
inline constexpr std::size_t xx_message1_len = dh_len;                              // e
inline constexpr std::size_t xx_message2_len = dh_len + dh_len + tag_len + tag_len;  // e, enc(s), tag(payload)
inline constexpr std::size_t xx_message3_len = dh_len + tag_len + tag_len;           // enc(s), tag(payload)

struct transport_ciphers {
  cipher_state send;
  cipher_state receive;
};

class xx_handshake {
 public:
  // `static_key` is this side's Noise static keypair. The ephemeral keypair
  // (GENERATE_KEYPAIR for the `e` token) is drawn from `r` here, so no rng is
  // held; a scripted rng injects fixed ephemeral keys for test vectors.
  xx_handshake(bool initiator, const x25519_keypair& static_key, rng& r, bytes_view prologue = {});
  xx_handshake(const xx_handshake&) = delete;
  xx_handshake& operator=(const xx_handshake&) = delete;
  ~xx_handshake();

  [[nodiscard]] bool initiator() const { return initiator_; }
  // 0, 1, 2: the next message to write or read; 3: done, call split().
  [[nodiscard]] int message_index() const { return index_; }
  [[nodiscard]] bool is_my_turn() const { return index_ < 3 && ((index_ % 2 == 0) == initiator_); }
  [[nodiscard]] bool finished() const { return index_ == 3; }

  // WriteMessage: appends the next message with `payload` to `out`.
  result<void> write_message(bytes_view payload, bytes& out);
  // ReadMessage: appends the decrypted payload to `payload_out`. On failure the
  // handshake is unusable (the caller aborts the session).
  result<void> read_message(bytes_view message, bytes& payload_out);

  // After message 3: the transport ciphers, oriented for this side.
  transport_ciphers split();

  // The remote static key, known after message 2 (initiator) or 3 (responder).
  [[nodiscard]] const std::optional<std::array<std::uint8_t, dh_len>>& remote_static() const { return rs_; }
  [[nodiscard]] const std::array<std::uint8_t, dh_len>& local_static_public() const { return s_.public_key; }
  [[nodiscard]] const hash& handshake_hash() const { return ss_.handshake_hash(); }

 private:
  result<void> mix_dh(const x25519_keypair& local, const std::array<std::uint8_t, dh_len>& remote);

  bool initiator_;
  int index_ = 0;
  symmetric_state ss_;
  x25519_keypair s_;
  x25519_keypair e_;
  std::optional<std::array<std::uint8_t, dh_len>> re_;
  std::optional<std::array<std::uint8_t, dh_len>> rs_;
};

}  // namespace converge::p2p::security::noise
