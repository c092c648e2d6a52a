#include "p2p/limits/resource_manager.hpp"

#include <array>
#include <span>

namespace converge::p2p::limits {
namespace {

using scope = resource_manager::scope;
using delta = resource_manager::delta;

const char* to_string(memory_priority p) {
  switch (p) {
    case memory_priority::low: return "low";
    case memory_priority::medium: return "medium";
    case memory_priority::high: return "high";
    case memory_priority::always: return "always";
  }
  return "?";
}

// The part of `limit` a reservation at priority `p` may fill.
std::uint64_t memory_threshold(std::uint64_t limit, memory_priority p) {
  if (limit == unlimited) return unlimited;
  std::uint64_t pct = 100;
  switch (p) {
    case memory_priority::low: pct = 40; break;
    case memory_priority::medium: pct = 60; break;
    case memory_priority::high: pct = 80; break;
    case memory_priority::always: pct = 100; break;
  }
  return limit / 100 * pct + limit % 100 * pct / 100;
}

bool over(std::uint64_t used, std::uint64_t add, std::uint64_t limit) {
  return add > 0 && (used > limit || add > limit - used);
}

std::string reached(const scope& s, const char* field, std::uint64_t limit) {
  return s.name + ": " + field + " limit " + std::to_string(limit) + " reached";
}

result<void> check_memory(const std::string& name, std::uint64_t held, std::uint64_t limit, std::uint64_t n,
                          memory_priority prio) {
  auto threshold = memory_threshold(limit, prio);
  if (!over(held, n, threshold)) return ok();
  return fail(limits_errc::memory_limit,
              name + ": memory limit " + std::to_string(limit) + " bytes: " + std::to_string(held) + " held + " +
                  std::to_string(n) + " requested passes the " + std::to_string(threshold) + " bytes that priority " +
                  to_string(prio) + " may use");
}

result<void> check(const scope& s, const delta& d) {
  const auto& u = s.used;
  const auto& l = s.lim;
  if (over(u.conns_inbound, d.conns_inbound, l.conns_inbound))
    return fail(limits_errc::conn_limit, reached(s, "conns_inbound", l.conns_inbound));
  if (over(u.conns_outbound, d.conns_outbound, l.conns_outbound))
    return fail(limits_errc::conn_limit, reached(s, "conns_outbound", l.conns_outbound));
  if (over(u.conns_inbound + u.conns_outbound, d.conns_inbound + d.conns_outbound, l.conns))
    return fail(limits_errc::conn_limit, reached(s, "conns", l.conns));
  if (over(u.streams_inbound, d.streams_inbound, l.streams_inbound))
    return fail(limits_errc::stream_limit, reached(s, "streams_inbound", l.streams_inbound));
  if (over(u.streams_outbound, d.streams_outbound, l.streams_outbound))
    return fail(limits_errc::stream_limit, reached(s, "streams_outbound", l.streams_outbound));
  if (over(u.streams_inbound + u.streams_outbound, d.streams_inbound + d.streams_outbound, l.streams))
    return fail(limits_errc::stream_limit, reached(s, "streams", l.streams));
  return check_memory(s.name, u.memory, l.memory, d.memory, d.prio);
}

void add(scope& s, const delta& d) {
  s.used.conns_inbound += d.conns_inbound;
  s.used.conns_outbound += d.conns_outbound;
  s.used.streams_inbound += d.streams_inbound;
  s.used.streams_outbound += d.streams_outbound;
  s.used.memory += d.memory;
}

void sub(scope& s, const delta& d) {
  auto take = [](std::uint64_t& v, std::uint64_t n) { v = n > v ? 0 : v - n; };
  take(s.used.conns_inbound, d.conns_inbound);
  take(s.used.conns_outbound, d.conns_outbound);
  take(s.used.streams_inbound, d.streams_inbound);
  take(s.used.streams_outbound, d.streams_outbound);
  take(s.used.memory, d.memory);
}

// All scopes accept `d`, or none is changed. Null entries are skipped.
result<void> charge(std::span<scope* const> scopes, const delta& d) {
  for (auto* s : scopes)
    if (s)
      if (auto r = check(*s, d); !r) return r;
  for (auto* s : scopes)
    if (s) add(*s, d);
  return ok();
}

void refund(std::span<scope* const> scopes, const delta& d) {
  for (auto* s : scopes)
    if (s) sub(*s, d);
}

delta conn_delta(direction dir, std::uint64_t memory) {
  delta d;
  (dir == direction::inbound ? d.conns_inbound : d.conns_outbound) = 1;
  d.memory = memory;
  return d;
}

delta stream_delta(direction dir, std::uint64_t memory) {
  delta d;
  (dir == direction::inbound ? d.streams_inbound : d.streams_outbound) = 1;
  d.memory = memory;
  return d;
}

delta memory_delta(std::uint64_t n, memory_priority prio) {
  delta d;
  d.memory = n;
  d.prio = prio;
  return d;
}

result<void> released(const char* what) {
  return fail(limits_errc::invalid_argument, std::string(what) + " reservation used after release");
}

}  // namespace

// ---- resource_manager ----

result<connection_reservation> resource_manager::open_connection(direction dir) {
  std::array<scope*, 2> scopes{&system_, &transient_};
  if (auto r = charge(scopes, conn_delta(dir, 0)); !r) return fail(r.error());
  return connection_reservation(this, dir);
}

result<stream_reservation> resource_manager::open_stream(const crypto::peer_id& p, direction dir) {
  std::array<scope*, 3> scopes{&system_, &transient_, &peer_scope(p)};
  if (auto r = charge(scopes, stream_delta(dir, 0)); !r) {
    collect_peer(p);
    return fail(r.error());
  }
  return stream_reservation(this, p, dir);
}

scope_usage resource_manager::peer_usage(const crypto::peer_id& p) const {
  auto it = peers_.find(p);
  return it == peers_.end() ? scope_usage{} : it->second.used;
}
scope_usage resource_manager::protocol_usage(std::string_view protocol) const {
  auto it = protocols_.find(protocol);
  return it == protocols_.end() ? scope_usage{} : it->second.used;
}
scope_usage resource_manager::service_usage(std::string_view service) const {
  auto it = services_.find(service);
  return it == services_.end() ? scope_usage{} : it->second.used;
}

resource_manager::scope& resource_manager::peer_scope(const crypto::peer_id& p) {
  auto it = peers_.find(p);
  if (it == peers_.end()) {
    auto o = limits_.peers.find(p);
    const auto& lim = o == limits_.peers.end() ? limits_.peer : o->second;
    it = peers_.emplace(p, scope{"peer " + p.to_string(), lim, {}}).first;
  }
  return it->second;
}

resource_manager::scope& resource_manager::protocol_scope(std::string_view protocol) {
  auto it = protocols_.find(protocol);
  if (it == protocols_.end()) {
    auto o = limits_.protocols.find(protocol);
    const auto& lim = o == limits_.protocols.end() ? limits_.protocol : o->second;
    it = protocols_.emplace(std::string(protocol), scope{"protocol " + std::string(protocol), lim, {}}).first;
  }
  return it->second;
}

resource_manager::scope& resource_manager::service_scope(std::string_view service) {
  auto it = services_.find(service);
  if (it == services_.end()) {
    auto o = limits_.services.find(service);
    const auto& lim = o == limits_.services.end() ? limits_.service : o->second;
    it = services_.emplace(std::string(service), scope{"service " + std::string(service), lim, {}}).first;
  }
  return it->second;
}

void resource_manager::collect_peer(const crypto::peer_id& p) {
  auto it = peers_.find(p);
  if (it != peers_.end() && it->second.used.empty()) peers_.erase(it);
}
void resource_manager::collect_protocol(std::string_view protocol) {
  auto it = protocols_.find(protocol);
  if (it != protocols_.end() && it->second.used.empty()) protocols_.erase(it);
}
void resource_manager::collect_service(std::string_view service) {
  auto it = services_.find(service);
  if (it != services_.end() && it->second.used.empty()) services_.erase(it);
}

// ---- connection_reservation ----

connection_reservation::connection_reservation(connection_reservation&& o) noexcept
    : rm_(std::exchange(o.rm_, nullptr)),
      dir_(o.dir_),
      peer_(std::move(o.peer_)),
      memory_(std::exchange(o.memory_, 0)) {}

connection_reservation& connection_reservation::operator=(connection_reservation&& o) noexcept {
  if (this != &o) {
    release();
    rm_ = std::exchange(o.rm_, nullptr);
    dir_ = o.dir_;
    peer_ = std::move(o.peer_);
    memory_ = std::exchange(o.memory_, 0);
  }
  return *this;
}

result<void> connection_reservation::set_peer(const crypto::peer_id& p) {
  if (!rm_) return released("connection");
  if (peer_) return fail(limits_errc::invalid_argument, "connection already belongs to peer " + peer_->to_string());
  auto d = conn_delta(dir_, memory_);
  std::array<resource_manager::scope*, 1> to{&rm_->peer_scope(p)};
  if (auto r = charge(to, d); !r) {
    rm_->collect_peer(p);
    return r;
  }
  sub(rm_->transient_, d);
  peer_ = p;
  return ok();
}

result<void> connection_reservation::reserve_memory(std::uint64_t n, memory_priority prio) {
  if (!rm_) return released("connection");
  if (auto r = check_memory("connection", memory_, rm_->limits_.connection_memory, n, prio); !r) return r;
  std::array<resource_manager::scope*, 2> scopes{peer_ ? &rm_->peer_scope(*peer_) : &rm_->transient_, &rm_->system_};
  if (auto r = charge(scopes, memory_delta(n, prio)); !r) return r;
  memory_ += n;
  return ok();
}

void connection_reservation::release_memory(std::uint64_t n) {
  if (!rm_) return;
  n = std::min(n, memory_);
  std::array<resource_manager::scope*, 2> scopes{peer_ ? &rm_->peer_scope(*peer_) : &rm_->transient_, &rm_->system_};
  refund(scopes, memory_delta(n, memory_priority::always));
  memory_ -= n;
}

void connection_reservation::release() {
  if (!rm_) return;
  std::array<resource_manager::scope*, 2> scopes{peer_ ? &rm_->peer_scope(*peer_) : &rm_->transient_, &rm_->system_};
  refund(scopes, conn_delta(dir_, memory_));
  if (peer_) rm_->collect_peer(*peer_);
  rm_ = nullptr;
  memory_ = 0;
}

// ---- stream_reservation ----

stream_reservation::stream_reservation(stream_reservation&& o) noexcept
    : rm_(std::exchange(o.rm_, nullptr)),
      dir_(o.dir_),
      peer_(o.peer_),
      protocol_(std::move(o.protocol_)),
      service_(std::move(o.service_)),
      memory_(std::exchange(o.memory_, 0)) {}

stream_reservation& stream_reservation::operator=(stream_reservation&& o) noexcept {
  if (this != &o) {
    release();
    rm_ = std::exchange(o.rm_, nullptr);
    dir_ = o.dir_;
    peer_ = o.peer_;
    protocol_ = std::move(o.protocol_);
    service_ = std::move(o.service_);
    memory_ = std::exchange(o.memory_, 0);
  }
  return *this;
}

result<void> stream_reservation::set_protocol(std::string_view protocol) {
  if (!rm_) return released("stream");
  if (protocol_) return fail(limits_errc::invalid_argument, "stream already has protocol " + *protocol_);
  auto d = stream_delta(dir_, memory_);
  std::array<resource_manager::scope*, 1> to{&rm_->protocol_scope(protocol)};
  if (auto r = charge(to, d); !r) {
    rm_->collect_protocol(protocol);
    return r;
  }
  sub(rm_->transient_, d);
  protocol_ = std::string(protocol);
  return ok();
}

result<void> stream_reservation::set_service(std::string_view service) {
  if (!rm_) return released("stream");
  if (!protocol_) return fail(limits_errc::invalid_argument, "set_service before set_protocol");
  if (service_) return fail(limits_errc::invalid_argument, "stream already has service " + *service_);
  std::array<resource_manager::scope*, 1> to{&rm_->service_scope(service)};
  if (auto r = charge(to, stream_delta(dir_, memory_)); !r) {
    rm_->collect_service(service);
    return r;
  }
  service_ = std::string(service);
  return ok();
}

namespace {
std::array<resource_manager::scope*, 4> stream_scopes(resource_manager::scope* service, resource_manager::scope* middle,
                                                      resource_manager::scope* peer, resource_manager::scope* system) {
  return {service, middle, peer, system};
}
}  // namespace

result<void> stream_reservation::reserve_memory(std::uint64_t n, memory_priority prio) {
  if (!rm_) return released("stream");
  if (auto r = check_memory("stream", memory_, rm_->limits_.stream_memory, n, prio); !r) return r;
  auto scopes = stream_scopes(service_ ? &rm_->service_scope(*service_) : nullptr,
                              protocol_ ? &rm_->protocol_scope(*protocol_) : &rm_->transient_,
                              &rm_->peer_scope(peer_), &rm_->system_);
  if (auto r = charge(scopes, memory_delta(n, prio)); !r) return r;
  memory_ += n;
  return ok();
}

void stream_reservation::release_memory(std::uint64_t n) {
  if (!rm_) return;
  n = std::min(n, memory_);
  auto scopes = stream_scopes(service_ ? &rm_->service_scope(*service_) : nullptr,
                              protocol_ ? &rm_->protocol_scope(*protocol_) : &rm_->transient_,
                              &rm_->peer_scope(peer_), &rm_->system_);
  refund(scopes, memory_delta(n, memory_priority::always));
  memory_ -= n;
}

void stream_reservation::release() {
  if (!rm_) return;
  auto scopes = stream_scopes(service_ ? &rm_->service_scope(*service_) : nullptr,
                              protocol_ ? &rm_->protocol_scope(*protocol_) : &rm_->transient_,
                              &rm_->peer_scope(peer_), &rm_->system_);
  refund(scopes, stream_delta(dir_, memory_));
  if (service_) rm_->collect_service(*service_);
  if (protocol_) rm_->collect_protocol(*protocol_);
  rm_->collect_peer(peer_);
  rm_ = nullptr;
  memory_ = 0;
}

}  // namespace converge::p2p::limits
