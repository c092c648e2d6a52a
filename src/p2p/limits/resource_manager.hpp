#pragma once
// The resource manager: counts connections, streams and reserved memory in
// nested scopes and refuses what would pass a limit (go-libp2p's rcmgr model):
//
//   system     everything this host holds
//   transient  connections whose peer is not yet known (before the security
//              handshake) and streams whose protocol is not yet negotiated;
//              bounds the work an unauthenticated remote can cause
//   peer       per remote peer: its connections, streams and their memory
//   protocol   per protocol ID (e.g. /ipfs/bitswap/1.2.0): its streams and memory
//   service    per service name (e.g. "bitswap"), optional: streams and memory
//   connection / stream: the memory one connection or stream may hold
//
// How a host uses it (every call is synchronous and cheap; no I/O, no clock):
//   auto c = rm.open_connection(direction::inbound);      // system + transient
//   if (!c) close the socket, log c.error().detail;
//   ... security handshake ...
//   if (auto r = c->set_peer(peer); !r) close;             // transient -> peer
//   auto s = rm.open_stream(peer, direction::inbound);      // system + peer + transient
//   if (!s) reset the stream;
//   ... multistream-select ...
//   if (auto r = s->set_protocol("/ipfs/bitswap/1.2.0"); !r) reset;  // transient -> protocol
//   if (auto r = s->reserve_memory(n, memory_priority::low); !r) do not grow the buffer;
// Reservations are RAII: destroying (or release()-ing) one returns everything it
// holds to every scope. Refusals name the scope and the limit:
// "peer 12D3Koo...: streams_inbound limit 256 reached".
//
// Lifetime: the manager must outlive its reservations (it is neither copyable
// nor movable, so reservations can point at it). Peer, protocol and service
// scopes exist only while something is held in them, so their number is
// bounded by the system limits.
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "crypto/peer_id.hpp"
#include "p2p/limits/errors.hpp"
#include "p2p/limits/gater.hpp"

namespace converge::p2p::limits {

inline constexpr std::uint64_t unlimited = std::numeric_limits<std::uint64_t>::max();

struct scope_limits {
  std::uint64_t conns_inbound = unlimited;
  std::uint64_t conns_outbound = unlimited;
  std::uint64_t conns = unlimited;  // inbound + outbound
  std::uint64_t streams_inbound = unlimited;
  std::uint64_t streams_outbound = unlimited;
  std::uint64_t streams = unlimited;  // inbound + outbound
  std::uint64_t memory = unlimited;   // bytes
  friend bool operator==(const scope_limits&, const scope_limits&) = default;
};

struct resource_limits {
  scope_limits system;
  scope_limits transient;
  scope_limits peer;      // every peer without an entry in `peers`
  scope_limits protocol;  // every protocol without an entry in `protocols`
  scope_limits service;   // every service without an entry in `services`
  std::map<crypto::peer_id, scope_limits> peers;  // e.g. more room for an update source
  std::map<std::string, scope_limits, std::less<>> protocols;
  std::map<std::string, scope_limits, std::less<>> services;
  std::uint64_t connection_memory = unlimited;  // one connection's own reservations
  std::uint64_t stream_memory = unlimited;      // one stream's own reservations
  friend bool operator==(const resource_limits&, const resource_limits&) = default;
};

// How much of a scope's memory limit a reservation may fill: low-priority
// buffers (read-ahead, caches) give up first, so room remains for what must
// not fail. low 40%, medium 60%, high 80%, always 100%.
enum class memory_priority : std::uint8_t { low, medium, high, always };

struct scope_usage {
  std::uint64_t conns_inbound = 0;
  std::uint64_t conns_outbound = 0;
  std::uint64_t streams_inbound = 0;
  std::uint64_t streams_outbound = 0;
  std::uint64_t memory = 0;
  [[nodiscard]] bool empty() const { return *this == scope_usage{}; }
  friend bool operator==(const scope_usage&, const scope_usage&) = default;
};

class resource_manager;

// A connection's hold on the system, transient/peer scopes. Move-only.
class connection_reservation {
 public:
  connection_reservation(connection_reservation&& o) noexcept;
  connection_reservation& operator=(connection_reservation&& o) noexcept;
  connection_reservation(const connection_reservation&) = delete;
  connection_reservation& operator=(const connection_reservation&) = delete;
  ~connection_reservation() { release(); }

  // Moves the connection (and its memory) from the transient scope into the
  // peer's scope. On failure (conn_limit or memory_limit at the peer) nothing
  // changes: the connection stays transient and the caller should close it.
  // Fails with invalid_argument if a peer is already set or after release().
  result<void> set_peer(const crypto::peer_id& p);
  // Checks the connection's own limit, then peer (or transient) and system.
  result<void> reserve_memory(std::uint64_t n, memory_priority prio);
  // Returns up to `n` bytes (clamped to what this reservation holds).
  void release_memory(std::uint64_t n);
  // Returns everything; idempotent.
  void release();

