#include "agent/policy.hpp"

#include <algorithm>

#include <sodium.h>

namespace converge::agent {
namespace {

std::int64_t unix_seconds(wall_time t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}
wall_time from_unix(std::int64_t s) { return wall_time{std::chrono::seconds{s}}; }

// The first 8 bytes of sha256(parts...), big-endian.
std::uint64_t hash_u64(std::initializer_list<bytes_view> parts) {
  crypto_hash_sha256_state st;
  crypto_hash_sha256_init(&st);
  for (auto p : parts) crypto_hash_sha256_update(&st, p.data(), p.size());
  std::uint8_t out[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&st, out);
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | out[i];
  return v;
}

std::string percent_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

}  // namespace

double rollout_bucket(bytes_view salt, std::string_view release_hash) {
  auto v = hash_u64({salt, as_bytes(release_hash)});
  // 2^64 as a double; v / 2^64 < 1 except for rounding at the very top, clamped.
  double b = static_cast<double>(v) / 18446744073709551616.0 * 100.0;
  return std::min(b, std::nextafter(100.0, 0.0));
}

gate rollout_gate(const std::vector<trust::rollout_step>& steps, double bucket, wall_time now) {
  if (steps.empty()) return gate::allow();
  auto t = unix_seconds(now);
  const trust::rollout_step* in_force = nullptr;
  for (const auto& s : steps)
    if (s.start <= t) in_force = &s;
  if (in_force && bucket < static_cast<double>(in_force->percent)) return gate::allow();
  std::optional<wall_time> next;
  for (const auto& s : steps) {
    if (s.start > t && bucket < static_cast<double>(s.percent)) {
      next = from_unix(s.start);
      break;
    }
  }
  if (!in_force) return gate::block("rollout has not started", next);
  return gate::block("rollout at " + std::to_string(in_force->percent) + "%, this device's bucket is " +
                         percent_text(bucket),
                     next);
}

bool halted(const trust::release& r) {
  if (!r.metadata.is_object()) return false;
  auto it = r.metadata.find("halt");
  return it != r.metadata.end() && it->is_boolean() && it->get<bool>();
}

gate halt_gate(bool is_halted) {
  return is_halted ? gate::block("release halted by its publisher (metadata.halt)") : gate::allow();
}

gate window_gate(const std::vector<time_window>& windows, wall_time now) {
  if (windows.empty()) return gate::allow();
  constexpr std::int64_t day = 86400;
  auto t = unix_seconds(now);
  auto sod = ((t % day) + day) % day;  // seconds since UTC midnight
  auto minute = static_cast<int>(sod / 60);
  std::int64_t wait = day;
  for (const auto& w : windows) {
    bool inside = w.start_min < w.end_min ? (minute >= w.start_min && minute < w.end_min)
                                          : (minute >= w.start_min || minute < w.end_min);
    if (inside) return gate::allow();
    std::int64_t until = ((std::int64_t{w.start_min} * 60 - sod) % day + day) % day;
    wait = std::min(wait, until == 0 ? day : until);
  }
  return gate::block("outside the allowed update windows (UTC)", from_unix(t + wait));
}

std::chrono::seconds jitter_delay(bytes_view salt, std::string_view release_hash, std::chrono::seconds jitter) {
  if (jitter.count() <= 0) return std::chrono::seconds{0};
  auto v = hash_u64({as_bytes("jitter:"), salt, as_bytes(release_hash)});
  return std::chrono::seconds{static_cast<std::int64_t>(v % static_cast<std::uint64_t>(jitter.count()))};
}

gate jitter_gate(wall_time heard_at, std::chrono::seconds delay, wall_time now) {
  auto at = heard_at + delay;
  if (now >= at) return gate::allow();
  return gate::block("waiting " + std::to_string(delay.count()) + " s of jitter", at);
}

gate conditions_gate(const agent_config& cfg, const conditions& c) {
  if (!c.online) return gate::block("offline");
  if (c.metered && !cfg.allow_metered) return gate::block("on a metered network (network.allow_metered is false)");
  if (cfg.require_charging && !c.charging) return gate::block("not charging (battery.require_charging)");
  if (!c.charging && c.battery_percent < cfg.min_battery_percent)
    return gate::block("battery at " + std::to_string(c.battery_percent) + "% (battery.min_percent is " +
                       std::to_string(cfg.min_battery_percent) + ")");
  return gate::allow();
}

std::chrono::seconds backoff_delay(std::chrono::seconds initial, std::chrono::seconds max, std::uint32_t failures,
                                   std::uint64_t random) {
  std::int64_t base = std::max<std::int64_t>(initial.count(), 1);
  std::int64_t cap = std::max<std::int64_t>(max.count(), base);
  for (std::uint32_t i = 1; i < failures && base < cap; ++i) base = std::min(cap, base * 2);
  std::int64_t half = base / 2;
  auto spread = static_cast<std::uint64_t>(base - half) + 1;
  // At least a second, so a failure never retries within the same tick.
  return std::chrono::seconds{std::max<std::int64_t>(1, half + static_cast<std::int64_t>(random % spread))};
}

}  // namespace converge::agent
