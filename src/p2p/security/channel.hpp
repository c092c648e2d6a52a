#pragma once
// The shape shared by the two security handshakes (Noise, /plaintext/2.0.0),
// so the connection upgrader drives either the same way. Sans-IO, in the
// shape of docs/SANS_IO.md (as multistream and Yamux): bytes and time go in;
// bytes, events and a wake-up time come out.
//
// Driving a channel (one thread or strand at a time; no call blocks):
//   - socket bytes in:      handle_input(data, now); stop reading the socket
//                           while input_room() == 0 and call poll_read() first
//   - socket end of stream: handle_eof()
//   - bytes to write:       poll_transmit(out) until false: the pending output
//                           is swapped into `out` (a driver alternating two
//                           buffers never allocates); write it in order
//   - timer:                poll_timeout() (nullopt: no timer), then
//                           handle_timeout(now) once `now` reaches it
//   - events:               poll_event() until nullopt: handshake_complete
//                           once, or session_failed once; after a failure
//                           every call is a no-op and the caller closes
//   - application data:     send(plaintext) after handshake_complete; it is
//                           all or nothing: over the output bound it returns
//                           buffer_full and queues nothing (the channel stays
//                           usable: poll_transmit, then send again).
//                           poll_read() yields received plaintext, each view
//                           valid until the next non-const call. Bytes that
//                           arrive behind the handshake are never lost: they
//                           come out of poll_read() first.
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "base/bytes.hpp"
#include "base/clock.hpp"
#include "crypto/keys.hpp"
#include "crypto/peer_id.hpp"

namespace converge::p2p::security {

enum class role { initiator, responder };

struct handshake_complete {
  crypto::public_key remote_key;
  crypto::peer_id remote_peer;
  // Set when both sides listed stream muxers in the Noise handshake: the
  // connection skips multistream-select for the muxer. Always nullopt for plaintext.
  std::optional<std::string> muxer;
  // The remote's NoiseExtensions.webtransport_certhashes (empty for plaintext).
  std::vector<bytes> remote_webtransport_certhashes;
};

struct session_failed {
  error reason;
};

using channel_event = std::variant<handshake_complete, session_failed>;

enum class channel_state { handshaking, established, failed };

class secure_channel {
 public:
  virtual ~secure_channel() = default;

  virtual void handle_input(bytes_view data, instant now) = 0;
  virtual void handle_eof() = 0;
  [[nodiscard]] virtual std::size_t input_room() const = 0;
  virtual bool poll_transmit(bytes& out) = 0;
  virtual std::optional<channel_event> poll_event() = 0;
  [[nodiscard]] virtual std::optional<instant> poll_timeout() const = 0;
  virtual void handle_timeout(instant now) = 0;

  // Fails with invalid_state before the handshake completes or after a
  // failure, buffer_full when the pending output would pass its bound
  // (nothing is queued then), nonce_exhausted when the channel is used up.
  // With no output pending, a send of up to 64 KiB always fits.
  virtual result<void> send(bytes_view plaintext) = 0;
  virtual std::optional<bytes_view> poll_read() = 0;
  // Gives back the capacity of empty output buffers (a driver calls it when
  // the connection goes idle; not in the steady state, which reuses them).
  virtual void shrink_buffers() {}

  [[nodiscard]] virtual channel_state state() const = 0;
  // The failure, once state() == failed.
  [[nodiscard]] virtual const std::optional<error>& failure() const = 0;
  // The remote's identity and the negotiated muxer, once established.
  [[nodiscard]] virtual const std::optional<handshake_complete>& remote() const = 0;
};

}  // namespace converge::p2p::security