  [[nodiscard]] bool active() const { return rm_ != nullptr; }
  [[nodiscard]] direction dir() const { return dir_; }
  [[nodiscard]] const std::optional<crypto::peer_id>& peer() const { return peer_; }
  [[nodiscard]] std::uint64_t memory() const { return memory_; }

 private:
  friend class resource_manager;
  connection_reservation(resource_manager* rm, direction d) : rm_(rm), dir_(d) {}
  resource_manager* rm_;
  direction dir_;
  std::optional<crypto::peer_id> peer_;
  std::uint64_t memory_ = 0;
};

// A stream's hold on the system, peer, transient/protocol and service scopes. Move-only.
class stream_reservation {
 public:
  stream_reservation(stream_reservation&& o) noexcept;
  stream_reservation& operator=(stream_reservation&& o) noexcept;
  stream_reservation(const stream_reservation&) = delete;
  stream_reservation& operator=(const stream_reservation&) = delete;
  ~stream_reservation() { release(); }

  // Moves the stream (and its memory) from transient into the protocol's scope.
  // On failure nothing changes; the caller should reset the stream. Once only.
  result<void> set_protocol(std::string_view protocol);
  // Adds the stream to a service's scope (after set_protocol). Once only.
  result<void> set_service(std::string_view service);
  // Checks the stream's own limit, then service, protocol (or transient), peer, system.
  result<void> reserve_memory(std::uint64_t n, memory_priority prio);
  void release_memory(std::uint64_t n);
  void release();

  [[nodiscard]] bool active() const { return rm_ != nullptr; }
  [[nodiscard]] direction dir() const { return dir_; }
  [[nodiscard]] const crypto::peer_id& peer() const { return peer_; }
  [[nodiscard]] const std::optional<std::string>& protocol() const { return protocol_; }
  [[nodiscard]] const std::optional<std::string>& service() const { return service_; }
  [[nodiscard]] std::uint64_t memory() const { return memory_; }

 private:
  friend class resource_manager;
  stream_reservation(resource_manager* rm, crypto::peer_id p, direction d) : rm_(rm), dir_(d), peer_(std::move(p)) {}
  resource_manager* rm_;
  direction dir_;
  crypto::peer_id peer_;
  std::optional<std::string> protocol_;
  std::optional<std::string> service_;
  std::uint64_t memory_ = 0;
};

class resource_manager {
 public:
  explicit resource_manager(resource_limits limits) : limits_(std::move(limits)) {}
  resource_manager(const resource_manager&) = delete;
  resource_manager& operator=(const resource_manager&) = delete;

  // A new connection in the system and transient scopes (conn_limit if full).
  [[nodiscard]] result<connection_reservation> open_connection(direction dir);
  // A new stream with `p`, counted in system, peer and transient (stream_limit if full).
  [[nodiscard]] result<stream_reservation> open_stream(const crypto::peer_id& p, direction dir);

  [[nodiscard]] const resource_limits& limits() const { return limits_; }
  [[nodiscard]] scope_usage system_usage() const { return system_.used; }
  [[nodiscard]] scope_usage transient_usage() const { return transient_.used; }
  [[nodiscard]] scope_usage peer_usage(const crypto::peer_id& p) const;
  [[nodiscard]] scope_usage protocol_usage(std::string_view protocol) const;
  [[nodiscard]] scope_usage service_usage(std::string_view service) const;
  // Scopes currently alive (for tests and metrics: all zero when nothing is held).
  [[nodiscard]] std::size_t peer_scopes() const { return peers_.size(); }
  [[nodiscard]] std::size_t protocol_scopes() const { return protocols_.size(); }
  [[nodiscard]] std::size_t service_scopes() const { return services_.size(); }

  // A change to account: counts are 0 or 1, memory any size.
  struct delta {
    std::uint64_t conns_inbound = 0;
    std::uint64_t conns_outbound = 0;
    std::uint64_t streams_inbound = 0;
    std::uint64_t streams_outbound = 0;
    std::uint64_t memory = 0;
    memory_priority prio = memory_priority::always;
  };
  struct scope {
    std::string name;  // "system", "peer 12D3Koo...", "protocol /ipfs/ping/1.0.0"
    scope_limits lim;
    scope_usage used;
  };

 private:
  friend class connection_reservation;
  friend class stream_reservation;

  scope& peer_scope(const crypto::peer_id& p);
  scope& protocol_scope(std::string_view protocol);
  scope& service_scope(std::string_view service);
  // Drops a peer/protocol/service scope once it holds nothing.
  void collect_peer(const crypto::peer_id& p);
  void collect_protocol(std::string_view protocol);
  void collect_service(std::string_view service);

  resource_limits limits_;
  scope system_{"system", limits_.system, {}};
  scope transient_{"transient", limits_.transient, {}};
  std::map<crypto::peer_id, scope> peers_;
  std::map<std::string, scope, std::less<>> protocols_;
  std::map<std::string, scope, std::less<>> services_;
};

}  // namespace converge::p2p::limits
