#include "p2p/io/errors.hpp"

#include <string>

namespace converge::p2p::io {
namespace {

class category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "p2p_io"; }
  std::string message(int c) const override {
    switch (static_cast<io_errc>(c)) {
      case io_errc::invalid_address: return "invalid address";
      case io_errc::listen_failed: return "listen failed";
      case io_errc::dial_failed: return "dial failed";
      case io_errc::timeout: return "timed out";
      case io_errc::handshake_failed: return "handshake failed";
      case io_errc::peer_id_mismatch: return "peer id mismatch";
      case io_errc::connection_closed: return "connection closed";
      case io_errc::stream_reset: return "stream reset";
      case io_errc::protocol_refused: return "protocol refused";
      case io_errc::no_addresses: return "no addresses";
      case io_errc::backoff: return "dial backoff";
      case io_errc::invalid_message: return "invalid message";
      case io_errc::limit: return "limit exceeded";
    }
    return "unknown p2p_io error";
  }
};

}  // namespace

const std::error_category& io_category() noexcept {
  static const category c;
  return c;
}

}  // namespace converge::p2p::io
